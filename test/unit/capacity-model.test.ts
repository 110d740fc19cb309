/**
 * Capacity planning's MIP on tiny networks whose optimum is known by hand, solved by HiGHS.
 *
 * A and B are 20 minutes apart. P1 lives at A and may work A or B on Monday and Tuesday (16 h);
 * P2 lives at B and may work only B, only on Tuesday (8 h). B has one room a day. Demand: A 8 h,
 * B 16 h. The only plan covering everything: P2 at B on Tuesday, so P1 goes to B on Monday
 * (40 minutes' round trip) and stays at A on Tuesday.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  buildLp,
  type CapacityProblem,
  createSolver,
  measure,
  type WaitingEntry,
  waitlistDemand,
} from "../../src/services/analytics/capacity/index.js";

const tiny: CapacityProblem = {
  weekdays: [1, 2],
  contracts: [
    { physicianId: "p1", homeLocationId: "A", locationIds: ["A", "B"], hoursPerWeek: 16, weekdays: [1, 2] },
    { physicianId: "p2", homeLocationId: "B", locationIds: ["B"], hoursPerWeek: 8, weekdays: [2] },
  ],
  rooms: { A: 1, B: 1 },
  demand: { A: 8, B: 16 },
  travel: { A: { B: 20 } },
};

const solve = createSolver(10);

describe("capacity planning", () => {
  it("covers every demanded hour of the tiny network with the one plan that can, travelling 40 minutes", async () => {
    const { assignments } = await solve(tiny);
    expect(assignments).toEqual([
      { physicianId: "p1", locationId: "B", weekday: 1 },
      { physicianId: "p1", locationId: "A", weekday: 2 },
      { physicianId: "p2", locationId: "B", weekday: 2 },
    ]);
    const f = measure(tiny, assignments);
    expect(f).toMatchObject({ coverage: 1, shortHours: 0, idleHours: 0, travelMinutes: 40 });
    expect(f.locations.map((l) => l.expectedWaitDays)).toEqual([0, 0]);
  });

  it("leaves no physician idle where nobody is waiting, and never stays home when demand is uncovered", async () => {
    // nobody demands A: P1 goes to B on Monday only (Tuesday at B is P2's room)
    const problem = { ...tiny, demand: { A: 0, B: 16 } };
    const { assignments } = await solve(problem);
    expect(assignments).toEqual([
      { physicianId: "p1", locationId: "B", weekday: 1 },
      { physicianId: "p2", locationId: "B", weekday: 2 },
    ]);
    expect(measure(problem, assignments).idleHours).toBe(0);
  });

  it("prefers the physician who lives at the location when two could cover it", async () => {
    const problem: CapacityProblem = {
      weekdays: [1],
      contracts: [
        { physicianId: "far", homeLocationId: "A", locationIds: ["A", "B"], hoursPerWeek: 8, weekdays: [1] },
        { physicianId: "near", homeLocationId: "B", locationIds: ["A", "B"], hoursPerWeek: 8, weekdays: [1] },
      ],
      rooms: { A: 1, B: 1 },
      demand: { A: 0, B: 8 },
      travel: { A: { B: 30 } },
    };
    const { assignments } = await solve(problem);
    expect(assignments).toEqual([{ physicianId: "near", locationId: "B", weekday: 1 }]);
  });

  it("today's plan is measured the same way: a missing Monday at B leaves 8 hours and a week's wait", () => {
    const today = [
      { physicianId: "p1", locationId: "A", weekday: 1 },
      { physicianId: "p1", locationId: "A", weekday: 2 },
      { physicianId: "p2", locationId: "B", weekday: 2 },
    ];
    const f = measure(tiny, today);
    expect(f.locations).toEqual([
      {
        locationId: "A",
        demandHours: 8,
        plannedHours: 16,
        coverage: 1,
        shortHours: 0,
        idleHours: 8,
        waitlistHours: 0,
        waitlistShortHours: 0,
        expectedWaitDays: 0,
      },
      {
        locationId: "B",
        demandHours: 16,
        plannedHours: 8,
        coverage: 0.5,
        shortHours: 8,
        idleHours: 0,
        waitlistHours: 0,
        waitlistShortHours: 0,
        expectedWaitDays: 7,
      },
    ]);
    // 16 of 24 demanded hours
    expect(f.coverage).toBeCloseTo(2 / 3, 10);
    expect(f.travelMinutes).toBe(0);
  });

  it("writes only variables the contracts allow", () => {
    const lp = buildLp(tiny);
    // P2 may not work at A, nor on Monday
    expect(lp).not.toMatch(/x_1_0_/);
    expect(lp).not.toMatch(/x_1_1_1/);
    expect(lp).toMatch(/x_1_1_2/);
  });
});

describe("the waiting list as demand", () => {
  const places = [
    { id: "A", area: "Springfield" },
    { id: "B", area: "Shelbyville" },
    { id: "C", area: "Shelbyville" },
  ];
  const entry = (e: Partial<WaitingEntry>): WaitingEntry => ({
    locationIds: [],
    homeArea: null,
    urgency: "routine",
    minutes: 60,
    ...e,
  });

  it("an urgent hour is due this week, a soon one over two weeks, a routine one over the plan's four", () => {
    expect(
      waitlistDemand(
        [
          entry({ locationIds: ["A"], urgency: "urgent" }),
          entry({ locationIds: ["A"], urgency: "soon" }),
          entry({ locationIds: ["A"], urgency: "routine" }),
        ],
        places,
        4,
      ),
    ).toEqual({ A: 1.8, B: 0, C: 0 }); // 1 + 0.5 + 0.25, to a tenth
  });

  it("a patient open to anywhere counts where they live; with no planned location there, everywhere", () => {
    expect(waitlistDemand([entry({ homeArea: "Shelbyville", minutes: 120 })], places, 1)).toEqual({
      A: 0,
      B: 1,
      C: 1,
    });
    expect(waitlistDemand([entry({ homeArea: "Ogdenville", minutes: 180 })], places, 1)).toEqual({
      A: 1,
      B: 1,
      C: 1,
    });
  });

  it("a patient waiting only for a location nobody plans adds nothing here", () => {
    expect(waitlistDemand([entry({ locationIds: ["Z"] })], places, 2)).toEqual({ A: 0, B: 0, C: 0 });
  });

  it("against a reference model: every waiting hour is shared out once, within its urgency's weeks", () => {
    const arbEntry = fc.record({
      locationIds: fc.subarray(["A", "B", "C", "Z"]),
      homeArea: fc.constantFrom(null, "Springfield", "Shelbyville", "Ogdenville"),
      urgency: fc.constantFrom("routine" as const, "soon" as const, "urgent" as const),
      minutes: fc.integer({ min: 5, max: 240 }),
    });
    fc.assert(
      fc.property(fc.array(arbEntry, { maxLength: 12 }), fc.integer({ min: 1, max: 8 }), (entries, weeks) => {
        const got = waitlistDemand(entries, places, weeks);
        // reference: the hours each entry that can be seen here at all asks for per week
        const due = { urgent: 1, soon: Math.min(2, weeks), routine: weeks };
        const seenHere = entries.filter(
          (e) => e.locationIds.length === 0 || e.locationIds.some((l) => l !== "Z"),
        );
        const expected = seenHere.reduce((sum, e) => sum + e.minutes / 60 / due[e.urgency], 0);
        const total = Object.values(got).reduce((a, b) => a + b, 0);
        // each location is rounded to a tenth
        expect(Math.abs(total - expected)).toBeLessThanOrEqual(0.05 * places.length + 1e-9);
        // a named location only ever receives entries naming it, or open to anywhere
        for (const p of places)
          if (!seenHere.some((e) => e.locationIds.includes(p.id) || e.locationIds.length === 0))
            expect(got[p.id]).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
});
