/**
 * Pure scheduling maths for physicians: weekly templates, temporary assignments and rotations
 * expanded into concrete working blocks, minus time off. No database, no clock: the availability
 * engine calls this with whatever data it has loaded.
 */
import { Temporal } from "temporal-polyfill";
import { wallClockToEpochMs as wallClockInstant } from "../../platform/time.js";

export type AssignmentSource = "template" | "temporary" | "rotation";

/** A recurring weekly block at a location, in that location's wall-clock time. */
export interface TemplateRule {
  id: string;
  locationId: string;
  /** ISO weekday, Monday = 1. */
  weekday: number;
  startTime: string;
  endTime: string;
  effectiveFrom: string;
  effectiveTo: string | null;
  appointmentTypeIds: string[];
  /** The physician stays at the location for the whole block; absent means false. */
  onSite?: boolean;
}

/** A temporary assignment or rotation: on its dates and weekdays it replaces the templates. */
export interface OverrideRule {
  id: string;
  locationId: string;
  kind: "temporary" | "rotation";
  startDate: string;
  endDate: string;
  weekdays: number[];
  startTime: string;
  endTime: string;
  appointmentTypeIds: string[];
  /** The physician stays at the location for the whole block; absent means false. */
  onSite?: boolean;
}

/** Time away as two instants (ISO strings with offset or Z). */
export interface Absence {
  startsAt: string;
  endsAt: string;
}

/** One planned working block at one location, as local wall-clock times and as instants. */
export interface PlannedBlock {
  locationId: string;
  /** The local calendar date the block belongs to, in the location's time zone. */
  date: string;
  startLocal: string;
  endLocal: string;
  /** ISO instant, UTC. */
  start: string;
  end: string;
  timeZone: string;
  source: AssignmentSource;
  sourceId: string;
  appointmentTypeIds: string[];
  /**
   * A promise to stay at the location for the whole block: other locations' appointments leave
   * time to travel to and from the block itself, not only to and from its engagements.
   */
  onSite: boolean;
}

export interface ExpandInput {
  from: string;
  to: string;
  templates: readonly TemplateRule[];
  overrides: readonly OverrideRule[];
  timeOff: readonly Absence[];
  /** IANA time zone of every location the templates and overrides name. */
  timeZones: ReadonlyMap<string, string>;
}

interface Rule {
  id: string;
  locationId: string;
  source: AssignmentSource;
  startTime: string;
  endTime: string;
  appointmentTypeIds: string[];
  onSite?: boolean;
}

interface Interval {
  rule: Rule;
  date: string;
  timeZone: string;
  start: number;
  end: number;
}

/**
 * Remembers a pure function's answers. Time-zone arithmetic dominates expanding thousands of
 * blocks, and a network repeats the same few dates, times and zones endlessly.
 */
function remembered<R>(compute: (key: string) => R, capacity = 50_000): (key: string) => R {
  const known = new Map<string, R>();
  return (key) => {
    let value = known.get(key);
    if (value === undefined) {
      if (known.size >= capacity) known.clear();
      value = compute(key);
      known.set(key, value);
    }
    return value;
  };
}

/**
 * The instant a wall-clock time happens on a local date. Times inside a spring-forward gap never
 * show on the clock, so they become the end of the gap: a block keeps only the time that exists.
 */
export function wallClockToEpochMs(date: string, time: string, timeZone: string): number {
  return wallClockMemo(`${date}|${time}|${timeZone}`);
}

const wallClockMemo = remembered((key) => {
  const [date, time, timeZone] = key.split("|") as [string, string, string];
  return wallClockInstant(date, time, timeZone);
});

/** The local `HH:MM` of an instant in a time zone. */
export function localHHMM(epochMs: number, timeZone: string): string {
  return localHHMMMemo(`${epochMs}|${timeZone}`);
}

const localHHMMMemo = remembered((key) => {
  const [epochMs, timeZone] = key.split("|") as [string, string];
  return Temporal.Instant.fromEpochMilliseconds(Number(epochMs))
    .toZonedDateTimeISO(timeZone)
    .toPlainTime()
    .toString({ smallestUnit: "minute" });
});

/** ISO weekday (Monday = 1) of a date. */
const weekdayOf = remembered((date) => Temporal.PlainDate.from(date).dayOfWeek);

/** Every date from `from` to `to`, both included. */
export function datesBetween(from: string, to: string): string[] {
  return [...datesMemo(`${from}|${to}`)];
}

const datesMemo = remembered((key) => {
  const [from, to] = key.split("|") as [string, string];
  return computeDates(from, to);
}, 1_000);

function computeDates(from: string, to: string): string[] {
  const out: string[] = [];
  const last = Temporal.PlainDate.from(to);
  for (
    let d = Temporal.PlainDate.from(from);
    Temporal.PlainDate.compare(d, last) <= 0;
    d = d.add({ days: 1 })
  ) {
    out.push(d.toString());
  }
  return out;
}

/** Number of calendar days in [from, to], both included (0 when `to` is before `from`). */
export function daysInRange(from: string, to: string): number {
  const days = Temporal.PlainDate.from(from).until(Temporal.PlainDate.from(to), { largestUnit: "days" }).days;
  return Math.max(0, days + 1);
}

/**
 * The instants covered by the local dates [from, to] in any of the zones: from the earliest
 * midnight of `from` to the latest midnight after `to`. UTC when no zone is given.
 */
export function rangeWindow(
  from: string,
  to: string,
  timeZones: Iterable<string>,
): { start: number; end: number } {
  const zones = [...new Set(timeZones)];
  if (zones.length === 0) zones.push("UTC");
  const first = Temporal.PlainDate.from(from);
  const afterLast = Temporal.PlainDate.from(to).add({ days: 1 });
  return {
    start: Math.min(...zones.map((timeZone) => first.toZonedDateTime({ timeZone }).epochMilliseconds)),
    end: Math.max(...zones.map((timeZone) => afterLast.toZonedDateTime({ timeZone }).epochMilliseconds)),
  };
}

function rulesForDay(date: string, input: ExpandInput): Rule[] {
  const weekday = weekdayOf(date);
  const covering = input.overrides.filter(
    (o) => o.startDate <= date && date <= o.endDate && o.weekdays.includes(weekday),
  );
  if (covering.length > 0) return covering.map((o) => ({ ...o, source: o.kind }));
  return input.templates
    .filter(
      (t) =>
        t.weekday === weekday && t.effectiveFrom <= date && (t.effectiveTo === null || date <= t.effectiveTo),
    )
    .map((t) => ({ ...t, source: "template" as const }));
}

function zoneOf(locationId: string, timeZones: ReadonlyMap<string, string>): string {
  const zone = timeZones.get(locationId);
  if (!zone) throw new Error(`No time zone given for location ${locationId}`);
  return zone;
}

/** Removes the absences from one interval, keeping the pieces that remain. */
function subtract(interval: Interval, absences: ReadonlyArray<{ start: number; end: number }>): Interval[] {
  let pieces = [interval];
  for (const a of absences) {
    if (a.end <= interval.start || a.start >= interval.end) continue;
    pieces = pieces.flatMap((p) => {
      if (a.end <= p.start || a.start >= p.end) return [p];
      const kept: Interval[] = [];
      if (a.start > p.start) kept.push({ ...p, end: a.start });
      if (a.end < p.end) kept.push({ ...p, start: a.end });
      return kept;
    });
  }
  return pieces;
}

/**
 * Expands a physician's templates and overrides into working blocks for the local dates
 * [from, to], with time off cut out. On a date that any override covers, the overrides' blocks
 * are the day's blocks and templates are ignored. Blocks come back sorted and never overlap.
 */
export function expandAssignments(input: ExpandInput): PlannedBlock[] {
  const intervals: Interval[] = [];
  for (const date of datesBetween(input.from, input.to)) {
    for (const rule of rulesForDay(date, input)) {
      const timeZone = zoneOf(rule.locationId, input.timeZones);
      const start = wallClockToEpochMs(date, rule.startTime, timeZone);
      const end = wallClockToEpochMs(date, rule.endTime, timeZone);
      if (end > start) intervals.push({ rule, date, timeZone, start, end });
    }
  }
  intervals.sort((a, b) => a.start - b.start || a.end - b.end || a.rule.id.localeCompare(b.rule.id));

  // Wall-clock rules cannot see that 09:00 in Chicago is 10:00 in New York: the earlier block wins.
  const disjoint: Interval[] = [];
  let busyUntil = Number.NEGATIVE_INFINITY;
  for (const i of intervals) {
    const start = Math.max(i.start, busyUntil);
    if (start >= i.end) continue;
    disjoint.push({ ...i, start });
    busyUntil = i.end;
  }

  const absences = input.timeOff
    .map((t) => ({
      start: Temporal.Instant.from(t.startsAt).epochMilliseconds,
      end: Temporal.Instant.from(t.endsAt).epochMilliseconds,
    }))
    .filter((a) => a.end > a.start);

  return disjoint
    .flatMap((i) => subtract(i, absences))
    .map((i) => ({
      locationId: i.rule.locationId,
      date: i.date,
      startLocal: localHHMM(i.start, i.timeZone),
      endLocal: localHHMM(i.end, i.timeZone),
      start: new Date(i.start).toISOString(),
      end: new Date(i.end).toISOString(),
      timeZone: i.timeZone,
      source: i.rule.source,
      sourceId: i.rule.id,
      appointmentTypeIds: i.rule.appointmentTypeIds,
      onSite: i.rule.onSite ?? false,
    }));
}

const earlierDate = (a: string, b: string) => (Temporal.PlainDate.compare(a, b) <= 0 ? a : b);
const laterDate = (a: string, b: string) => (Temporal.PlainDate.compare(a, b) >= 0 ? a : b);

/**
 * True when two overrides would put the physician in two blocks at once: some date lies in both
 * date ranges, falls on a weekday both name, and the wall-clock times overlap.
 */
export function overridesClash(
  a: Pick<OverrideRule, "startDate" | "endDate" | "weekdays" | "startTime" | "endTime">,
  b: Pick<OverrideRule, "startDate" | "endDate" | "weekdays" | "startTime" | "endTime">,
): boolean {
  if (!(a.startTime < b.endTime && b.startTime < a.endTime)) return false;
  const from = laterDate(a.startDate, b.startDate);
  const to = earlierDate(a.endDate, b.endDate);
  if (from > to) return false;
  const shared = new Set(a.weekdays.filter((w) => b.weekdays.includes(w)));
  if (shared.size === 0) return false;
  // A week holds every weekday, so the first seven shared dates are enough to look at.
  const weekLater = Temporal.PlainDate.from(from).add({ days: 6 }).toString();
  return datesBetween(from, earlierDate(to, weekLater)).some((d) =>
    shared.has(Temporal.PlainDate.from(d).dayOfWeek),
  );
}
