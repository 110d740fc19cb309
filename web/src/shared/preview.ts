/**
 * Which booked appointments a schedule change would leave outside the physician's working time,
 * computed in the browser before anything is saved: apply the change to the planned blocks, then
 * list the appointments that were inside a block at their location and no longer are.
 */
import { addDays, earlierDate, laterDate, weekdayOf, zonedInstant } from "./time.js";
import type { PlannedAssignments, ScheduleEntry } from "./types.js";

export type PlannedBlock = PlannedAssignments["assignments"][number];
export type AppointmentEntry = Extract<ScheduleEntry, { kind: "appointment" }>;

interface Span {
  locationId: string;
  date: string;
  start: number;
  end: number;
  source: string;
  sourceId: string;
}

export type ScheduleChange =
  | { kind: "time_off"; startsAt: string; endsAt: string }
  | {
      /** A temporary assignment or rotation: on its days it replaces the template blocks. */
      kind: "override";
      locationId: string;
      zone: string;
      startDate: string;
      endDate: string;
      weekdays: number[];
      startTime: string;
      endTime: string;
    }
  | { kind: "remove_template"; templateId: string }
  | {
      /** Removing a temporary assignment or rotation brings the template blocks back on its days. */
      kind: "remove_override";
      overrideId: string;
      templates: TemplateBlock[];
    }
  | {
      kind: "add_template";
      locationId: string;
      zone: string;
      weekday: number;
      startTime: string;
      endTime: string;
      effectiveFrom: string;
      effectiveTo: string | null;
    };

/** A weekly template block with its location's zone, enough to lay it out on any date. */
export interface TemplateBlock {
  id: string;
  locationId: string;
  zone: string;
  weekday: number;
  startTime: string;
  endTime: string;
  effectiveFrom: string;
  effectiveTo: string | null;
}

const STILL_COMING = new Set<string | null>(["held", "booked", "checked_in", null]);

const span = (b: PlannedBlock): Span => ({
  locationId: b.locationId,
  date: b.date,
  start: Date.parse(b.start),
  end: Date.parse(b.end),
  source: b.source,
  sourceId: b.sourceId,
});

function* dates(from: string, to: string): Generator<string> {
  for (let d = from; d <= to; d = addDays(d, 1)) yield d;
}

/** The planned blocks after the change, over the dates `from`..`to`. */
export function applyChange(
  blocks: PlannedBlock[],
  change: ScheduleChange,
  from: string,
  to: string,
): Span[] {
  const spans = blocks.map(span);
  switch (change.kind) {
    case "time_off": {
      const s = Date.parse(change.startsAt);
      const e = Date.parse(change.endsAt);
      return spans.flatMap((b) => {
        if (b.end <= s || b.start >= e) return [b];
        const parts: Span[] = [];
        if (b.start < s) parts.push({ ...b, end: s });
        if (b.end > e) parts.push({ ...b, start: e });
        return parts;
      });
    }
    case "remove_template":
      return spans.filter((b) => b.sourceId !== change.templateId);
    case "remove_override": {
      const freed = new Set(spans.filter((b) => b.sourceId === change.overrideId).map((b) => b.date));
      const kept = spans.filter((b) => b.sourceId !== change.overrideId);
      // a day another override still covers keeps that override instead of the templates
      const stillOverridden = new Set(kept.filter((b) => b.source !== "template").map((b) => b.date));
      const back = [...freed]
        .filter((d) => !stillOverridden.has(d))
        .flatMap((d) =>
          change.templates
            .filter(
              (t) =>
                t.weekday === weekdayOf(d) &&
                t.effectiveFrom <= d &&
                (t.effectiveTo === null || d <= t.effectiveTo),
            )
            .map(
              (t): Span => ({
                locationId: t.locationId,
                date: d,
                start: Date.parse(zonedInstant(d, t.startTime, t.zone)),
                end: Date.parse(zonedInstant(d, t.endTime, t.zone)),
                source: "preview",
                sourceId: "preview",
              }),
            ),
        );
      return [...kept, ...back];
    }
    case "override": {
      const days = new Set(
        [
          ...dates(
            change.startDate < from ? from : change.startDate,
            change.endDate > to ? to : change.endDate,
          ),
        ].filter((d) => change.weekdays.includes(weekdayOf(d))),
      );
      const kept = spans.filter((b) => !(days.has(b.date) && b.source === "template"));
      const added = [...days].map(
        (d): Span => ({
          locationId: change.locationId,
          date: d,
          start: Date.parse(zonedInstant(d, change.startTime, change.zone)),
          end: Date.parse(zonedInstant(d, change.endTime, change.zone)),
          source: "preview",
          sourceId: "preview",
        }),
      );
      return [...kept, ...added];
    }
    case "add_template": {
      const overridden = new Set(spans.filter((b) => b.source !== "template").map((b) => b.date));
      const last = change.effectiveTo ? earlierDate(change.effectiveTo, to) : to;
      const first = laterDate(change.effectiveFrom, from);
      const added = [...dates(first, last)]
        .filter((d) => weekdayOf(d) === change.weekday && !overridden.has(d))
        .map(
          (d): Span => ({
            locationId: change.locationId,
            date: d,
            start: Date.parse(zonedInstant(d, change.startTime, change.zone)),
            end: Date.parse(zonedInstant(d, change.endTime, change.zone)),
            source: "preview",
            sourceId: "preview",
          }),
        );
      return [...spans, ...added];
    }
  }
}

const covered = (spans: Span[], a: AppointmentEntry): boolean => {
  const s = Date.parse(a.start);
  const e = Date.parse(a.end);
  return spans.some((b) => b.locationId === a.locationId && b.start <= s && e <= b.end);
};

/** Appointments still to come that the change would leave without a working block. */
export function affectedAppointments(
  entries: ScheduleEntry[],
  blocks: PlannedBlock[],
  change: ScheduleChange,
  from: string,
  to: string,
  now: number = Date.now(),
): AppointmentEntry[] {
  const before = blocks.map(span);
  const after = applyChange(blocks, change, from, to);
  return entries.filter(
    (e): e is AppointmentEntry =>
      e.kind === "appointment" &&
      STILL_COMING.has(e.status) &&
      Date.parse(e.start) > now &&
      e.local.date >= from &&
      e.local.date <= to &&
      (change.kind === "time_off"
        ? Date.parse(e.start) < Date.parse(change.endsAt) && Date.parse(e.end) > Date.parse(change.startsAt)
        : covered(before, e) && !covered(after, e)),
  );
}

/** The blocks the change adds, to draw on the calendar before saving. */
export function previewBlocks(blocks: PlannedBlock[], change: ScheduleChange, from: string, to: string) {
  return applyChange(blocks, change, from, to)
    .filter((b) => b.source === "preview")
    .map((b) => ({
      locationId: b.locationId,
      start: new Date(b.start).toISOString(),
      end: new Date(b.end).toISOString(),
    }));
}
