import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type Candidate,
  compareCandidates,
  fits,
  rankCandidates,
  timeOfDay,
} from "../src/services/waitlist/index.js";

const candidate = fc.record({
  id: fc.uuid(),
  urgency: fc.constantFrom("routine" as const, "soon" as const, "urgent" as const),
  waitingSince: fc.integer({ min: 0, max: 50 }),
  preferred: fc.boolean(),
  distanceKm: fc.option(fc.integer({ min: 0, max: 30 }), { nil: null }),
});

/** The documented order, written the plain way: a key per rule, compared one after another. */
function reference(cs: Candidate[]): Candidate[] {
  const key = (c: Candidate) => [
    { urgent: 0, soon: 1, routine: 2 }[c.urgency],
    c.waitingSince,
    c.preferred ? 0 : 1,
    c.distanceKm === null ? Number.MAX_SAFE_INTEGER : c.distanceKm,
  ];
  return [...cs].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i]! - kb[i]!;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
}

describe("who gets a freed slot first", () => {
  it("ranks by urgency, then time waited, then preference, then distance, exactly as the reference does", () => {
    fc.assert(
      fc.property(fc.array(candidate, { maxLength: 30 }), (cs) => {
        expect(rankCandidates(cs).map((c) => c.id)).toEqual(reference(cs).map((c) => c.id));
      }),
      { numRuns: 300 },
    );
  });

  it("gives the same order whatever order the entries were read in, so every replica picks the same patient", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(candidate, { selector: (c) => c.id, maxLength: 20 }),
        fc.integer(),
        (cs, seed) => {
          const shuffled = [...cs].sort(
            (a, b) => ((a.id.charCodeAt(0) ^ seed) & 7) - ((b.id.charCodeAt(0) ^ seed) & 7),
          );
          expect(rankCandidates(shuffled)).toEqual(rankCandidates(cs));
        },
      ),
    );
  });

  it("an urgent patient who joined today goes before a routine one who has waited for months", () => {
    const routine: Candidate = {
      id: "a",
      urgency: "routine",
      waitingSince: 0,
      preferred: true,
      distanceKm: 1,
    };
    const urgent: Candidate = {
      id: "b",
      urgency: "urgent",
      waitingSince: 1e12,
      preferred: false,
      distanceKm: null,
    };
    expect(rankCandidates([routine, urgent]).map((c) => c.id)).toEqual(["b", "a"]);
    expect(compareCandidates(urgent, routine)).toBeLessThan(0);
  });
});

describe("which waiting entries a slot fits", () => {
  const need = {
    physicianId: null,
    locationIds: [] as string[],
    maxDistanceKm: null,
    telehealthOk: false,
    from: 0,
    to: 10_000,
    timesOfDay: [] as Array<"morning" | "afternoon" | "evening">,
  };
  const slot = {
    physicianId: "p1",
    locationId: "l1",
    start: 1000,
    end: 2000,
    localTime: "09:30",
    telehealth: false,
    distanceKm: 12,
  };

  it("a slot outside the patient's dates, times of day, physician or places does not fit", () => {
    expect(fits(need, slot)).toBe(true);
    expect(fits({ ...need, to: 1500 }, slot)).toBe(false);
    expect(fits({ ...need, timesOfDay: ["afternoon"] }, slot)).toBe(false);
    expect(fits({ ...need, timesOfDay: ["morning"] }, slot)).toBe(true);
    expect(fits({ ...need, physicianId: "p2" }, slot)).toBe(false);
    expect(fits({ ...need, locationIds: ["l2"] }, slot)).toBe(false);
    expect(fits({ ...need, maxDistanceKm: 10 }, slot)).toBe(false);
    expect(fits({ ...need, maxDistanceKm: 15 }, slot)).toBe(true);
    expect(fits(need, { ...slot, telehealth: true })).toBe(false);
    expect(fits({ ...need, telehealthOk: true, locationIds: ["l2"] }, { ...slot, telehealth: true })).toBe(
      true,
    );
  });

  it("morning ends at noon and evening starts at five, local time", () => {
    expect([timeOfDay("11:59"), timeOfDay("12:00"), timeOfDay("16:59"), timeOfDay("17:00")]).toEqual([
      "morning",
      "afternoon",
      "afternoon",
      "evening",
    ]);
  });
});
