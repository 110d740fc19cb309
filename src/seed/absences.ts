/**
 * What changes the weekly pattern, placed relative to today so the demo always has some ahead:
 * rotations (outreach at another site), time off, and temporary assignments covering a colleague
 * who is away.
 */
import { Temporal } from "temporal-polyfill";
import type { Site } from "./network.js";
import { type Clinician, withinReach } from "./physicians.js";
import type { Random } from "./random.js";
import type { AssignmentOverrideRow, TimeOffRow } from "./tables.js";

type PlainDate = Temporal.PlainDate;

/** The Monday after `today` (a week ahead when today is a Monday). */
export function nextMonday(today: PlainDate): PlainDate {
  return today.add({ days: 8 - today.dayOfWeek });
}

/** Local midnight (or a given wall-clock time) of `date` at `timeZone`, as an ISO instant. */
function instant(date: PlainDate, timeZone: string, time = "00:00"): string {
  return date
    .toZonedDateTime({ timeZone, plainTime: Temporal.PlainTime.from(time) })
    .toInstant()
    .toString();
}

/** Rotation shapes: first day relative to next Monday, length in days, weekdays worked. */
const ROTATIONS = [
  { offset: 0, days: 12, weekdays: [1, 2, 3, 4, 5], label: "two-week outreach" },
  { offset: 7, days: 12, weekdays: [2, 4], label: "two-week outreach (Tuesdays and Thursdays)" },
  { offset: -7, days: 12, weekdays: [1, 3, 5], label: "outreach rotation" },
  { offset: 28, days: 26, weekdays: [3], label: "four-week Wednesday rotation" },
];
const LEAVE_REASONS = ["Annual leave", "Conference", "CME course", "Family leave", "Personal day"];

export interface Absences {
  overrides: AssignmentOverrideRow[];
  timeOff: TimeOffRow[];
}

export function planAbsences(
  rng: Random,
  clinicians: Clinician[],
  sites: Site[],
  todayIso: string,
): Absences {
  const today = Temporal.PlainDate.from(todayIso);
  const monday = nextMonday(today);
  const firstOfNextMonth = today.with({ day: 1 }).add({ months: 1 });
  const overrides: AssignmentOverrideRow[] = [];
  const timeOff: TimeOffRow[] = [];
  const busy = new Set<Clinician>();
  const order = rng.shuffle(clinicians);
  const count = clinicians.length;

  // Rotations: outreach at a clinic or satellite the physician does not normally work at.
  const rotations = Math.max(4, Math.round(count * 0.02));
  for (const c of order) {
    if (overrides.length >= rotations) break;
    const targets = sites.filter(
      (s) =>
        (s.row.kind === "outpatient_clinic" || s.row.kind === "satellite") &&
        !c.sites.includes(s) &&
        s.departments.has(c.row.primary_specialty) &&
        withinReach(c.home, s),
    );
    if (!targets.length) continue;
    const target = rng.pick(targets);
    const shape = ROTATIONS[overrides.length % ROTATIONS.length]!;
    const start = monday.add({ days: shape.offset });
    const town = target.row.city ?? target.row.name;
    overrides.push({
      id: rng.uuid(),
      physician_id: c.row.id,
      location_id: target.row.id,
      kind: "rotation",
      rotation_name: `${town} ${shape.offset === 28 ? "community rotation" : "outreach"}`,
      start_date: start.toString(),
      end_date: start.add({ days: shape.days - 1 }).toString(),
      weekdays: shape.weekdays,
      start_time: "08:00",
      end_time: "16:00",
      appointment_type_ids: [],
      reason: `${shape.label[0]!.toUpperCase()}${shape.label.slice(1)} at ${target.row.name}`,
    });
    busy.add(c);
  }

  // Time off: most of it next month, some in the coming three weeks.
  const away: Array<{ c: Clinician; from: PlainDate; days: number }> = [];
  const leaveCount = Math.max(8, Math.round(count * 0.14));
  for (const c of order) {
    if (timeOff.length >= leaveCount) break;
    if (busy.has(c)) continue;
    let from = rng.chance(0.75)
      ? firstOfNextMonth.add({ days: rng.int(0, 20) })
      : today.add({ days: rng.int(3, 20) });
    if (from.dayOfWeek > 5) from = from.add({ days: 8 - from.dayOfWeek });
    const tz = c.home.row.time_zone;
    const approved = rng.chance(0.85);
    const halfDay = rng.chance(0.1);
    const days = rng.pick([1, 2, 3, 5, 7]);
    timeOff.push({
      id: rng.uuid(),
      physician_id: c.row.id,
      starts_at: instant(from, tz, halfDay ? "12:00" : "00:00"),
      ends_at: halfDay ? instant(from, tz, "17:00") : instant(from.add({ days }), tz),
      reason: halfDay ? "Afternoon off" : rng.pick(LEAVE_REASONS),
      status: approved ? "approved" : "requested",
    });
    busy.add(c);
    if (approved && !halfDay) away.push({ c, from, days });
  }

  // Temporary assignments: a colleague of the same specialty covers the absent physician's home.
  const coverCount = Math.max(3, Math.round(count * 0.015));
  let covers = 0;
  for (const { c, from, days } of away) {
    if (covers >= coverCount) break;
    const colleague = order.find(
      (o) =>
        !busy.has(o) &&
        o.row.primary_specialty === c.row.primary_specialty &&
        o.home !== c.home &&
        withinReach(o.home, c.home),
    );
    if (!colleague) continue;
    const dates = Array.from({ length: days }, (_, i) => from.add({ days: i }));
    const weekdays = [...new Set(dates.map((d) => d.dayOfWeek).filter((d) => d <= 5))].sort((a, b) => a - b);
    if (!weekdays.length) continue;
    overrides.push({
      id: rng.uuid(),
      physician_id: colleague.row.id,
      location_id: c.home.row.id,
      kind: "temporary",
      rotation_name: null,
      start_date: from.toString(),
      end_date: dates[dates.length - 1]!.toString(),
      weekdays,
      start_time: "08:00",
      end_time: "17:00",
      appointment_type_ids: [],
      reason: `Covering for Dr. ${c.row.family_name} during time off`,
    });
    busy.add(colleague);
    covers++;
  }
  return { overrides, timeOff };
}
