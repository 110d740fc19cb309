/**
 * Planned time as pure interval arithmetic: one physician's blocks (as planned, and after approved
 * time off), the visits that kept their time and the travel between locations become minutes per
 * local day and location — planned, blocked by time off, travel, free, and the free stretches long
 * enough for the shortest appointment the block offers (gaps that could be filled). Instants are
 * epoch milliseconds, so a day that changes the clocks has the minutes it really has.
 */

export interface Interval {
  start: number;
  end: number;
}

/** A working block: its location's local date and its instants. */
export interface PlanBlock extends Interval {
  locationId: string;
  date: string;
  /** The shortest appointment the block offers, in minutes (a shorter free stretch cannot be filled). */
  shortestMinutes: number;
}

export interface PlannedInput {
  /** The blocks as the templates and assignments plan them (before time off). */
  planned: readonly Omit<PlanBlock, "shortestMinutes">[];
  /** The same blocks with approved time off cut out. */
  working: readonly PlanBlock[];
  /** The physician's visits that kept their time (open, completed, missed), at any location. */
  busy: readonly Interval[];
  /** Minutes to travel between two locations (undefined: unknown, counted as none). */
  travelMinutes(fromLocationId: string, toLocationId: string): number | undefined;
}

export interface PlannedDay {
  date: string;
  locationId: string;
  plannedMinutes: number;
  timeOffMinutes: number;
  travelMinutes: number;
  availableMinutes: number;
  gapMinutes: number;
  gaps: number;
}

const MINUTE = 60_000;
/** Blocks further apart than this are separate outings: no travel between them is counted. */
const SAME_OUTING_MS = 12 * 60 * MINUTE;

/** `from` minus every interval in `cuts` (the result is sorted and disjoint). */
export function subtract(from: Interval, cuts: readonly Interval[]): Interval[] {
  let pieces: Interval[] = [from];
  for (const c of cuts) {
    if (c.end <= from.start || c.start >= from.end) continue;
    const next: Interval[] = [];
    for (const p of pieces) {
      if (c.end <= p.start || c.start >= p.end) next.push(p);
      else {
        if (c.start > p.start) next.push({ start: p.start, end: c.start });
        if (c.end < p.end) next.push({ start: c.end, end: p.end });
      }
    }
    pieces = next;
  }
  return pieces.sort((a, b) => a.start - b.start);
}

const minutesOf = (ms: number) => Math.round(ms / MINUTE);

/** The physician's planned time per (local date, location). */
export function plannedDays(input: PlannedInput): PlannedDay[] {
  const days = new Map<string, PlannedDay>();
  const dayOf = (date: string, locationId: string): PlannedDay => {
    const key = `${date}|${locationId}`;
    let d = days.get(key);
    if (!d) {
      d = {
        date,
        locationId,
        plannedMinutes: 0,
        timeOffMinutes: 0,
        travelMinutes: 0,
        availableMinutes: 0,
        gapMinutes: 0,
        gaps: 0,
      };
      days.set(key, d);
    }
    return d;
  };
  const workedMs = new Map<string, number>();
  for (const b of input.planned) dayOf(b.date, b.locationId).plannedMinutes += minutesOf(b.end - b.start);

  const working = [...input.working].sort((a, b) => a.start - b.start);
  // arriving from a block at another location: the journey starts when that block ends
  const travel: Interval[] = [];
  for (let i = 1; i < working.length; i++) {
    const prev = working[i - 1]!;
    const next = working[i]!;
    if (prev.locationId === next.locationId || next.start - prev.end > SAME_OUTING_MS) continue;
    const minutes = input.travelMinutes(prev.locationId, next.locationId) ?? 0;
    if (minutes <= 0) continue;
    dayOf(next.date, next.locationId).travelMinutes += minutes;
    travel.push({ start: prev.end, end: prev.end + minutes * MINUTE });
  }

  for (const b of working) {
    const day = dayOf(b.date, b.locationId);
    const key = `${b.date}|${b.locationId}`;
    workedMs.set(key, (workedMs.get(key) ?? 0) + (b.end - b.start));
    for (const free of subtract(b, [...input.busy, ...travel])) {
      const minutes = minutesOf(free.end - free.start);
      day.availableMinutes += minutes;
      if (minutes >= b.shortestMinutes) {
        day.gapMinutes += minutes;
        day.gaps += 1;
      }
    }
  }
  for (const [key, d] of days)
    d.timeOffMinutes = Math.max(0, d.plannedMinutes - minutesOf(workedMs.get(key) ?? 0));
  return [...days.values()].sort(
    (a, b) => a.date.localeCompare(b.date) || a.locationId.localeCompare(b.locationId),
  );
}
