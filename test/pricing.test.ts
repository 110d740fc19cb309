/**
 * Demand-based copays through the API, with hand-computed prices. The network's physician is
 * planned 08:00–12:00 at the main campus and 13:00–17:00 at the satellite (240 minutes each), a
 * consultation takes 30 minutes and its base copay is $150. Self-pay patients' copays may fall by
 * at most $30 and rise by at most $20.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Rounds } from "../src/server.js";
import { type Client, clientFor } from "./support/auth.js";
import { buildClinicNetwork, type ClinicNetwork, createPatient, optionsOn } from "./support/network.js";
import { startRounds } from "./support/rounds.js";

let rounds: Rounds;
let net: ClinicNetwork;
let admin: Client;

const quote = (client: Client, optionId: string, patientId: string) =>
  client.inject({
    url: `/api/v1/pricing-rules/quote?optionId=${encodeURIComponent(optionId)}&patientId=${patientId}`,
  });
const rule = (payload: Record<string, unknown>) =>
  admin.inject({ method: "POST", url: "/api/v1/pricing-rules", payload });
const at = async (locationId: string, time: string) => {
  const o = (await optionsOn(net, admin)).find((x) => x.locationId === locationId && x.local.time === time);
  if (!o) throw new Error(`no option at ${time}`);
  return o;
};

let offPeak: string;
let surcharge: string;

beforeAll(async () => {
  rounds = await startRounds();
  net = await buildClinicNetwork(rounds);
  admin = net.admin;
  const cap = await admin.inject({
    method: "PUT",
    url: "/api/v1/pricing-rules/caps/self_pay",
    payload: { maxSurchargeCents: 2000, maxDiscountCents: 3000 },
  });
  expect(cap.statusCode).toBe(200);
  const a = await rule({
    locationId: net.main.id,
    kind: "off_peak_discount",
    weekdays: [1, 2, 3, 4, 5],
    startTime: "08:00",
    endTime: "12:00",
    utilisationThreshold: 0.5,
    percent: 10,
  });
  expect(a.statusCode).toBe(201);
  offPeak = (a.json() as { id: string }).id;
  const b = await rule({
    locationId: net.satellite.id,
    appointmentTypeId: net.appointmentTypeId,
    kind: "high_demand_surcharge",
    weekdays: [1],
    startTime: "13:00",
    endTime: "17:00",
    utilisationThreshold: 0.1,
    percent: 50,
  });
  expect(b.statusCode).toBe(201);
  surcharge = (b.json() as { id: string }).id;
}, 120_000);
afterAll(() => rounds.close());

describe("demand-based copays", () => {
  it("a quiet Monday morning at the main campus costs $135 instead of $150 (10 % off-peak)", async () => {
    const res = await quote(admin, (await at(net.main.id, "09:00")).id, await createPatient(admin));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      baseCents: 15000,
      priceCents: 13500,
      adjustmentCents: -1500,
      ruleIds: [offPeak],
      reason: "adjusted",
      plan: "self_pay",
      utilisation: 0,
    });
  });

  it("once an eighth of the satellite's Monday is booked, its surcharge of 50 % is capped at the plan's $20", async () => {
    const before = await quote(admin, (await at(net.satellite.id, "15:00")).id, net.patientId);
    expect(before.json()).toMatchObject({ priceCents: 15000, reason: "no_rule", utilisation: 0 });
    const booked = await admin.inject({
      method: "POST",
      url: "/api/v1/appointments",
      payload: { optionId: (await at(net.satellite.id, "13:00")).id, patientId: await createPatient(admin) },
    });
    expect(booked.statusCode).toBe(201);
    const after = await quote(admin, (await at(net.satellite.id, "15:00")).id, net.patientId);
    // 30 of 240 planned minutes: 0.125 ≥ 0.1
    expect(after.json()).toMatchObject({
      priceCents: 17000,
      adjustmentCents: 2000,
      ruleIds: [surcharge],
      reason: "capped",
      utilisation: 0.125,
    });
  });

  it("a patient flagged for financial assistance pays the base copay", async () => {
    const patientId = await createPatient(admin);
    const flag = await admin.inject({
      method: "PUT",
      url: `/api/v1/pricing-rules/financial-assistance/${patientId}`,
      payload: { flagged: true },
    });
    expect(flag.statusCode).toBe(200);
    const res = await quote(admin, (await at(net.main.id, "10:00")).id, patientId);
    expect(res.json()).toMatchObject({ priceCents: 15000, reason: "financial_assistance", ruleIds: [] });
  });

  it("the price is kept with the appointment once booked, computed by the server from the booking event", async () => {
    const patientId = await createPatient(admin);
    const option = await at(net.main.id, "11:00");
    const booked = await admin.inject({
      method: "POST",
      url: "/api/v1/appointments",
      payload: { optionId: option.id, patientId },
    });
    expect(booked.statusCode).toBe(201);
    const id = (booked.json() as { id: string }).id;
    await rounds.pricing.recordBooked();
    const res = await admin.inject({ url: `/api/v1/pricing-rules/appointments/${id}` });
    expect(res.statusCode).toBe(200);
    // the appointment itself does not count towards its own day's utilisation
    expect(res.json()).toMatchObject({ appointmentId: id, priceCents: 13500, ruleIds: [offPeak] });
    const rows = await rounds.database.db
      .selectFrom("audit_events" as never)
      .select(["action" as never])
      .where("resource_id" as never, "=", id as never)
      .where("action" as never, "=", "pricing.recorded" as never)
      .execute();
    expect(rows).toHaveLength(1);
  });

  it("a quote names the option field when the id was not made by this server", async () => {
    const option = await at(net.main.id, "09:30");
    const [payload, mac] = option.id.split(".") as [string, string];
    const res = await quote(admin, `${payload}.${mac.slice(0, -2)}AA`, net.patientId);
    expect(res.statusCode).toBe(422);
    expect(res.json().errors[0].field).toBe("query.optionId");
  });

  it("a price sent by the client is refused, never used", async () => {
    const option = await at(net.main.id, "09:30");
    const res = await admin.inject({
      url: `/api/v1/pricing-rules/quote?optionId=${encodeURIComponent(option.id)}&patientId=${net.patientId}&priceCents=1`,
    });
    expect(res.statusCode).toBe(400);
  });

  it("staff cannot quote for a patient outside their locations (404), and only administrators manage rules", async () => {
    const staff = await clientFor(rounds, "location_staff", { locationIds: [net.satellite.id] });
    const stranger = await createPatient(admin);
    const res = await quote(staff, (await at(net.main.id, "09:00")).id, stranger);
    expect(res.statusCode).toBe(404);
    expect(res.json().errors[0].field).toBe("query.patientId");
    const create = await staff.inject({
      method: "POST",
      url: "/api/v1/pricing-rules",
      payload: {
        locationId: net.satellite.id,
        kind: "off_peak_discount",
        weekdays: [1],
        startTime: "08:00",
        endTime: "09:00",
        utilisationThreshold: 0.2,
        percent: 5,
      },
    });
    expect(create.statusCode).toBe(403);
  });

  it("a rule whose band ends before it starts, or at an unknown location, is refused naming the field", async () => {
    const base = {
      locationId: net.main.id,
      kind: "off_peak_discount",
      weekdays: [1],
      startTime: "12:00",
      endTime: "09:00",
      utilisationThreshold: 0.2,
      percent: 5,
    };
    const backwards = await rule(base);
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().errors[0].field).toBe("body.endTime");
    const nowhere = await rule({
      ...base,
      endTime: "13:00",
      locationId: "00000000-0000-4000-8000-000000000000",
    });
    expect(nowhere.statusCode, nowhere.body).toBe(404);
    expect(nowhere.json().errors[0].field).toBe("body.locationId");
  });

  it("a rule switched off no longer applies", async () => {
    const off = await admin.inject({
      method: "PATCH",
      url: `/api/v1/pricing-rules/${offPeak}`,
      payload: { active: false },
    });
    expect(off.statusCode).toBe(200);
    const res = await quote(admin, (await at(net.main.id, "08:30")).id, net.patientId);
    expect(res.json()).toMatchObject({ priceCents: 15000, reason: "no_rule" });
    await admin.inject({
      method: "PATCH",
      url: `/api/v1/pricing-rules/${offPeak}`,
      payload: { active: true },
    });
  });
});
