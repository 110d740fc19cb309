import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { Temporal } from "temporal-polyfill";
import { describe, expect, it } from "vitest";
import {
  type Absence,
  expandAssignments,
  type OverrideRule,
  overridesClash,
  type TemplateRule,
} from "../src/services/physicians/index.js";

const CLINIC = "00000000-0000-4000-8000-00000000000a";
const OTHER = "00000000-0000-4000-8000-00000000000b";

function template(over: Partial<TemplateRule> = {}): TemplateRule {
  return {
    id: randomUUID(),
    locationId: CLINIC,
    weekday: 1,
    startTime: "08:00",
    endTime: "12:00",
    effectiveFrom: "2026-01-01",
    effectiveTo: null,
    appointmentTypeIds: [],
    ...over,
  };
}

function expand(
  zone: string,
  from: string,
  to: string,
  templates: TemplateRule[],
  opts: { overrides?: OverrideRule[]; timeOff?: Absence[]; zones?: Map<string, string> } = {},
) {
  return expandAssignments({
    from,
    to,
    templates,
    overrides: opts.overrides ?? [],
    timeOff: opts.timeOff ?? [],
    timeZones: opts.zones ?? new Map([[CLINIC, zone]]),
  });
}

const hours = (b: { start: string; end: string }) => (Date.parse(b.end) - Date.parse(b.start)) / 3_600_000;

/** A weekly template on every day, so any date in a test has a block. */
const everyDay = (startTime: string, endTime: string) =>
  [1, 2, 3, 4, 5, 6, 7].map((weekday) => template({ weekday, startTime, endTime }));

describe("daylight saving time in New York and Chicago", () => {
  it("in New York a morning clinic starts at 08:00 local on the day the clocks spring forward (2026-03-08)", () => {
    const blocks = expand("America/New_York", "2026-03-07", "2026-03-08", everyDay("08:00", "12:00"));
    expect(blocks.map((b) => [b.date, b.startLocal, b.start, b.end])).toEqual([
      ["2026-03-07", "08:00", "2026-03-07T13:00:00.000Z", "2026-03-07T17:00:00.000Z"],
      ["2026-03-08", "08:00", "2026-03-08T12:00:00.000Z", "2026-03-08T16:00:00.000Z"],
    ]);
    expect(blocks.map(hours)).toEqual([4, 4]);
  });

  it("in New York a morning clinic starts at 08:00 local on the day the clocks fall back (2026-11-01)", () => {
    const blocks = expand("America/New_York", "2026-10-31", "2026-11-01", everyDay("08:00", "12:00"));
    expect(blocks.map((b) => [b.date, b.startLocal, b.start, b.end])).toEqual([
      ["2026-10-31", "08:00", "2026-10-31T12:00:00.000Z", "2026-10-31T16:00:00.000Z"],
      ["2026-11-01", "08:00", "2026-11-01T13:00:00.000Z", "2026-11-01T17:00:00.000Z"],
    ]);
  });

  it("in Chicago a morning clinic starts at 08:00 local on the day the clocks spring forward (2026-03-08)", () => {
    const blocks = expand("America/Chicago", "2026-03-07", "2026-03-08", everyDay("08:00", "12:00"));
    expect(blocks.map((b) => [b.startLocal, b.start])).toEqual([
      ["08:00", "2026-03-07T14:00:00.000Z"],
      ["08:00", "2026-03-08T13:00:00.000Z"],
    ]);
    expect(blocks.every((b) => b.timeZone === "America/Chicago")).toBe(true);
  });

  it("in Chicago a morning clinic starts at 08:00 local on the day the clocks fall back (2026-11-01)", () => {
    const blocks = expand("America/Chicago", "2026-10-31", "2026-11-01", everyDay("08:00", "12:00"));
    expect(blocks.map((b) => [b.startLocal, b.start])).toEqual([
      ["08:00", "2026-10-31T13:00:00.000Z"],
      ["08:00", "2026-11-01T14:00:00.000Z"],
    ]);
  });

  it("a 01:00-03:00 night block on the fall-back day is three real hours in New York and Chicago", () => {
    const ny = expand("America/New_York", "2026-11-01", "2026-11-01", everyDay("01:00", "03:00"));
    expect(ny.map((b) => [b.start, b.end])).toEqual([
      ["2026-11-01T05:00:00.000Z", "2026-11-01T08:00:00.000Z"],
    ]);
    const chicago = expand("America/Chicago", "2026-11-01", "2026-11-01", everyDay("01:00", "03:00"));
    expect(chicago.map(hours)).toEqual([3]);
  });

  it("a midnight-to-04:00 block on the fall-back day is five real hours", () => {
    const [block] = expand("America/New_York", "2026-11-01", "2026-11-01", everyDay("00:00", "04:00"));
    expect(hours(block!)).toBe(5);
    expect([block!.startLocal, block!.endLocal]).toEqual(["00:00", "04:00"]);
  });

  it("on the spring-forward day a block through the missing hour keeps only the time that exists", () => {
    const [night] = expand("America/New_York", "2026-03-08", "2026-03-08", everyDay("01:00", "03:00"));
    expect(hours(night!)).toBe(1);
    expect([night!.startLocal, night!.endLocal]).toEqual(["01:00", "03:00"]);

    const [late] = expand("America/New_York", "2026-03-08", "2026-03-08", everyDay("02:30", "04:00"));
    expect([late!.startLocal, late!.endLocal, hours(late!)]).toEqual(["03:00", "04:00", 1]);

    // 02:00-03:00 never shows on the clock that night, so there is nothing to work
    expect(expand("America/New_York", "2026-03-08", "2026-03-08", everyDay("02:00", "03:00"))).toEqual([]);
  });
});

describe("templates, rotations and time off", () => {
  it("a rotation replaces the weekly templates on its dates and weekdays only", () => {
    const monday = template({ weekday: 1 });
    const rotation: OverrideRule = {
      id: "00000000-0000-4000-8000-0000000000f1",
      locationId: OTHER,
      kind: "rotation",
      startDate: "2026-06-08",
      endDate: "2026-06-12",
      weekdays: [1, 2],
      startTime: "13:00",
      endTime: "17:00",
      appointmentTypeIds: [],
    };
    const zones = new Map([
      [CLINIC, "America/New_York"],
      [OTHER, "America/New_York"],
    ]);
    const blocks = expand("America/New_York", "2026-06-01", "2026-06-15", [monday], {
      overrides: [rotation],
      zones,
    });
    expect(blocks.map((b) => [b.date, b.source, b.locationId, b.startLocal])).toEqual([
      ["2026-06-01", "template", CLINIC, "08:00"],
      ["2026-06-08", "rotation", OTHER, "13:00"],
      ["2026-06-09", "rotation", OTHER, "13:00"],
      ["2026-06-15", "template", CLINIC, "08:00"],
    ]);
  });

  it("time off in the middle of a clinic leaves the hours before and after it", () => {
    const blocks = expand("America/New_York", "2026-06-01", "2026-06-01", [template({ weekday: 1 })], {
      timeOff: [{ startsAt: "2026-06-01T09:00:00-04:00", endsAt: "2026-06-01T10:30:00-04:00" }],
    });
    expect(blocks.map((b) => [b.startLocal, b.endLocal])).toEqual([
      ["08:00", "09:00"],
      ["10:30", "12:00"],
    ]);
  });

  it("templates outside their effective dates do not produce blocks", () => {
    const ended = template({ weekday: 1, effectiveFrom: "2026-01-01", effectiveTo: "2026-06-07" });
    const starts = template({
      weekday: 1,
      effectiveFrom: "2026-06-15",
      startTime: "13:00",
      endTime: "15:00",
    });
    const blocks = expand("America/New_York", "2026-06-01", "2026-06-15", [ended, starts]);
    expect(blocks.map((b) => [b.date, b.startLocal])).toEqual([
      ["2026-06-01", "08:00"],
      ["2026-06-15", "13:00"],
    ]);
  });

  it("a physician is never planned in two places at once even when clinics are in different time zones", () => {
    // 08:00-12:00 in New York and 09:00-13:00 in Chicago are the same hours on the clock's wall only
    const zones = new Map([
      [CLINIC, "America/New_York"],
      [OTHER, "America/Chicago"],
    ]);
    const blocks = expand(
      "America/New_York",
      "2026-06-01",
      "2026-06-01",
      [
        template({ weekday: 1 }),
        template({ weekday: 1, locationId: OTHER, startTime: "09:00", endTime: "13:00" }),
      ],
      { zones },
    );
    expect(blocks.map((b) => [b.locationId, b.start, b.end])).toEqual([
      [CLINIC, "2026-06-01T12:00:00.000Z", "2026-06-01T16:00:00.000Z"],
      [OTHER, "2026-06-01T16:00:00.000Z", "2026-06-01T18:00:00.000Z"],
    ]);
  });

  it("two assignments clash only when a shared weekday falls on a shared date at overlapping hours", () => {
    const a = {
      startDate: "2026-03-02",
      endDate: "2026-03-03",
      weekdays: [1],
      startTime: "08:00",
      endTime: "12:00",
    };
    // the only shared date is Tuesday 3 March, and a works Mondays only
    expect(
      overridesClash(a, { ...a, startDate: "2026-03-03", endDate: "2026-03-06", weekdays: [1, 2] }),
    ).toBe(false);
    expect(overridesClash(a, { ...a, startDate: "2026-03-02", endDate: "2026-03-30", weekdays: [1] })).toBe(
      true,
    );
    expect(overridesClash(a, { ...a, weekdays: [1], startTime: "12:00", endTime: "13:00" })).toBe(false);
  });
});

const ZONES = [
  "America/New_York",
  "America/Chicago",
  "Europe/London",
  "Australia/Lord_Howe",
  "Asia/Kolkata",
  "UTC",
];
const LOCATIONS = [CLINIC, OTHER, "00000000-0000-4000-8000-00000000000c"];
const hhmm = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
// Days when New York, Chicago, London or Lord Howe Island change their clocks, to hit them often.
const CLOCK_CHANGES = ["2026-03-08", "2026-03-29", "2026-04-05", "2026-10-04", "2026-10-25", "2026-11-01"];
const day = fc.oneof(
  fc
    .integer({ min: 0, max: 400 })
    .map((n) => Temporal.PlainDate.from("2026-01-01").add({ days: n }).toString()),
  fc.constantFrom(...CLOCK_CHANGES),
);
// Night minutes and the edges of clock changes (01:00, 01:30, 02:00, 02:30, 03:00) come up often.
const minute = fc.oneof(
  fc.integer({ min: 0, max: 1439 }),
  fc.integer({ min: 0, max: 240 }),
  fc.constantFrom(60, 90, 120, 150, 180),
);
const times = fc
  .tuple(minute, minute)
  .filter(([a, b]) => a !== b)
  .map(([a, b]) => ({ startTime: hhmm(Math.min(a, b)), endTime: hhmm(Math.max(a, b)) }));
const ruleId = fc.uuid();

const templateArb = fc
  .record({
    id: ruleId,
    locationId: fc.constantFrom(...LOCATIONS),
    weekday: fc.integer({ min: 1, max: 7 }),
    times,
    effectiveFrom: day,
    open: fc.boolean(),
    days: fc.integer({ min: 0, max: 200 }),
  })
  .map(
    (t): TemplateRule => ({
      id: t.id,
      locationId: t.locationId,
      weekday: t.weekday,
      ...t.times,
      effectiveFrom: t.effectiveFrom,
      effectiveTo: t.open ? null : Temporal.PlainDate.from(t.effectiveFrom).add({ days: t.days }).toString(),
      appointmentTypeIds: [],
    }),
  );

const overrideArb = fc
  .record({
    id: ruleId,
    locationId: fc.constantFrom(...LOCATIONS),
    kind: fc.constantFrom("temporary" as const, "rotation" as const),
    startDate: day,
    days: fc.integer({ min: 0, max: 60 }),
    weekdays: fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }),
    times,
  })
  .map(
    (o): OverrideRule => ({
      id: o.id,
      locationId: o.locationId,
      kind: o.kind,
      startDate: o.startDate,
      endDate: Temporal.PlainDate.from(o.startDate).add({ days: o.days }).toString(),
      weekdays: o.weekdays,
      ...o.times,
      appointmentTypeIds: [],
    }),
  );

const absenceArb = fc
  .record({
    start: fc.integer({ min: 0, max: 400 * 24 * 60 }),
    minutes: fc.integer({ min: 1, max: 5 * 24 * 60 }),
  })
  .map(({ start, minutes }): Absence => {
    const startsAt = Date.parse("2026-01-01T00:00:00Z") + start * 60_000;
    return {
      startsAt: new Date(startsAt).toISOString(),
      endsAt: new Date(startsAt + minutes * 60_000).toISOString(),
    };
  });

describe("expanded assignments (property)", () => {
  it("never overlap each other, stay inside the requested dates and never fall in time off", () => {
    fc.assert(
      fc.property(
        fc.record({
          zones: fc.tuple(fc.constantFrom(...ZONES), fc.constantFrom(...ZONES), fc.constantFrom(...ZONES)),
          templates: fc.array(templateArb, { maxLength: 8 }),
          overrides: fc.array(overrideArb, { maxLength: 3 }),
          timeOff: fc.array(absenceArb, { maxLength: 4 }),
          from: day,
          length: fc.integer({ min: 0, max: 40 }),
        }),
        (input) => {
          const to = Temporal.PlainDate.from(input.from).add({ days: input.length }).toString();
          const timeZones = new Map(LOCATIONS.map((id, i) => [id, input.zones[i]!]));
          const blocks = expandAssignments({ ...input, to, timeZones });
          const ms = blocks.map((b) => ({ ...b, s: Date.parse(b.start), e: Date.parse(b.end) }));
          for (const [i, b] of ms.entries()) {
            expect(b.s).toBeLessThan(b.e);
            expect(b.date >= input.from && b.date <= to).toBe(true);
            const date = Temporal.PlainDate.from(b.date);
            expect(b.s).toBeGreaterThanOrEqual(date.toZonedDateTime(b.timeZone).epochMilliseconds);
            expect(b.e).toBeLessThanOrEqual(
              date.add({ days: 1 }).toZonedDateTime(b.timeZone).epochMilliseconds,
            );
            const next = ms[i + 1];
            if (next) expect(b.e).toBeLessThanOrEqual(next.s);
            for (const t of input.timeOff) {
              expect(b.e <= Date.parse(t.startsAt) || b.s >= Date.parse(t.endsAt)).toBe(true);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("blocks on days the clocks change (property)", () => {
  it("any block on a clock-change day lies within that local day and is never longer than on the clock", () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), fc.constantFrom(...CLOCK_CHANGES), times, (zone, date, t) => {
        const blocks = expand(zone, date, date, everyDay(t.startTime, t.endTime));
        expect(blocks.length).toBeLessThanOrEqual(1);
        const wallMinutes =
          (Date.parse(`1970-01-01T${t.endTime}Z`) - Date.parse(`1970-01-01T${t.startTime}Z`)) / 60_000;
        for (const b of blocks) {
          const d = Temporal.PlainDate.from(date);
          expect(Date.parse(b.start)).toBeGreaterThanOrEqual(d.toZonedDateTime(zone).epochMilliseconds);
          expect(Date.parse(b.end)).toBeLessThanOrEqual(
            d.add({ days: 1 }).toZonedDateTime(zone).epochMilliseconds,
          );
          // a lost hour shortens a block, a repeated hour lengthens it by at most that hour
          const realMinutes = (Date.parse(b.end) - Date.parse(b.start)) / 60_000;
          expect(realMinutes).toBeGreaterThan(0);
          expect(realMinutes).toBeLessThanOrEqual(wallMinutes + 60);
        }
      }),
      { numRuns: 500 },
    );
  });
});
