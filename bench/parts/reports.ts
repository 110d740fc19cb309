/**
 * Report latency on the bench network: the four reports network-wide over 90 days (per location,
 * per location and physician, and per location and specialty), one request at a time, after the
 * read model's first build (timed on its own: the first report waits for it).
 */
import { ms, pct } from "./common.js";
import type { Timed } from "./server.js";

const KINDS = ["utilisation", "revenue", "efficiency", "flow"] as const;

export async function measureReports(get: (path: string) => Promise<Timed>, requests: number) {
  const from = new Date(Date.now() - 60 * 86_400_000).toISOString().slice(0, 10);
  const to = new Date(Date.now() + 29 * 86_400_000).toISOString().slice(0, 10);
  const first = await get(`/api/v1/analytics/reports/utilisation?from=${from}&to=${to}`);
  if (first.status !== 200) throw new Error(`reports ${first.status}`);
  const out: Record<string, { requests: number; p50: number; p95: number; max: number }> = {};
  const each = Math.max(5, Math.floor(requests / (KINDS.length * 3)));
  for (const kind of KINDS)
    for (const by of kind === "flow" ? ["location"] : ["location", "physician", "specialty"]) {
      const latencies: number[] = [];
      for (let i = 0; i < each; i++) {
        const r = await get(`/api/v1/analytics/reports/${kind}?from=${from}&to=${to}&by=${by}`);
        if (r.status !== 200) throw new Error(`reports ${kind} ${r.status}`);
        latencies.push(r.ms);
      }
      out[`${kind}By${by[0]!.toUpperCase()}${by.slice(1)}`] = {
        requests: each,
        p50: ms(pct(latencies, 50)),
        p95: ms(pct(latencies, 95)),
        max: ms(Math.max(...latencies)),
      };
    }
  return { firstReportWithBuildMs: ms(first.ms), days: 90, ...out };
}
