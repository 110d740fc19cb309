/**
 * Compliance monitoring on the bench network: the first overview verifies the whole audit trail
 * since the monitor's cursor (on a fresh database: every event, up to 50,000 per check); every
 * later one verifies only the events recorded since (its own overview event, the bench's traffic).
 */
import { ms, pct } from "./common.js";
import type { Timed } from "./server.js";

export async function measureCompliance(get: (path: string) => Promise<Timed>, requests: number) {
  const catchUp: number[] = [];
  // the first calls catch up with the trail (one budget each)
  for (let i = 0; i < 20; i++) {
    const r = await get("/api/v1/analytics/compliance");
    if (r.status !== 200) throw new Error(`compliance ${r.status}`);
    catchUp.push(r.ms);
    if ((r.body as { auditChain: { upToDate: boolean } }).auditChain.upToDate) break;
  }
  const latencies: number[] = [];
  let checked = 0;
  for (let i = 0; i < Math.max(10, Math.floor(requests / 10)); i++) {
    const r = await get("/api/v1/analytics/compliance");
    if (r.status !== 200) throw new Error(`compliance ${r.status}`);
    latencies.push(r.ms);
    checked = (r.body as { auditChain: { checked: number } }).auditChain.checked;
  }
  return {
    catchUpCalls: catchUp.length,
    catchUpMs: catchUp.map(ms),
    eventsVerified: checked,
    incremental: { requests: latencies.length, p50: ms(pct(latencies, 50)), p95: ms(pct(latencies, 95)) },
  };
}
