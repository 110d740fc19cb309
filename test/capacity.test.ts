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
  locations: Array<{ locationId: string; coverage: number; expectedWaitDays: number }>;
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

  it("applying it moves X to the satellite on Monday through rescheduling, once", async () => {
    const res = await net.admin.inject({
      method: "POST",
      url: `/api/v1/capacity-plans/${plan.id}/apply`,
      payload: { policy: "offer" },
    });
    expect(res.statusCode, res.body).toBe(200);
    const applied = res.json() as PlanDto;
    expect(applied.status).toBe("applied");
    // X: satellite on Monday and main on Tuesday; Y: satellite on Tuesday
    expect(applied.reschedulePlanIds).toHaveLength(3);
    const week = await net.admin.inject({
      url: `/api/v1/physicians/${net.physicianId}/assignments?from=${net.monday}&to=${net.monday}`,
    });
    const blocks = (
      week.json() as { assignments: Array<{ locationId: string; startLocal: string; endLocal: string }> }
    ).assignments;
    expect(blocks).toEqual([
      expect.objectContaining({ locationId: net.satellite.id, startLocal: "08:00", endLocal: "16:00" }),
    ]);
    const again = await net.admin.inject({
      method: "POST",
      url: `/api/v1/capacity-plans/${plan.id}/apply`,
      payload: {},
    });
    expect(again.statusCode).toBe(409);
  });

  it("lists the specialty's plans, newest first", async () => {
    const res = await net.admin.inject({ url: `/api/v1/capacity-plans?specialty=${net.specialty}` });
    expect(res.statusCode).toBe(200);
    expect((res.json() as { items: PlanDto[] }).items[0]!.id).toBe(plan.id);
  });
});
