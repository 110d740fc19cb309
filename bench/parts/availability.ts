/**
 * Availability search, one request at a time: a specialty across all locations, 14 days, the
 * first 20 options, after 10 warm-up searches (so the API process's occupancy cache is warm).
 */
import { ms, pct } from "./common.js";
import type { BenchNetwork } from "./network.js";
import type { Timed } from "./server.js";

export interface AvailabilityFigure {
  requests: number;
  p50: number;
  p95: number;
  emptyAnswers: number;
}

/** The path of the bench's standard search: the `i`th new-patient type's specialty, everywhere. */
export function specialtySearch(network: BenchNetwork, window: { from: string; to: string }, i: number) {
  const t = network.types[i % network.types.length]!;
  return `/api/v1/availability?appointmentTypeId=${t.id}&specialty=${t.specialty}&from=${encodeURIComponent(window.from)}&to=${encodeURIComponent(window.to)}&limit=20`;
}

export async function measureAvailability(
  get: (path: string) => Promise<Timed>,
  network: BenchNetwork,
  window: { from: string; to: string },
  requests: number,
): Promise<{ latencies: number[]; empty: number }> {
  const { types } = network;
  for (let i = 0; i < 10; i++)
    await get(
      `/api/v1/availability?appointmentTypeId=${types[i % types.length]!.id}&from=${window.from}&to=${window.to}&limit=20`,
    );
  const latencies: number[] = [];
  let empty = 0;
  for (let i = 0; i < requests; i++) {
    const r = await get(specialtySearch(network, window, i));
    if (r.status !== 200) throw new Error(`availability ${r.status} ${JSON.stringify(r.body)}`);
    if ((r.body as { options: unknown[] }).options.length === 0) empty++;
    latencies.push(r.ms);
  }
  return { latencies, empty };
}

export function availabilityFigure(requests: number, latencies: number[], empty: number): AvailabilityFigure {
  return { requests, p50: ms(pct(latencies, 50)), p95: ms(pct(latencies, 95)), emptyAnswers: empty };
}
