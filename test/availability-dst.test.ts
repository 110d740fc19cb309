import { describe, expect, it } from "vitest";
import { findOptions } from "../src/services/scheduling/availability/engine.js";
import { localBlock, localLabel } from "../src/services/scheduling/availability/intervals.js";
import type { AvailabilityInput, SlotOption } from "../src/services/scheduling/availability/types.js";

const DAY = 86_400_000;
const EVERY_DAY = [1, 2, 3, 4, 5, 6, 7];

/**
 * One physician in one clinic of `timeZone` with a block from the local template on `date`; a
 * 15-minute visit on a 15-minute grid. The clinic's own opening hours default to the same template.
 */
function clinicDay(
  date: string,
  timeZone: string,
  template: { start: string; end: string },
  opening: { opens: string; closes: string }[] = [{ opens: template.start, closes: template.end }],
): AvailabilityInput {
  const block = localBlock(date, template.start, template.end, timeZone);
  return {
    now: block.start - 10 * DAY,
    from: block.start - 2 * DAY,
    to: block.end + 2 * DAY,
    appointmentType: {
      id: "consult",
      durationMinutes: 15,
      slotIntervalMinutes: 15,
      roomKind: null,
      equipmentKinds: [],
      telehealthAllowed: false,
      visitKind: "procedure",
    },
    physicians: [{ id: "dr-a", languages: ["en"], offersTelehealth: false, acceptsNewPatients: true }],
    blocks: [{ physicianId: "dr-a", locationId: "clinic", ...block, appointmentTypeIds: [] }],
    physicianCommitments: new Map(),
    locations: new Map([
      [
        "clinic",
        {
          id: "clinic",
          kind: "outpatient_clinic",
          timeZone,
          latitude: 40,
          longitude: -74,
          openingHours: EVERY_DAY.flatMap((weekday) => opening.map((h) => ({ weekday, ...h }))),
        },
      ],
    ]),
    rooms: [],
    equipment: [],
    travelMinutes: () => 0,
    rules: { minNoticeMinutes: 0, horizonDays: 60 },
    patient: null,
    telehealth: false,
    stepFree: false,
    language: null,
    limit: Number.POSITIVE_INFINITY,
  };
}

/** The slots in time order, with how they read on the clinic's wall. */
function slots(input: AvailabilityInput): (SlotOption & { label: ReturnType<typeof localLabel> })[] {
  const zone = input.locations.get("clinic")!.timeZone;
  return findOptions(input)
    .sort((a, b) => a.start - b.start)
    .map((o) => ({ ...o, label: localLabel(o.start, zone) }));
}

const morning = { start: "08:00", end: "12:00" };
const changeDays = [
  {
    city: "New York",
    zone: "America/New_York",
    change: "spring-forward",
    date: "2026-03-08",
    normal: "2026-03-01",
  },
  {
    city: "New York",
    zone: "America/New_York",
    change: "fall-back",
    date: "2026-11-01",
    normal: "2026-10-25",
  },
  {
    city: "Chicago",
    zone: "America/Chicago",
    change: "spring-forward",
    date: "2026-03-08",
    normal: "2026-03-01",
  },
  { city: "Chicago", zone: "America/Chicago", change: "fall-back", date: "2026-11-01", normal: "2026-10-25" },
  {
    city: "London",
    zone: "Europe/London",
    change: "spring-forward",
    date: "2026-03-29",
    normal: "2026-03-22",
  },
  { city: "London", zone: "Europe/London", change: "fall-back", date: "2026-10-25", normal: "2026-10-18" },
];

describe("a morning clinic across daylight-saving changes", () => {
  for (const { city, zone, change, date, normal } of changeDays) {
    it(`an 08:00-12:00 clinic in ${city} offers its first slot at 08:00 local on ${change} day (${date})`, () => {
      const today = slots(clinicDay(date, zone, morning));
      const usual = slots(clinicDay(normal, zone, morning));
      expect(usual).toHaveLength(16);
      expect(today).toHaveLength(usual.length);
      expect(today[0]?.label).toMatchObject({ date, time: "08:00" });
      expect(today.at(-1)?.label).toMatchObject({ date, time: "11:45" });
      expect(today.map((s) => s.label.time)).toEqual(usual.map((s) => s.label.time));
      expect(new Set(today.map((s) => s.start)).size).toBe(today.length);
      expect(new Set(today.map((s) => s.label.time)).size).toBe(today.length);
    });
  }
});

describe("slots inside the hour the clocks change in New York", () => {
  const zone = "America/New_York";
  const small = { start: "01:00", end: "03:00" };

  it("a 01:00-03:00 block on spring-forward day offers only times that exist: nothing from 02:00 to 03:00", () => {
    const today = slots(clinicDay("2026-03-08", zone, small, []));
    expect(today.map((s) => s.label.time)).toEqual(["01:00", "01:15", "01:30", "01:45"]);
    expect(today.every((s) => s.label.offset === "-05:00")).toBe(true);
  });

  it("a 01:00-03:00 block on fall-back day offers the repeated 01:00-02:00 hour twice, as distinct instants", () => {
    const today = slots(clinicDay("2026-11-01", zone, small, []));
    expect(today).toHaveLength(12);
    expect(new Set(today.map((s) => s.start)).size).toBe(12);
    expect(today.map((s) => `${s.label.time}${s.label.offset}`)).toEqual([
      "01:00-04:00",
      "01:15-04:00",
      "01:30-04:00",
      "01:45-04:00",
      "01:00-05:00",
      "01:15-05:00",
      "01:30-05:00",
      "01:45-05:00",
      "02:00-05:00",
      "02:15-05:00",
      "02:30-05:00",
      "02:45-05:00",
    ]);
    for (let i = 1; i < today.length; i++) expect(today[i]!.start - today[i - 1]!.start).toBe(15 * 60_000);
  });

  it("opening hours that begin inside the skipped hour open when the clock reaches 03:00", () => {
    const today = slots(
      clinicDay("2026-03-08", zone, { start: "00:00", end: "05:00" }, [{ opens: "02:30", closes: "04:00" }]),
    );
    expect(today.map((s) => s.label.time)).toEqual(["03:00", "03:15", "03:30", "03:45"]);
  });

  it("opening hours that begin in the repeated hour open at its first occurrence", () => {
    const today = slots(
      clinicDay("2026-11-01", zone, { start: "00:00", end: "05:00" }, [{ opens: "01:30", closes: "02:30" }]),
    );
    // 01:30 EDT until 02:30 EST is two hours of real time
    expect(today).toHaveLength(8);
    expect(today[0]?.label).toEqual({ date: "2026-11-01", time: "01:30", offset: "-04:00" });
    expect(today.at(-1)?.label).toEqual({ date: "2026-11-01", time: "02:15", offset: "-05:00" });
  });

  it("London's clocks change at 01:00, and its clinics stay right on both days", () => {
    const spring = slots(clinicDay("2026-03-29", "Europe/London", { start: "00:00", end: "03:00" }, []));
    expect(spring.map((s) => s.label.time).filter((t) => t >= "01:00" && t < "02:00")).toEqual([]);
    expect(spring).toHaveLength(8);
    const autumn = slots(clinicDay("2026-10-25", "Europe/London", { start: "00:00", end: "03:00" }, []));
    expect(autumn).toHaveLength(16);
    expect(new Set(autumn.map((s) => s.start)).size).toBe(16);
  });
});

describe("local labels", () => {
  it("an instant reads as the clinic's date, time and UTC offset", () => {
    expect(localLabel(Date.parse("2026-01-15T13:30:00Z"), "America/New_York")).toEqual({
      date: "2026-01-15",
      time: "08:30",
      offset: "-05:00",
    });
    expect(localLabel(Date.parse("2026-07-01T03:30:00Z"), "America/Chicago")).toEqual({
      date: "2026-06-30",
      time: "22:30",
      offset: "-05:00",
    });
    expect(localLabel(Date.parse("2026-07-01T12:00:00Z"), "Europe/London").offset).toBe("+01:00");
  });
});
