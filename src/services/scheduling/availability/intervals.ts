/**
 * Interval algebra for the availability engine: the set of start times a constraint rules out,
 * opening hours expanded into instants, and wall-clock conversions across daylight-saving changes.
 */
import { Temporal } from "temporal-polyfill";
import { wallClockToEpochMs } from "../../../platform/time.js";
import type { Interval, LocationInfo } from "./types.js";

export { wallClockToEpochMs };

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;

/**
 * Ruled-out start times as they are gathered, in any order: a start is ruled out when it lies
 * strictly inside one of the open ranges (lo, hi). Kept as two number arrays, not objects,
 * because a search gathers tens of thousands of them.
 */
export class ExcludedRanges {
  readonly lo: number[] = [];
  readonly hi: number[] = [];
  /** Whether the ranges arrived in order of `lo`, as engagements loaded by start time do. */
  inOrder = true;

  add(lo: number, hi: number): void {
    if (hi > lo) {
      if (this.lo.length > 0 && lo < this.lo[this.lo.length - 1]!) this.inOrder = false;
      this.lo.push(lo);
      this.hi.push(hi);
    }
  }

  /**
   * Rules out the starts of a `durationMs` appointment that would collide with an engagement: it
   * must end `travelToMs` before the engagement starts, or start `travelFromMs` after it ends.
   */
  around(engagement: Interval, durationMs: number, travelToMs: number, travelFromMs: number): void {
    this.add(engagement.start - durationMs - travelToMs, engagement.end + travelFromMs);
  }

  /** Rules out the starts that do not keep the appointment inside the open stretches (sorted, disjoint). */
  outside(open: Interval[], durationMs: number): void {
    let closedFrom = Number.NEGATIVE_INFINITY;
    for (const o of open) {
      this.add(closedFrom, o.start);
      closedFrom = o.end - durationMs;
    }
    this.add(closedFrom, Number.POSITIVE_INFINITY);
  }
}

/**
 * A set of ruled-out start times as sorted, disjoint open ranges, so that one search answers "may
 * an appointment start here, and if not, when at the earliest?".
 */
export class ExcludedStarts {
  private readonly lo: number[];
  private readonly hi: number[];
  /** Where the last question left off: within a block, starts come in increasing order. */
  private cursor = 0;
  private lastStart = Number.NEGATIVE_INFINITY;

  /** Takes over the gathered ranges: their arrays are merged in place when already in order. */
  constructor(ranges: ExcludedRanges) {
    let { lo, hi } = ranges;
    if (!ranges.inOrder) {
      const order: number[] = [];
      for (let i = 0; i < lo.length; i++) order.push(i);
      order.sort((a, b) => lo[a]! - lo[b]!);
      const [unsortedLo, unsortedHi] = [lo, hi];
      lo = order.map((i) => unsortedLo[i]!);
      hi = order.map((i) => unsortedHi[i]!);
    }
    let kept = 0;
    for (let i = 0; i < lo.length; i++) {
      // open ranges that only touch leave their shared end point allowed, so they stay apart
      if (kept > 0 && lo[i]! < hi[kept - 1]!) {
        if (hi[i]! > hi[kept - 1]!) hi[kept - 1] = hi[i]!;
      } else {
        lo[kept] = lo[i]!;
        hi[kept] = hi[i]!;
        kept++;
      }
    }
    lo.length = kept;
    hi.length = kept;
    this.lo = lo;
    this.hi = hi;
  }

  /** Where the ruled-out range holding `start` ends, or undefined when `start` is allowed. */
  blockedUntil(start: number): number | undefined {
    const { lo, hi } = this;
    // find how many ranges begin before `start`: a few steps on from last time, else a search
    let a = start >= this.lastStart ? this.cursor : 0;
    let steps = 0;
    while (a < lo.length && lo[a]! < start) {
      if (++steps > 4) {
        let b = lo.length;
        while (a < b) {
          const mid = (a + b) >>> 1;
          if (lo[mid]! < start) a = mid + 1;
          else b = mid;
        }
        break;
      }
      a++;
    }
    this.cursor = a;
    this.lastStart = start;
    const until = hi[a - 1];
    return until !== undefined && start < until ? until : undefined;
  }
}

/** The first start on the grid `anchor + k * step` (k >= 0) that is not before `notBefore`. */
export function gridAtOrAfter(anchor: number, step: number, notBefore: number): number {
  if (notBefore <= anchor) return anchor;
  return anchor + Math.ceil((notBefore - anchor) / step) * step;
}

const minutesOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * The UTC offsets a time zone uses over a stretch of time, fetched once (a Temporal call costs tens
 * of microseconds) so that wall-clock conversions inside the stretch are plain arithmetic.
 */
export class ZoneOffsets {
  /** Segment i uses offsets[i] from starts[i] on; the first segment reaches back indefinitely. */
  private readonly starts: number[] = [Number.NEGATIVE_INFINITY];
  private readonly offsets: number[] = [];

  constructor(timeZone: string, from: number, to: number) {
    let zoned = Temporal.Instant.fromEpochMilliseconds(Math.floor(from)).toZonedDateTimeISO(timeZone);
    this.offsets.push(zoned.offsetNanoseconds / 1e6);
    for (;;) {
      const next = zoned.getTimeZoneTransition("next");
      if (!next || next.epochMilliseconds > to) break;
      this.starts.push(next.epochMilliseconds);
      this.offsets.push(next.offsetNanoseconds / 1e6);
      zoned = next;
    }
  }

  offsetAt(instant: number): number {
    let i = this.starts.length - 1;
    while (i > 0 && this.starts[i]! > instant) i--;
    return this.offsets[i]!;
  }

  /** The wall-clock reading (as if it were UTC) of an instant. */
  wallClock(instant: number): number {
    return instant + this.offsetAt(instant);
  }

  /**
   * The instant a wall-clock reading happens. A repeated reading (autumn) takes its first
   * occurrence; a skipped one (spring) becomes the end of the gap, as physicians' blocks do.
   */
  instant(wallClock: number): number {
    let first: number | undefined;
    for (let i = 0; i < this.offsets.length; i++) {
      const t = wallClock - this.offsets[i]!;
      const next = this.starts[i + 1];
      if (t >= this.starts[i]! && (next === undefined || t < next) && (first === undefined || t < first))
        first = t;
    }
    if (first !== undefined) return first;
    for (let i = 1; i < this.offsets.length; i++) {
      const gapStart = this.starts[i]! + this.offsets[i - 1]!;
      const gapEnd = this.starts[i]! + this.offsets[i]!;
      if (wallClock >= gapStart && wallClock < gapEnd) return this.starts[i]!;
    }
    return wallClock - this.offsets[0]!;
  }
}

/**
 * When a location is open between two instants, as sorted disjoint intervals: each local day's
 * opening hours merged (08:00-12:00 and 12:00-17:00 make one stretch). Undefined = always open.
 */
export function openingIntervals(location: LocationInfo, from: number, to: number): Interval[] | undefined {
  if (location.kind === "virtual" || location.openingHours.length === 0) return undefined;
  const zone = new ZoneOffsets(location.timeZone, from - 3 * DAY_MS, to + 3 * DAY_MS);
  const firstDay = Math.floor(zone.wallClock(from) / DAY_MS) - 1;
  const lastDay = Math.floor(zone.wallClock(to) / DAY_MS) + 1;
  const open: Interval[] = [];
  for (let day = firstDay; day <= lastDay; day++) {
    // 1970-01-01 was a Thursday (ISO weekday 4)
    const weekday = ((((day + 3) % 7) + 7) % 7) + 1;
    const midnight = day * DAY_MS;
    const today = location.openingHours
      .filter((h) => h.weekday === weekday)
      .map((h) => ({
        start: zone.instant(midnight + minutesOf(h.opens) * MINUTE_MS),
        end: zone.instant(midnight + minutesOf(h.closes) * MINUTE_MS),
      }))
      .filter((i) => i.end > i.start)
      .sort((a, b) => a.start - b.start);
    const merged: Interval[] = [];
    for (const i of today) {
      const last = merged[merged.length - 1];
      if (last && i.start <= last.end) last.end = Math.max(last.end, i.end);
      else merged.push({ ...i });
    }
    open.push(...merged);
  }
  return open;
}

/** A working block written in a location's wall-clock time (`2026-03-08`, `08:00`, `12:00`). */
export function localBlock(date: string, startHHMM: string, endHHMM: string, timeZone: string): Interval {
  return {
    start: wallClockToEpochMs(date, startHHMM, timeZone),
    end: wallClockToEpochMs(date, endHHMM, timeZone),
  };
}

/** How an instant reads on the wall in a time zone: `{ date: "2026-03-08", time: "08:00", offset: "-04:00" }`. */
export function localLabel(ms: number, timeZone: string): { date: string; time: string; offset: string } {
  const zoned = Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(timeZone);
  return {
    date: zoned.toPlainDate().toString(),
    time: zoned.toPlainTime().toString({ smallestUnit: "minute" }),
    offset: zoned.offset,
  };
}

/** The latest instant a JavaScript date holds: a period out of service with no end lasts until then. */
const END_OF_TIME = 8.64e15;

/**
 * A room's or an item's period out of service as busy time ([from, until), no end: for good), so
 * search and the booking check offer it before and after the period and never inside.
 */
export function outOfServiceBusy(period: { from: string; until: string | null } | null): Interval[] {
  if (!period) return [];
  return [{ start: Date.parse(period.from), end: period.until ? Date.parse(period.until) : END_OF_TIME }];
}
