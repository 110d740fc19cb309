/**
 * Capacity planning through the API on a network whose optimum is known by hand. The main campus
 * and the satellite are 30 minutes apart; the satellite has one room. X (home: main) may work at
 * either on Monday and Tuesday, 16 h a week; Y (home: satellite) only at the satellite, only on
 * Tuesday, 8 h. Demand: main 8 h, satellite 16 h a week. The one plan covering all of it sends X
 * to the satellite on Monday (60 minutes' round trip), keeps X at main on Tuesday and Y at the
 * satellite on Tuesday.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Rounds } from "../src/server.js";
import { clientFor } from "./support/auth.js";
import { addPhysician, buildClinicNetwork, type ClinicNetwork } from "./support/network.js";
import { startRounds } from "./support/rounds.js";

let rounds: Rounds;
let net: ClinicNetwork;
let y: string;

interface PlanDto {
  id: string;
  status: string;
  solveMs: number;
  proposed: {
    assignments: Array<{ physicianId: string; locationId: string; weekday: number }>;
    figures: Figures;
  };
  today: {
    assignments: Array<{ physicianId: string; locationId: string; weekday: number }>;
    figures: Figures;
  };
  reschedulePlanIds: string[];
}
interface Figures {
  coverage: number;
  shortHours: number;
  idleHours: number;
  travelMinutes: number;
  waitlistHours: number;
  waitlistShortHours: number;
  locations: Array<{
    locationId: string;
    coverage: number;
    expectedWaitDays: number;
    demandHours: number;
    waitlistHours: number;
    waitlistShortHours: number;
  }>;
}

const propose = () =>
  net.admin.inject({
    method: "POST",
    url: "/api/v1/capacity-plans",
    payload: {
      specialty: net.specialty,
      startDate: net.monday,
      weeks: 1,
      weekdays: [1, 2],
      demand: [
        { locationId: net.main.id, hoursPerWeek: 8 },
        { locationId: net.satellite.id, hoursPerWeek: 16 },
      ],
    },
  });

beforeAll(async () => {
  rounds = await startRounds();
  net = await buildClinicNetwork(rounds, { roomsPerLocation: 1, travelMinutes: 30 });
  y = await addPhysician(net.admin, net.specialty, [
    { locationId: net.satellite.id, startTime: "08:00", endTime: "16:00" },
  ]);
  for (const [id, payload] of [
    [
      net.physicianId,
      {
        homeLocationId: net.main.id,
        locationIds: [net.main.id, net.satellite.id],
        hoursPerWeek: 16,
        weekdays: [1, 2],
      },
    ],
    [
      y,
      { homeLocationId: net.satellite.id, locationIds: [net.satellite.id], hoursPerWeek: 8, weekdays: [2] },
    ],
  ] as const) {
    const res = await net.admin.inject({
      method: "PUT",
      url: `/api/v1/capacity-plans/contracts/${id}`,
      payload,
    });
    expect(res.statusCode, res.body).toBe(200);
  }
}, 120_000);
afterAll(() => rounds.close());

/** X's planned blocks on one date. */
async function blocksOn(date: string) {
  const week = await net.admin.inject({
    url: `/api/v1/physicians/${net.physicianId}/assignments?from=${date}&to=${date}`,
  });
  return (week.json() as { assignments: Array<{ locationId: string; startLocal: string; endLocal: string }> })
    .assignments;
}

describe("capacity planning", () => {
  let plan: PlanDto;

  it("proposes the one plan that covers every demanded hour, travelling 60 minutes a week", async () => {
    const res = await propose();
    expect(res.statusCode, res.body).toBe(201);
    plan = res.json() as PlanDto;
    expect(plan.status).toBe("proposed");
    expect(plan.proposed.assignments).toEqual(
      [
        { physicianId: net.physicianId, locationId: net.satellite.id, weekday: 1 },
        { physicianId: net.physicianId, locationId: net.main.id, weekday: 2 },
        { physicianId: y, locationId: net.satellite.id, weekday: 2 },
      ].sort((a, b) => a.physicianId.localeCompare(b.physicianId) || a.weekday - b.weekday),
    );
    expect(plan.proposed.figures).toMatchObject({
      coverage: 1,
      shortHours: 0,
      idleHours: 0,
      travelMinutes: 60,
    });
  });

  it("shows today's plan measured the same way: X at the main campus on Monday, Y at the satellite", () => {
    expect(plan.today.assignments).toContainEqual({
      physicianId: net.physicianId,
      locationId: net.main.id,
      weekday: 1,
    });
    expect(plan.today.assignments).toContainEqual({
      physicianId: y,
      locationId: net.satellite.id,
      weekday: 2,
    });
    expect(plan.today.figures.travelMinutes).toBe(0);
  });

  it("a physician, or a department head of no department, cannot plan the specialty", async () => {
    const physician = await clientFor(rounds, "physician", { physicianId: net.physicianId });
    expect((await physician.inject({ url: `/api/v1/capacity-plans/${plan.id}` })).statusCode).toBe(403);
    const head = await clientFor(rounds, "department_head", {});
    const res = await head.inject({ url: `/api/v1/capacity-plans/${plan.id}` });
    expect(res.statusCode).toBe(404);
    expect(res.json().errors[0].field).toBe("params.id");
  });

  it("a proposal naming an unknown location's demand is refused naming the field", async () => {
    const res = await net.admin.inject({
      method: "POST",
      url: "/api/v1/capacity-plans",
      payload: {
        specialty: net.specialty,
        startDate: net.monday,
        demand: [{ locationId: "00000000-0000-4000-8000-000000000000", hoursPerWeek: 8 }],
      },
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().errors[0].field).toBe("body.demand.0.locationId");
  });

  it("two applies at once apply it once: X to the satellite on Monday, three changes, all through rescheduling", async () => {
    const apply = () =>
      net.admin.inject({
        method: "POST",
        url: `/api/v1/capacity-plans/${plan.id}/apply`,
        payload: { policy: "offer" },
      });
    const [first, second] = await Promise.all([apply(), apply()]);
    expect(first.statusCode, first.body).toBe(200);
    expect(second.statusCode, second.body).toBe(200);
    const applied = first.json() as PlanDto;
    expect(applied.status).toBe("applied");
    // X: satellite on Monday and main on Tuesday; Y: satellite on Tuesday
    expect(applied.reschedulePlanIds).toHaveLength(3);
    expect((second.json() as PlanDto).reschedulePlanIds).toEqual(applied.reschedulePlanIds);
    const xPlans = await net.admin.inject({ url: `/api/v1/reschedule-plans?physicianId=${net.physicianId}` });
    expect((xPlans.json() as { total: number }).total).toBe(2);
    expect(await blocksOn(net.monday)).toEqual([
      expect.objectContaining({ locationId: net.satellite.id, startLocal: "08:00", endLocal: "16:00" }),
    ]);
  });

  it("applying it again changes nothing and answers with the applied plan", async () => {
    const again = await net.admin.inject({
      method: "POST",
      url: `/api/v1/capacity-plans/${plan.id}/apply`,
      payload: {},
    });
    expect(again.statusCode, again.body).toBe(200);
    expect((again.json() as PlanDto).reschedulePlanIds).toHaveLength(3);
    const xPlans = await net.admin.inject({ url: `/api/v1/reschedule-plans?physicianId=${net.physicianId}` });
    expect((xPlans.json() as { total: number }).total).toBe(2);
  });

  it("lists the specialty's plans, newest first", async () => {
    const res = await net.admin.inject({ url: `/api/v1/capacity-plans?specialty=${net.specialty}` });
    expect(res.statusCode).toBe(200);
    expect((res.json() as { items: PlanDto[] }).items[0]!.id).toBe(plan.id);
  });
  describe("the next week, with a patient waiting and X already booked at main on Tuesday midday", () => {
    /** The Monday a week after the first plan's (or a day after it). */
    const nextMonday = (days = 0) =>
      new Date(Date.parse(`${net.monday}T00:00:00Z`) + (7 + days) * 86_400_000).toISOString().slice(0, 10);
    let next: PlanDto;

    beforeAll(async () => {
      const entry = await net.admin.inject({
        method: "POST",
        url: "/api/v1/waitlist/entries",
        payload: {
          patientId: net.patientId,
          appointmentTypeId: net.appointmentTypeId,
          specialty: net.specialty,
          locationIds: [net.satellite.id],
          urgency: "urgent",
          from: "2090-01-02T00:00:00Z",
          to: "2090-01-03T00:00:00Z",
        },
      });
      expect(entry.statusCode, entry.body).toBe(201);
      const override = await net.admin.inject({
        method: "POST",
        url: `/api/v1/physicians/${net.physicianId}/overrides`,
        payload: {
          locationId: net.main.id,
          kind: "temporary",
          startDate: nextMonday(),
          endDate: nextMonday(1),
          weekdays: [2],
          startTime: "12:00",
          endTime: "14:00",
        },
      });
      expect(override.statusCode, override.body).toBe(201);
      const res = await net.admin.inject({
        method: "POST",
        url: "/api/v1/capacity-plans",
        payload: {
          specialty: net.specialty,
          startDate: nextMonday(),
          weeks: 1,
          weekdays: [1, 2],
          demand: [
            { locationId: net.main.id, hoursPerWeek: 8 },
            { locationId: net.satellite.id, hoursPerWeek: 8 },
          ],
        },
      });
      expect(res.statusCode, res.body).toBe(201);
      next = res.json() as PlanDto;
    });

    it("the waiting patient's half hour a week is demand at the satellite, and it sends X there on Monday to cover it", () => {
      const satellite = next.proposed.figures.locations.find((l) => l.locationId === net.satellite.id)!;
      // an urgent 30-minute visit, to be seen within the week
      expect(satellite).toMatchObject({ demandHours: 8.5, waitlistHours: 0.5, waitlistShortHours: 0 });
      expect(next.proposed.figures).toMatchObject({
        waitlistHours: 0.5,
        waitlistShortHours: 0,
        shortHours: 0,
      });
      expect(next.proposed.assignments).toContainEqual({
        physicianId: net.physicianId,
        locationId: net.satellite.id,
        weekday: 1,
      });
    });

    it("a proposal clashing with X's Tuesday applies none of its changes, not even X's Monday", async () => {
      const mondayBefore = await blocksOn(nextMonday());
      expect(mondayBefore).not.toContainEqual(
        expect.objectContaining({ locationId: net.satellite.id, startLocal: "08:00", endLocal: "16:00" }),
      );
      const res = await net.admin.inject({
        method: "POST",
        url: `/api/v1/capacity-plans/${next.id}/apply`,
        payload: { policy: "staff" },
      });
      expect(res.statusCode, res.body).toBe(409);
      expect(res.json().errors[0].field).toBe("params.id");
      // X's Monday is as it was: the satellite Monday made before the clash was rolled back
      expect(await blocksOn(nextMonday())).toEqual(mondayBefore);
      const still = await net.admin.inject({ url: `/api/v1/capacity-plans/${next.id}` });
      expect((still.json() as PlanDto).status).toBe("proposed");
    });

    it("once Y's contract changes, the proposal is stale and refused", async () => {
      const put = await net.admin.inject({
        method: "PUT",
        url: `/api/v1/capacity-plans/contracts/${y}`,
        payload: {
          homeLocationId: net.satellite.id,
          locationIds: [net.satellite.id],
          hoursPerWeek: 16,
          weekdays: [2],
        },
      });
      expect(put.statusCode, put.body).toBe(200);
      const res = await net.admin.inject({
        method: "POST",
        url: `/api/v1/capacity-plans/${next.id}/apply`,
        payload: {},
      });
      expect(res.statusCode, res.body).toBe(409);
      expect(res.json()).toMatchObject({ code: "plan_stale", errors: [{ field: "params.id" }] });
    });
  });
});
