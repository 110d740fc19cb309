/**
 * The department head's preview of a schedule change (web/src/shared/preview.ts), computed in the
 * browser before anything is saved: which booked appointments the change would leave outside the
 * physician's working time, and which new blocks it would draw on the calendar. Pure functions,
 * no database.
 *
 * The physician works Mondays and Tuesdays 09:00–17:00 at the General (Toronto, UTC-5 in
 * winter); 4 January 2027 is a Monday.
 */
import { describe, expect, it } from "vitest";
import {
  affectedAppointments,
  type PlannedBlock,
  previewBlocks,
  type ScheduleChange,
  type TemplateBlock,
} from "../web/src/shared/preview.js";
import type { ScheduleEntry } from "../web/src/shared/types.js";

const ZONE = "America/Toronto";
const GENERAL = "00000000-0000-4000-8000-00000000000a";
const NORTH = "00000000-0000-4000-8000-00000000000b";
const MONDAY_TEMPLATE = "00000000-0000-4000-8000-0000000000a1";
const TUESDAY_TEMPLATE = "00000000-0000-4000-8000-0000000000a2";
const ROTATION = "00000000-0000-4000-8000-0000000000b1";

const FROM = "2027-01-04";
const TO = "2027-01-17";
/** Sunday 3 January 2027, before every appointment below. */
const NOW = Date.parse("2027-01-03T12:00:00Z");

/** A winter working block, given in Toronto wall-clock hours (UTC-5). */
function block(
  date: string,
  opens: number,
  closes: number,
  source: PlannedBlock["source"] = "template",
  sourceId = MONDAY_TEMPLATE,
  locationId = GENERAL,
): PlannedBlock {
  const at = (h: number) => new Date(Date.parse(`${date}T00:00:00Z`) + (h + 5) * 3_600_000).toISOString();
  const hhmm = (h: number) => `${String(h).padStart(2, "0")}:00`;
  return {
    locationId,
    date,
    startLocal: hhmm(opens),
    endLocal: hhmm(closes),
    start: at(opens),
    end: at(closes),
    timeZone: ZONE,
    source,
    sourceId,
    appointmentTypeIds: [],
    onSite: false,
  };
}

let n = 0;
/** A 30-minute appointment at `hour` Toronto time. */
function appointment(
  date: string,
  hour: number,
  status: string | null = "booked",
  locationId = GENERAL,
): Extract<ScheduleEntry, { kind: "appointment" }> {
  n += 1;
  const start = Date.parse(`${date}T00:00:00Z`) + (hour + 5) * 3_600_000;
  return {
    kind: "appointment",
    id: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
    locationId,
    locationName: locationId === GENERAL ? "General" : "North",
    start: new Date(start).toISOString(),
    end: new Date(start + 30 * 60_000).toISOString(),
    local: { date, time: `${String(hour).padStart(2, "0")}:00`, offset: "-05:00", timeZone: ZONE },
    status,
    patientId: null,
    appointmentTypeId: null,
    equipment: [],
  };
}

/** Two weeks of the template: Mondays 4 and 11, Tuesdays 5 and 12 January. */
const templateWeeks: PlannedBlock[] = [
  block("2027-01-04", 9, 17),
  block("2027-01-05", 9, 17, "template", TUESDAY_TEMPLATE),
  block("2027-01-11", 9, 17),
  block("2027-01-12", 9, 17, "template", TUESDAY_TEMPLATE),
];

const mondayTemplate: TemplateBlock = {
  id: MONDAY_TEMPLATE,
  locationId: GENERAL,
  zone: ZONE,
  weekday: 1,
  startTime: "09:00",
  endTime: "17:00",
  effectiveFrom: "2026-01-01",
  effectiveTo: null,
};

const firstMonday = appointment("2027-01-04", 10);
const secondMonday = appointment("2027-01-11", 10);
const secondTuesday = appointment("2027-01-12", 10);
const entries: ScheduleEntry[] = [firstMonday, secondMonday, secondTuesday];

const affected = (change: ScheduleChange, list: ScheduleEntry[] = entries, blocks = templateWeeks) =>
  affectedAppointments(list, blocks, change, FROM, TO, NOW).map((a) => a.id);

const mondaysToNorth = (startDate: string, endDate: string): ScheduleChange => ({
  kind: "override",
  locationId: NORTH,
  zone: ZONE,
  startDate,
  endDate,
  weekdays: [1],
  startTime: "09:00",
  endTime: "17:00",
});

describe("moving a weekday to another location", () => {
  it("lists the Monday appointments at the old location from the day the move starts, and no Tuesday ones", () => {
    expect(affected(mondaysToNorth("2027-01-11", "2027-03-31"))).toEqual([secondMonday.id]);
  });

  it("lists every Monday appointment at the old location when the move covers the whole range", () => {
    expect(affected(mondaysToNorth("2027-01-01", "2027-03-31"))).toEqual([firstMonday.id, secondMonday.id]);
  });

  it("does not list cancelled appointments or ones that have already happened", () => {
    const cancelled = appointment("2027-01-11", 11, "cancelled");
    const done = appointment("2027-01-11", 12, "completed");
    const list = [cancelled, done, secondMonday];
    const later = Date.parse("2027-01-11T16:00:00Z"); // 11:00 in Toronto, after the 10:00 visit
    expect(affectedAppointments(list, templateWeeks, mondaysToNorth(FROM, TO), FROM, TO, later)).toEqual([]);
    expect(affected(mondaysToNorth(FROM, TO), list)).toEqual([secondMonday.id]);
  });

  it("does not list appointments outside the previewed dates", () => {
    const beyond = appointment("2027-01-18", 10);
    expect(affected(mondaysToNorth(FROM, "2027-03-31"), [beyond, firstMonday])).toEqual([firstMonday.id]);
  });

  it("draws the new Monday blocks at the new location, at 09:00 on its clock on both sides of the spring change", () => {
    const drawn = previewBlocks([], mondaysToNorth("2027-03-08", "2027-03-15"), "2027-03-01", "2027-03-21");
    expect(drawn).toEqual([
      { locationId: NORTH, start: "2027-03-08T14:00:00.000Z", end: "2027-03-08T22:00:00.000Z" },
      { locationId: NORTH, start: "2027-03-15T13:00:00.000Z", end: "2027-03-15T21:00:00.000Z" },
    ]);
  });
});

describe("changing the weekly template", () => {
  it("removing the Monday template lists every coming Monday appointment and no Tuesday one", () => {
    expect(affected({ kind: "remove_template", templateId: MONDAY_TEMPLATE })).toEqual([
      firstMonday.id,
      secondMonday.id,
    ]);
  });

  it("adding a template block leaves every booked appointment where it is", () => {
    const change: ScheduleChange = {
      kind: "add_template",
      locationId: NORTH,
      zone: ZONE,
      weekday: 3,
      startTime: "08:00",
      endTime: "12:00",
      effectiveFrom: "2027-01-01",
      effectiveTo: null,
    };
    expect(affected(change)).toEqual([]);
  });

  it("adding a Wednesday block draws it only on Wednesdays from its first day, not on a day a rotation holds", () => {
    const rotationWednesday = block("2027-01-13", 9, 17, "rotation", ROTATION, NORTH);
    const change: ScheduleChange = {
      kind: "add_template",
      locationId: GENERAL,
      zone: ZONE,
      weekday: 3,
      startTime: "08:00",
      endTime: "12:00",
      effectiveFrom: "2027-01-06",
      effectiveTo: null,
    };
    expect(previewBlocks([...templateWeeks, rotationWednesday], change, FROM, TO)).toEqual([
      { locationId: GENERAL, start: "2027-01-06T13:00:00.000Z", end: "2027-01-06T17:00:00.000Z" },
    ]);
  });
});

describe("rotations and time off", () => {
  it("ending a rotation brings the Monday template back, so only the rotation's own appointments are listed", () => {
    const rotationMonday = block("2027-01-11", 9, 17, "rotation", ROTATION, NORTH);
    const blocks = [templateWeeks[0]!, templateWeeks[1]!, rotationMonday, templateWeeks[3]!];
    const atNorth = appointment("2027-01-11", 10, "booked", NORTH);
    const change: ScheduleChange = {
      kind: "remove_override",
      overrideId: ROTATION,
      templates: [mondayTemplate],
    };
    expect(affected(change, [firstMonday, atNorth], blocks)).toEqual([atNorth.id]);
    expect(previewBlocks(blocks, change, FROM, TO)).toEqual([
      { locationId: GENERAL, start: "2027-01-11T14:00:00.000Z", end: "2027-01-11T22:00:00.000Z" },
    ]);
  });

  it("time off lists the appointments it overlaps and none outside it", () => {
    const change: ScheduleChange = {
      kind: "time_off",
      startsAt: "2027-01-11T14:00:00.000Z",
      endsAt: "2027-01-11T16:00:00.000Z",
    };
    const afternoon = appointment("2027-01-11", 14);
    expect(affected(change, [...entries, afternoon])).toEqual([secondMonday.id]);
  });
});
