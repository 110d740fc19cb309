/** One physician's unified 30-day schedule across all locations, one request at a time. */
import type { Timed } from "./server.js";

export async function measureSchedule(
  get: (path: string) => Promise<Timed>,
  physicianIds: string[],
  requests: number,
): Promise<number[]> {
  const today = new Date().toISOString().slice(0, 10);
  const in30 = new Date(Date.now() + 29 * 86_400_000).toISOString().slice(0, 10);
  const latencies: number[] = [];
  for (let i = 0; i < requests; i++) {
    const r = await get(
      `/api/v1/physicians/${physicianIds[(i * 7) % physicianIds.length]}/schedule?from=${today}&to=${in30}`,
    );
    if (r.status !== 200) throw new Error(`schedule ${r.status}`);
    latencies.push(r.ms);
  }
  return latencies;
}
