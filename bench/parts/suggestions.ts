/**
 * Suggestions against a search: for one patient at a time, the search the Find care page makes
 * for a patient (a specialty everywhere, 14 days, 20 options) and "suggested for you" for the same
 * need, alternately, after 10 warm-up pairs. Suggestions run one search (of 40 options) and rank
 * them, so their cost should be the search's: the part reports both and their p50 ratio.
 */
import { ms, pct } from "./common.js";
import type { BenchNetwork } from "./network.js";
import type { Timed } from "./server.js";

export interface SuggestionsFigure {
  requests: number;
  searchMs: { p50: number; p95: number };
  suggestionsMs: { p50: number; p95: number };
  /** Suggestions' p50 over the search's: at most about 1 means no dearer than a search. */
  p50Ratio: number;
  emptySuggestions: number;
}

export async function measureSuggestions(
  get: (path: string) => Promise<Timed>,
  network: BenchNetwork,
  window: { from: string; to: string },
  requests: number,
): Promise<SuggestionsFigure> {
  const need = (i: number) => {
    const t = network.types[i % network.types.length]!;
    const patientId = network.patientIds[i % network.patientIds.length]!;
    return `appointmentTypeId=${t.id}&specialty=${t.specialty}&patientId=${patientId}&from=${encodeURIComponent(window.from)}&to=${encodeURIComponent(window.to)}`;
  };
  const search: number[] = [];
  const suggested: number[] = [];
  let empty = 0;
  for (let i = -10; i < requests; i++) {
    const q = need(i + 10);
    const a = await get(`/api/v1/availability?${q}&limit=20`);
    const s = await get(`/api/v1/availability/suggestions?${q}&count=3`);
    if (a.status !== 200) throw new Error(`availability ${a.status} ${JSON.stringify(a.body)}`);
    if (s.status !== 200) throw new Error(`suggestions ${s.status} ${JSON.stringify(s.body)}`);
    if (i < 0) continue;
    search.push(a.ms);
    suggested.push(s.ms);
    if ((s.body as { suggestions: unknown[] }).suggestions.length === 0) empty++;
  }
  return {
    requests,
    searchMs: { p50: ms(pct(search, 50)), p95: ms(pct(search, 95)) },
    suggestionsMs: { p50: ms(pct(suggested, 50)), p95: ms(pct(suggested, 95)) },
    p50Ratio: Math.round((pct(suggested, 50) / pct(search, 50)) * 100) / 100,
    emptySuggestions: empty,
  };
}
