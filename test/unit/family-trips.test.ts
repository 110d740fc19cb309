/**
 * Family trips, held to a brute-force reference: every combination of one option per member,
 * kept when it is one trip (one location, one day, the visits linked within the gap, visits at the
 * same time with different physicians), the best per location and start time,
 * in the documented order.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { findTrips, fitsOneTrip, type MemberOption, type Trip } from "../../src/services/family/index.js";

const MINUTE = 60_000;
const BASE = Date.parse("2026-03-02T14:00:00Z");

type Raw = Omit<MemberOption, "id" | "rank">;

const rawOption: fc.Arbitrary<Raw> = fc
  .record({
    locationId: fc.constantFrom("north", "south"),
    day: fc.constantFrom("2026-03-02", "2026-03-03"),
    slot: fc.integer({ min: 0, max: 12 }),
    minutes: fc.constantFrom(15, 20, 30, 45),
    physicianId: fc.constantFrom("dr-a", "dr-b", "dr-c"),
    distanceKm: fc.option(fc.integer({ min: 0, max: 20 }), { nil: null }),
  })
  .map(({ slot, minutes, ...rest }) => ({
    ...rest,
    start: BASE + slot * 15 * MINUTE,
    end: BASE + slot * 15 * MINUTE + minutes * MINUTE,
  }));

const family = fc
  .array(fc.array(rawOption, { maxLength: 6 }), { minLength: 1, maxLength: 4 })
  .map((members) =>
    members.map((options, m) =>
      options.map((o, rank): MemberOption => ({ ...o, id: `m${m}-${rank}`, rank })),
    ),
  );
const rules = fc.record({
  maxGapMinutes: fc.constantFrom(0, 10, 15, 30),
  limit: fc.integer({ min: 1, max: 12 }),
});

/** Whether one visit may be had beside the other: one physician sees one patient at a time. */
function together(a: MemberOption, b: MemberOption): boolean {
  const atOnce = a.start < b.end && b.start < a.end;
  return !atOnce || a.physicianId !== b.physicianId;
}

/** One stay: the visits, linked when one starts within the gap of the other's end, form one group. */
function oneStay(c: MemberOption[], gapMinutes: number): boolean {
  const near = (a: MemberOption, b: MemberOption) =>
    Math.max(a.start, b.start) - Math.min(a.end, b.end) <= gapMinutes * MINUTE;
  const reached = new Set([0]);
  for (let grew = true; grew; ) {
    grew = false;
    for (let i = 0; i < c.length; i++)
      if (!reached.has(i) && [...reached].some((j) => near(c[i]!, c[j]!))) {
        reached.add(i);
        grew = true;
      }
  }
  return reached.size === c.length;
}

function reference(members: MemberOption[][], r: { maxGapMinutes: number; limit: number }): string[][] {
  let combos: MemberOption[][] = [[]];
  for (const options of members) combos = combos.flatMap((c) => options.map((o) => [...c, o]));
  const valid = combos.filter(
    (c) =>
      c.length > 0 &&
      c.every((o) => o.locationId === c[0]!.locationId && o.day === c[0]!.day) &&
      c.every((a, i) => c.every((b, j) => i >= j || together(a, b))) &&
      oneStay(c, r.maxGapMinutes),
  );
  const key = (c: MemberOption[]) => {
    const start = Math.min(...c.map((o) => o.start));
    const end = Math.max(...c.map((o) => o.end));
    const known = c.map((o) => o.distanceKm).filter((d) => d !== null) as number[];
    return {
      group: `${c[0]!.locationId}|${start}`,
      order: [
        start,
        end - start,
        known.length ? Math.max(...known) : Number.POSITIVE_INFINITY,
        c.reduce((s, o) => s + o.rank, 0),
      ],
      ids: c.map((o) => o.id).join("\n"),
    };
  };
  const before = (a: MemberOption[], b: MemberOption[]) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < ka.order.length; i++)
      if (ka.order[i] !== kb.order[i]) return ka.order[i]! < kb.order[i]!;
    return ka.ids < kb.ids;
  };
  const best = new Map<string, MemberOption[]>();
  for (const c of valid) {
    const held = best.get(key(c).group);
    if (!held || before(c, held)) best.set(key(c).group, c);
  }
  return [...best.values()]
    .sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0))
    .slice(0, r.limit)
    .map((c) => c.map((o) => o.id));
}

const ids = (trips: Trip[]) => trips.map((t) => t.options.map((o) => o.id));

describe("family trips", () => {
  it("finds exactly the trips the brute-force reference finds, in the same order", () => {
    fc.assert(
      fc.property(family, rules, (members, r) => {
        expect(ids(findTrips(members, r))).toEqual(reference(members, r));
      }),
      { numRuns: 600 },
    );
  });

  it("every trip it offers fits as one trip, one option per member in the members' order", () => {
    fc.assert(
      fc.property(family, rules, (members, r) => {
        for (const t of findTrips(members, r)) {
          expect(fitsOneTrip(t.options, r.maxGapMinutes)).toBe(true);
          for (const [m, o] of t.options.entries()) expect(members[m]).toContain(o);
          expect(t.start).toBe(Math.min(...t.options.map((o) => o.start)));
        }
      }),
    );
  });

  const visit = (id: string, hhmm: string, minutes: number, physicianId: string): MemberOption => {
    const start = Date.parse(`2026-03-03T${hhmm}:00-05:00`);
    return {
      id,
      start,
      end: start + minutes * MINUTE,
      physicianId,
      locationId: "north",
      day: "2026-03-03",
      distanceKm: 3,
      rank: 0,
    };
  };

  it("Anna at 10:00 and Ben at 10:20 with the same paediatrician make one trip; at 11:00 they do not", () => {
    const anna = [visit("anna-10", "10:00", 20, "dr-p")];
    expect(
      ids(findTrips([anna, [visit("ben-1020", "10:20", 20, "dr-p")]], { maxGapMinutes: 15, limit: 5 })),
    ).toEqual([["anna-10", "ben-1020"]]);
    expect(
      findTrips([anna, [visit("ben-11", "11:00", 20, "dr-p")]], { maxGapMinutes: 15, limit: 5 }),
    ).toEqual([]);
  });

  it("two children seen at the same time need two physicians (the booking finds them two rooms)", () => {
    const gap = { maxGapMinutes: 15, limit: 5 };
    const anna = [visit("anna", "10:00", 30, "dr-p")];
    expect(findTrips([anna, [visit("ben-same", "10:00", 30, "dr-p")]], gap)).toEqual([]);
    expect(ids(findTrips([anna, [visit("ben-room", "10:00", 30, "dr-q")]], gap))).toEqual([
      ["anna", "ben-room"],
    ]);
    const side = findTrips([anna, [visit("ben", "10:00", 30, "dr-q")]], gap);
    expect(ids(side)).toEqual([["anna", "ben"]]);
    expect(side[0]!.end - side[0]!.start).toBe(30 * MINUTE);
  });

  it("prefers the shorter stay among trips starting at the same time", () => {
    const trips = findTrips(
      [
        [visit("anna", "10:00", 20, "dr-p")],
        [visit("ben-late", "10:30", 20, "dr-p"), visit("ben-next", "10:20", 20, "dr-p")],
      ],
      { maxGapMinutes: 15, limit: 5 },
    );
    expect(ids(trips)).toEqual([["anna", "ben-next"]]);
  });
});
