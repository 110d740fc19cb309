/**
 * A room taken out of service goes through a plan: the "what if" lists exactly the appointments
 * still to come in it, applying it takes the room out of service and moves each to another free
 * room at the same time first (else the next alternative, else the desk), and only the room's
 * location's staff and administrators may do it.
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Rounds } from "../src/server.js";
import { type Client, clientFor } from "./support/auth.js";
import { buildClinicNetwork, type ClinicNetwork, createPatient, optionsOn } from "./support/network.js";
import { startRounds } from "./support/rounds.js";

let rounds: Rounds;
let net: ClinicNetwork;
let admin: Client;

interface Plan {
  id: string;
  status: string;
  physicianId: string | null;
  roomId: string | null;
  cause: string;
  affected: Array<{
    appointmentId: string;
    start: string;
    alternatives: Array<{ id: string; physicianId: string; locationId: string; start: string }>;
    outcome: { policy: string; state: string; newAppointmentId: string | null } | null;
  }>;
}
interface Appointment {
  id: string;
  status: string;
  start: string;
  roomId: string | null;
  physicianId: string;
  locationId: string;
}

beforeAll(async () => {
  rounds = await startRounds();
  net = await buildClinicNetwork(rounds);
  admin = net.admin;
});
afterAll(() => rounds.close());

async function bookAt(locationId: string, dayOffset: number, time: string): Promise<string> {
  const patientId = await createPatient(admin);
  const option = (await optionsOn(net, admin, dayOffset)).find(
    (o) => o.locationId === locationId && o.local.time === time,
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

const appointment = async (id: string) =>
  (await admin.inject({ url: `/api/v1/appointments/${id}` })).json() as Appointment;
const roomActive = async (id: string) =>
  ((await admin.inject({ url: `/api/v1/rooms/${id}` })).json() as { active: boolean }).active;
const outOfService = (roomId: string, payload: Record<string, unknown> = {}) => ({
  method: "POST" as const,
  url: `/api/v1/rooms/${roomId}/out-of-service`,
  payload,
});

async function propose(roomId: string, as: Client = admin): Promise<Plan> {
  const res = await as.inject(outOfService(roomId));
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as Plan;
}
async function apply(plan: Plan, payload: Record<string, unknown> = {}, as: Client = admin): Promise<Plan> {
  const res = await as.inject({ method: "POST", url: `/api/v1/reschedule-plans/${plan.id}/apply`, payload });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as Plan;
}

describe("taking a room out of service", () => {
  it("the what-if lists exactly the appointments still to come in the room, same time in another room first, and changes nothing", async () => {
    const first = await bookAt(net.main.id, 2, "09:00");
    const second = await bookAt(net.main.id, 2, "10:00");
    const elsewhere = await bookAt(net.satellite.id, 3, "14:00");
    const roomId = (await appointment(first)).roomId!;
    const inRoom = [];
    for (const id of [first, second, elsewhere])
      if ((await appointment(id)).roomId === roomId) inRoom.push(id);
    expect(inRoom).toContain(first);
    expect(inRoom).not.toContain(elsewhere);

    const plan = await propose(roomId);
    expect(plan).toMatchObject({
      status: "proposed",
      cause: "room_out_of_service",
      roomId,
      physicianId: null,
    });
    expect(plan.affected.map((a) => a.appointmentId).sort()).toEqual(inRoom.sort());
    for (const item of plan.affected) {
      // the other exam room at the same time comes first
      expect(item.alternatives[0]).toMatchObject({
        physicianId: net.physicianId,
        locationId: net.main.id,
        start: item.start,
      });
    }
    expect(await roomActive(roomId)).toBe(true);
    for (const id of inRoom) expect((await appointment(id)).status).toBe("booked");
  });

  it("applying with auto_move takes the room out of service and moves each appointment to another room at the same time, notifying the patient", async () => {
    const id = await bookAt(net.main.id, 4, "11:00");
    const before = await appointment(id);
    const roomId = before.roomId!;
    const plan = await propose(roomId);
    expect(plan.affected.map((a) => a.appointmentId)).toContain(id);
    const applied = await apply(plan);
    expect(applied.status).toBe("applied");
    const outcome = applied.affected.find((a) => a.appointmentId === id)!.outcome!;
    expect(outcome).toMatchObject({ policy: "auto_move", state: "moved" });
    expect(await roomActive(roomId)).toBe(false);
    expect((await appointment(id)).status).toBe("cancelled");
    const moved = await appointment(outcome.newAppointmentId!);
    expect(moved).toMatchObject({
      status: "booked",
      start: before.start,
      physicianId: before.physicianId,
      locationId: before.locationId,
    });
    expect(moved.roomId).not.toBe(roomId);
    // the booking path announced a move, which the patient is told of
    const events = await sql<{ type: string }>`
      SELECT type FROM schedule_events WHERE appointment_id = ${moved.id}`.execute(rounds.database.db);
    expect(events.rows.map((r) => r.type)).toContain("appointment.rescheduled");
    // every affected appointment ended somewhere: the report lists it
    const report = (await admin.inject({ url: `/api/v1/reschedule-plans/${plan.id}` })).json() as Plan;
    expect(report.affected.every((a) => a.outcome !== null)).toBe(true);
    // a room already out of service cannot be taken out again
    const again = await admin.inject(outOfService(roomId));
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: "room_inactive", errors: [{ field: "params.id" }] });
  });

  it("when no other room is free at the time, the next alternative is taken; with the staff policy the desk gets it", async () => {
    const small = await buildClinicNetwork(rounds, { roomsPerLocation: 1 });
    const options = await optionsOn(small, admin, 2);
    const option = options.find((o) => o.locationId === small.main.id && o.local.time === "09:30")!;
    const patientId = await createPatient(admin);
    const booked = await admin.inject({
      method: "POST",
      url: "/api/v1/appointments",
      payload: { optionId: option.id, patientId },
    });
    expect(booked.statusCode, booked.body).toBe(201);
    const before = await appointment((booked.json() as { id: string }).id);
    const plan = await propose(before.roomId!);
    const [item] = plan.affected;
    expect(item!.appointmentId).toBe(before.id);
    expect(item!.alternatives.length).toBeGreaterThan(0);
    // no other room at the main campus: nothing at the same time there
    expect(item!.alternatives.some((a) => a.locationId === small.main.id && a.start === before.start)).toBe(
      false,
    );
    const applied = await apply(plan);
    const outcome = applied.affected[0]!.outcome!;
    expect(outcome.state).toBe("moved");
    const moved = await appointment(outcome.newAppointmentId!);
    expect(moved.roomId).not.toBe(before.roomId);
    expect(`${moved.locationId}|${moved.start}`).not.toBe(`${before.locationId}|${before.start}`);

    const there = (await optionsOn(small, admin, 3)).find((o) => o.locationId === small.satellite.id)!;
    const other = (
      (
        await admin.inject({
          method: "POST",
          url: "/api/v1/appointments",
          payload: { optionId: there.id, patientId: await createPatient(admin) },
        })
      ).json() as { id: string }
    ).id;
    const roomId = (await appointment(other)).roomId!;
    const staffPlan = await apply(await propose(roomId), { policy: "staff" });
    expect(staffPlan.affected.find((a) => a.appointmentId === other)!.outcome).toMatchObject({
      policy: "staff",
      state: "needs_attention",
    });
    const desk = await clientFor(rounds, "location_staff", { locationIds: [small.satellite.id] });
    const handovers = (
      await desk.inject({ url: `/api/v1/reschedule-handovers?locationId=${small.satellite.id}` })
    ).json() as { items: Array<{ appointmentId: string }> };
    expect(handovers.items.map((h) => h.appointmentId)).toContain(other);
  });

  it("the room's location's staff may; staff of another location get a 404 on the field, and nothing changes", async () => {
    const roomId = net.satellite.roomIds[1]!;
    const elsewhere = await clientFor(rounds, "location_staff", { locationIds: [net.main.id] });
    const refused = await elsewhere.inject(outOfService(roomId));
    expect(refused.statusCode).toBe(404);
    expect(refused.json()).toMatchObject({ errors: [{ field: "params.id" }] });

    const desk = await clientFor(rounds, "location_staff", { locationIds: [net.satellite.id] });
    const plan = await propose(roomId, desk);
    // another location's staff cannot read or apply it either
    expect((await elsewhere.inject({ url: `/api/v1/reschedule-plans/${plan.id}` })).statusCode).toBe(404);
    const applyRefused = await elsewhere.inject({
      method: "POST",
      url: `/api/v1/reschedule-plans/${plan.id}/apply`,
      payload: {},
    });
    expect(applyRefused.statusCode).toBe(404);
    expect(await roomActive(roomId)).toBe(true);
    // a physician is not admitted at all
    const physician = await clientFor(rounds, "physician", { physicianId: net.physicianId });
    const notAdmitted = await physician.inject(outOfService(roomId));
    expect(notAdmitted.statusCode).toBe(403);
    // nor can a room be named where a physician's change is expected
    const wrongPlace = await admin.inject({
      method: "POST",
      url: "/api/v1/reschedule-plans",
      payload: { change: "room_out_of_service", roomId },
    });
    expect(wrongPlace.statusCode).toBe(400);
  });

  it("bad input is a 4xx naming the field", async () => {
    const malformed = await admin.inject(outOfService("not-a-room"));
    expect(malformed.statusCode).toBe(400);
    expect(JSON.stringify(malformed.json())).toContain("params.id");
    const unknown = await admin.inject(outOfService("00000000-0000-4000-8000-000000000000"));
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ errors: [{ field: "params.id" }] });
    const tooLong = await admin.inject(outOfService(net.satellite.roomIds[0]!, { reason: "x".repeat(1001) }));
    expect(tooLong.statusCode).toBe(400);
    expect(JSON.stringify(tooLong.json())).toContain("body.reason");
  });
});
