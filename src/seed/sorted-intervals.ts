/** Interval lists kept sorted by start, so that the part overlapping a window is a binary search away. */
import type { Interval } from "../services/scheduling/availability/types.js";

/** Keeps `list` sorted by start, so that a window of it is a binary search away. */
export function insertSorted<T extends Interval>(list: T[], item: T): void {
  list.splice(firstStartAfter(list, item.start), 0, item);
}

/** Index of the first interval starting after `at` in a list sorted by start. */
export function firstStartAfter(list: Interval[], at: number): number {
  let [lo, hi] = [0, list.length];
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.start <= at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The intervals of a list sorted by start, none longer than `longest`, that may overlap [from, to). */
export function overlapping<T extends Interval>(
  list: T[] | undefined,
  from: number,
  to: number,
  longest: number,
): T[] {
  return list ? list.slice(firstStartAfter(list, from - longest), firstStartAfter(list, to)) : [];
}
