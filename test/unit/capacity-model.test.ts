/**
 * Capacity planning's MIP on tiny networks whose optimum is known by hand, solved by HiGHS.
 *
 * A and B are 20 minutes apart. P1 lives at A and may work A or B on Monday and Tuesday (16 h);
 * P2 lives at B and may work only B, only on Tuesday (8 h). B has one room a day. Demand: A 8 h,
 * B 16 h. The only plan covering everything: P2 at B on Tuesday, so P1 goes to B on Monday
 * (40 minutes' round trip) and stays at A on Tuesday.
 */
import { describe, expect, it } from "vitest";
import {
  buildLp,
  type CapacityProblem,
  createSolver,
  measure,
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
        expectedWaitDays: 0,
      },
      {
        locationId: "B",
        demandHours: 16,
        plannedHours: 8,
        coverage: 0.5,
        shortHours: 8,
        idleHours: 0,
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
