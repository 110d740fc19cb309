/**
 * Rescheduling when a physician's plans change: the "what if" changes nothing, applying it moves
 * or hands over every affected appointment, and a plan applied twice or after the facts moved is
 * refused without changing anything.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Rounds } from "../src/server.js";
import { restOfToday } from "../src/services/rescheduling/service.js";
import { type Client, clientFor } from "./support/auth.js";
import { buildClinicNetwork, type ClinicNetwork, createPatient, optionsOn } from "./support/network.js";
import { startRounds } from "./support/rounds.js";

let rounds: Rounds;
let net: ClinicNetwork;
let admin: Client;

interface Plan {
  id: string;
  status: string;
  affected: Array<{
    appointmentId: string;
    alternatives: Array<{ id: string; physicianId: string; start: string }>;
    outcome: { policy: string; state: string; newAppointmentId: string | null } | null;
  }>;
}

beforeAll(async () => {
  rounds = await startRounds();
  net = await buildClinicNetwork(rounds);
  admin = net.admin;
});
afterAll(() => rounds.close());

/** Books a fresh patient with the network's physician at the main campus on day `dayOffset` at `time`. */
async function bookAtMain(dayOffset: number, time: string): Promise<string> {
  const patientId = await createPatient(admin);
  const option = (await optionsOn(net, admin, dayOffset)).find(
    (o) => o.locationId === net.main.id && o.local.time === time,
  );
  if (!option) throw new Error(`no option at ${time}`);
  const res = await admin.inject({
    method: "POST",
    url: "/api/v1/appointments",
    payload: { optionId: option.id, patientId },
  });
  if (res.statusCode !== 201) throw new Error(`book: ${res.statusCode} ${res.body}`);
  return (res.json() as { id: string }).id;
}

const timeOff = (dayOffset: number) => ({
  change: "time_off",
  physicianId: net.physicianId,
  startsAt: net.at("08:00", dayOffset),
  endsAt: net.at("12:00", dayOffset),
  reason: "conference",
});

async function propose(body: Record<string, unknown>, as: Client = admin): Promise<Plan> {
  const res = await as.inject({ method: "POST", url: "/api/v1/reschedule-plans", payload: body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as Plan;
}
const statusOf = async (id: string) =>
  ((await admin.inject({ url: `/api/v1/appointments/${id}` })).json() as { status: string }).status;
const timeOffCount = async () =>
  (
    (await admin.inject({ url: `/api/v1/physicians/${net.physicianId}/time-off` })).json() as {
      total: number;
    }
  ).total;

describe("a department head's what-if before saving a schedule change", () => {
  it("lists the appointments time off would make impossible, with the same physician's times first, and changes nothing", async () => {
    const appointmentId = await bookAtMain(0, "09:00");
    const before = await timeOffCount();
    const plan = await propose(timeOff(0));
    expect(plan.status).toBe("proposed");
    expect(plan.affected.map((a) => a.appointmentId)).toEqual([appointmentId]);
    const [item] = plan.affected;
    expect(item!.alternatives.length).toBeGreaterThan(0);
    expect(item!.alternatives.length).toBeLessThanOrEqual(3);
    expect(item!.alternatives[0]!.physicianId).toBe(net.physicianId);
    // none of the alternatives lies inside the time off
    for (const alt of item!.alternatives)
      expect(
        Date.parse(alt.start) >= Date.parse(net.at("12:00", 0)) ||
          Date.parse(alt.start) < Date.parse(net.at("08:00", 0)),
      ).toBe(true);
    expect(await timeOffCount()).toBe(before);
    expect(await statusOf(appointmentId)).toBe("booked");
    // department heads see no patient records: the plan names no patient
    const patientId = (
      (await admin.inject({ url: `/api/v1/appointments/${appointmentId}` })).json() as {
        patientId: string;
      }
    ).patientId;
    expect(JSON.stringify(plan)).not.toContain(patientId);
  });

  it("applying moves the appointment automatically, reports it, and a second apply is refused", async () => {
    const appointmentId = await bookAtMain(1, "10:00");
    const plan = await propose(timeOff(1));
    const res = await admin.inject({
      method: "POST",
      url: `/api/v1/reschedule-plans/${plan.id}/apply`,
      payload: {},
    });
    expect(res.statusCode, res.body).toBe(200);
    const applied = res.json() as Plan;
    expect(applied.status).toBe("applied");
    const outcome = applied.affected[0]!.outcome!;
    expect(outcome).toMatchObject({ policy: "auto_move", state: "moved" });
    expect(await statusOf(appointmentId)).toBe("cancelled");
    expect(await statusOf(outcome.newAppointmentId!)).toBe("booked");

    const report = (await admin.inject({ url: `/api/v1/reschedule-plans/${plan.id}` })).json() as Plan;
    expect(report.affected[0]!.outcome).toMatchObject({
      state: "moved",
      newAppointmentId: outcome.newAppointmentId,
    });

    const count = await timeOffCount();
    const again = await admin.inject({
      method: "POST",
      url: `/api/v1/reschedule-plans/${plan.id}/apply`,
      payload: {},
    });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: "plan_applied" });
    expect(await timeOffCount()).toBe(count);
  });

  it("a plan whose facts changed since it was made is refused and changes nothing", async () => {
    const appointmentId = await bookAtMain(2, "09:30");
    const plan = await propose(timeOff(2));
    // someone else changes the physician's schedule meanwhile
    const other = await admin.inject({
      method: "POST",
      url: `/api/v1/physicians/${net.physicianId}/time-off`,
      payload: { startsAt: net.at("14:00", 3), endsAt: net.at("15:00", 3) },
    });
    expect(other.statusCode).toBe(201);
    const count = await timeOffCount();
    const res = await admin.inject({
      method: "POST",
      url: `/api/v1/reschedule-plans/${plan.id}/apply`,
      payload: {},
    });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: "plan_stale" });
    expect(await timeOffCount()).toBe(count);
    expect(await statusOf(appointmentId)).toBe("booked");
  });

  it("staff of the location see what was handed to them; staff elsewhere do not", async () => {
    const appointmentId = await bookAtMain(4, "11:00");
    const plan = await propose(timeOff(4));
    const res = await admin.inject({
      method: "POST",
      url: `/api/v1/reschedule-plans/${plan.id}/apply`,
      payload: { policy: "staff" },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect((res.json() as Plan).affected[0]!.outcome).toMatchObject({
      policy: "staff",
      state: "needs_attention",
    });
    // handed over, not dropped: the appointment stays until the desk rebooks it
    expect(await statusOf(appointmentId)).toBe("booked");

    const desk = await clientFor(rounds, "location_staff", { locationIds: [net.main.id] });
    const list = await desk.inject({ url: `/api/v1/reschedule-handovers?locationId=${net.main.id}` });
    expect(list.statusCode).toBe(200);
    expect(
      (list.json() as { items: Array<{ appointmentId: string }> }).items.map((i) => i.appointmentId),
    ).toContain(appointmentId);

    const elsewhere = await clientFor(rounds, "location_staff", { locationIds: [net.satellite.id] });
    const refused = await elsewhere.inject({ url: `/api/v1/reschedule-handovers?locationId=${net.main.id}` });
    expect(refused.statusCode).toBe(404);
    expect(refused.json()).toMatchObject({ errors: [{ field: "query.locationId" }] });
  });
});

describe("who may ask and what they must send", () => {
  it("a department head outside the physician's departments gets a 404 naming body.physicianId", async () => {
    const head = await clientFor(rounds, "department_head", {});
    const res = await head.inject({ method: "POST", url: "/api/v1/reschedule-plans", payload: timeOff(0) });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ errors: [{ field: "body.physicianId" }] });
  });

  it("time off that ends before it starts is a 400 naming body.endsAt", async () => {
    const res = await admin.inject({
      method: "POST",
      url: "/api/v1/reschedule-plans",
      payload: { ...timeOff(0), endsAt: net.at("07:00", 0) },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ errors: [{ field: "body.endsAt" }] });
  });

  it("an exception naming an appointment the plan does not affect is a 422 naming its field", async () => {
    const plan = await propose(timeOff(8));
    const res = await admin.inject({
      method: "POST",
      url: `/api/v1/reschedule-plans/${plan.id}/apply`,
      payload: { exceptions: [{ appointmentId: net.patientId, policy: "staff" }] },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ errors: [{ field: "body.exceptions.0.appointmentId" }] });
  });
});

describe("a physician unavailable for the rest of today", () => {
  const block = (date: string, start: string, end: string, timeZone = "America/New_York") => ({
    locationId: "00000000-0000-4000-8000-00000000000a",
    date,
    startLocal: "",
    endLocal: "",
    start,
    end,
    timeZone,
    source: "template" as const,
    sourceId: "t",
    appointmentTypeIds: [],
    onSite: false,
  });

  it("is time off from now to the end of their last block of today, wherever it is", () => {
    const now = Date.parse("2026-03-10T15:00:00Z"); // 11:00 in New York
    const span = restOfToday(
      [
        block("2026-03-10", "2026-03-10T12:00:00Z", "2026-03-10T16:00:00Z"),
        block("2026-03-10", "2026-03-10T17:00:00Z", "2026-03-10T21:00:00Z"),
        // tomorrow's clinic stays
        block("2026-03-11", "2026-03-11T12:00:00Z", "2026-03-11T16:00:00Z"),
      ],
      now,
    );
    expect(span).toEqual({ startsAt: "2026-03-10T15:00:00.000Z", endsAt: "2026-03-10T21:00:00.000Z" });
  });

  it("with nothing left today, it is an hour of time off that moves nobody", () => {
    const now = Date.parse("2026-03-10T23:30:00Z");
    const span = restOfToday([block("2026-03-10", "2026-03-10T12:00:00Z", "2026-03-10T16:00:00Z")], now);
    expect(span).toEqual({ startsAt: "2026-03-10T23:30:00.000Z", endsAt: "2026-03-11T00:30:00.000Z" });
  });

  it("a department head's what-if for it is stored as the time off it amounts to", async () => {
    const plan = (await propose({ change: "unavailable_today", physicianId: net.physicianId })) as Plan & {
      change: { change: string; startsAt: string; endsAt: string };
    };
    expect(plan.change.change).toBe("time_off");
    expect(Date.parse(plan.change.endsAt)).toBeGreaterThan(Date.parse(plan.change.startsAt));
    expect(Math.abs(Date.parse(plan.change.startsAt) - Date.now())).toBeLessThan(10 * 60_000);
  });
});
