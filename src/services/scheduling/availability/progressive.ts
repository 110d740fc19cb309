/**
 * Progressive search: a wide window is searched in slices of start time, earliest first (one day,
 * then two, four, eight…), and the search stops as soon as nothing in a later slice could outrank
 * the options already found. The answer is exactly what ranking the whole window would give (a
 * property test holds it to that); the saving is that a network-wide search usually loads and
 * walks a day or two of bookings instead of weeks.
 */
import { DAY_MS } from "./intervals.js";
import { rankOptions, scoreCeiling } from "./rank.js";
import type { AvailabilityInput, SlotCandidate, SlotOption } from "./types.js";

/** Candidates whose start lies in [from, to); the last slice also takes starts at `to` itself. */
export interface Slice {
  from: number;
  to: number;
  last: boolean;
}

/** Slices of [from, to): `first` long, each next one twice the one before. */
export function slicesOf(from: number, to: number, first = DAY_MS): Slice[] {
  const out: Slice[] = [];
  let start = from;
  let span = Math.max(1, first);
  while (start < to) {
    const end = Math.min(to, start + span);
    out.push({ from: start, to: end, last: end >= to });
    start = end;
    span *= 2;
  }
  if (out.length === 0) out.push({ from, to, last: true });
  return out;
}

export interface ProgressiveResult {
  options: SlotOption[];
  /** How many slices were searched before the answer was certain. */
  slicesSearched: number;
}

/**
 * Ranks the options of `input`'s whole window, asking `candidatesIn` for one slice at a time.
 * `input` supplies the window, the patient and the limit, as for `rankOptions`.
 */
export async function rankProgressively(
  input: AvailabilityInput,
  candidatesIn: (slice: Slice) => Promise<SlotCandidate[]>,
  firstSliceMs = DAY_MS,
): Promise<ProgressiveResult> {
  const found: SlotCandidate[] = [];
  const slices = slicesOf(input.from, input.to, firstSliceMs);
  let searched = 0;
  for (const slice of slices) {
    searched++;
    for (const c of await candidatesIn(slice)) found.push(c);
    if (slice.last) break;
    if (found.length < input.limit) continue;
    const top = rankOptions([...found], input);
    const last = top[top.length - 1];
    if (last && top.length >= input.limit && last.score >= scoreCeiling(input, slice.to)) {
      return { options: top, slicesSearched: searched };
    }
  }
  return { options: rankOptions(found, input), slicesSearched: searched };
}

/** The engine's candidates of one slice: starts in the slice, appointments may end after it. */
export function sliceWindow(
  slice: Slice,
  wholeTo: number,
  durationMs: number,
): { from: number; to: number; keep: (c: SlotCandidate) => boolean } {
  return {
    from: slice.from,
    to: slice.last ? wholeTo : Math.min(wholeTo, slice.to + durationMs),
    keep: slice.last ? () => true : (c) => c.start < slice.to,
  };
}
