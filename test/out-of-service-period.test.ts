/**
 * A period out of service as the availability engine sees it: busy time on the room or item, so a
 * start is offered before and after the period and never inside it, on the location's clock across
 * a daylight-saving change; and the period a request asks for is resolved to instants (now at the
 * earliest, the end after the start) or refused on its field.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ProblemError } from "../src/platform/errors.js";
import { outOfServiceSpan } from "../src/services/rescheduling/subjects.js";
import { findOptions } from "../src/services/scheduling/availability/engine.js";
import {
  localBlock,
  localLabel,
  outOfServiceBusy,
  wallClockToEpochMs,
} from "../src/services/scheduling/availability/intervals.js";
import type { AvailabilityInput } from "../src/services/scheduling/availability/types.js";

const DAY = 86_400_000;
const ZONE = "America/New_York";

/** One physician, one exam room with an ECG cart in it, a morning block on `date`; 30-minute visits. */
function morningWith(
  date: string,
  roomBusy: AvailabilityInput["rooms"][number]["busy"],
  cartBusy = roomBusy,
) {
  const block = localBlock(date, "08:00", "12:00", ZONE);
  const input: AvailabilityInput = {
    now: block.start - 10 * DAY,
    from: block.start - DAY,
    to: block.end + DAY,
    appointmentType: {
      id: "ecg",
      durationMinutes: 30,
      slotIntervalMinutes: 15,
      roomKind: "exam",
      equipmentKinds: ["ecg"],
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
          timeZone: ZONE,
          latitude: 40,
          longitude: -74,
          openingHours: [],
        },
      ],
    ]),
    rooms: [{ id: "room-1", locationId: "clinic", kind: "exam", stepFree: true, busy: roomBusy }],
    equipment: [{ id: "cart-1", locationId: "clinic", kind: "ecg", busy: cartBusy }],
    travelMinutes: () => 0,
    rules: { minNoticeMinutes: 0, horizonDays: 60 },
    patient: null,
    telehealth: false,
    stepFree: false,
    language: null,
    limit: Number.POSITIVE_INFINITY,
  };
  return findOptions(input)
    .map((o) => localLabel(o.start, ZONE).time)
    .sort();
}

const period = (date: string, from: string, until: string | null) => ({
  from: new Date(wallClockToEpochMs(date, from, ZONE)).toISOString(),
  until: until === null ? null : new Date(wallClockToEpochMs(date, until, ZONE)).toISOString(),
});

describe("a period out of service", () => {
  // 2027-03-14: New York springs forward at 02:00; the period is on the wall clock of that day
  for (const date of ["2027-03-13", "2027-03-14", "2027-11-07"]) {
    it(`keeps a room out of search inside 09:00-10:00 and only there, on ${date} in New York`, () => {
      const times = morningWith(date, outOfServiceBusy(period(date, "09:00", "10:00")), []);
      expect(times).toEqual([
        "08:00",
        "08:15",
        "08:30",
        "10:00",
        "10:15",
        "10:30",
        "10:45",
        "11:00",
        "11:15",
        "11:30",
      ]);
    });
  }

  it("keeps an item of equipment out the same way, and for good when the period has no end", () => {
    const date = "2027-03-14";
    expect(morningWith(date, [], outOfServiceBusy(period(date, "10:00", "11:00")))).toEqual([
      "08:00",
      "08:15",
      "08:30",
      "08:45",
      "09:00",
      "09:15",
      "09:30",
      "11:00",
      "11:15",
      "11:30",
    ]);
    expect(morningWith(date, [], outOfServiceBusy(period(date, "10:00", null)))).toEqual([
      "08:00",
      "08:15",
      "08:30",
      "08:45",
      "09:00",
      "09:15",
      "09:30",
    ]);
    expect(outOfServiceBusy(null)).toEqual([]);
  });

  it("as asked is resolved to instants from now at the earliest, or refused on its field", () => {
    const now = Date.parse("2027-03-10T12:00:00Z");
    fc.assert(
      fc.property(
        fc.integer({ min: -4 * 60, max: 7 * 24 * 60 }),
        fc.option(fc.integer({ min: -24 * 60, max: 7 * 24 * 60 })),
        (fromMinutes, untilMinutes) => {
          const from = new Date(now + fromMinutes * 60_000).toISOString();
          const until = untilMinutes === null ? null : new Date(now + untilMinutes * 60_000).toISOString();
          try {
            const span = outOfServiceSpan({ from, until }, now);
            // the reference: at the earliest now, the end (if any) after the start
            expect(span.from).toBe(Math.max(now, Date.parse(from)));
            expect(fromMinutes).toBeGreaterThanOrEqual(-5);
            if (span.until !== null) expect(span.until).toBeGreaterThan(span.from);
            expect(span.until).toBe(until === null ? null : Date.parse(until));
          } catch (err) {
            expect(err).toBeInstanceOf(ProblemError);
            const field = (err as ProblemError).errors[0]!.field;
            if (fromMinutes < -5) expect(field).toBe("body.from");
            else {
              expect(field).toBe("body.until");
              expect(Date.parse(until!)).toBeLessThanOrEqual(Math.max(now, Date.parse(from)));
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
