import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Rounds } from "../src/server.js";
import { clientFor } from "./support/auth.js";
import {
  addPhysician,
  buildClinicNetwork,
  type ClinicNetwork,
  campusesAnHourApart,
  createPatient,
  type OptionDto,
  optionsOn,
} from "./support/network.js";
import { startRounds } from "./support/rounds.js";

let rounds: Rounds;
beforeAll(async () => {
  rounds = await startRounds();
});
afterAll(() => rounds.close());

const book = (
  net: ClinicNetwork,
  optionId: string,
  patientId = net.patientId,
  headers: Record<string, string> = {},
) =>
  net.admin.inject({
    method: "POST",
    url: "/api/v1/appointments",
    payload: { optionId, patientId },
    headers,
  });

const startingAt = (options: OptionDto[], local: string, locationId?: string) =>
  options.find((o) => o.local.time === local && (!locationId || o.locationId === locationId));

describe("availability and booking", () => {
  it("a travelling physician is offered at both locations, in local time, only inside their blocks", async () => {
    const net = await buildClinicNetwork(rounds);
    const options = await optionsOn(net, net.admin);
    const atMain = options.filter((o) => o.locationId === net.main.id).map((o) => o.local.time);
    const atSatellite = options.filter((o) => o.locationId === net.satellite.id).map((o) => o.local.time);
    // 08:00-12:00 with 30-minute visits on a 15-minute grid: 08:00 … 11:30
    expect(atMain[0]).toBe("08:00");
    expect(atMain.at(-1)).toBe("11:30");
    expect(atMain).toHaveLength(15);
    expect(atSatellite[0]).toBe("13:00");
    expect(atSatellite.at(-1)).toBe("16:30");
    expect(options.every((o) => o.local.timeZone === "America/New_York" && o.roomId !== null)).toBe(true);
  });

  it("an option booked once cannot be booked again: the second attempt is a 409 naming the physician, with alternatives", async () => {
    const net = await buildClinicNetwork(rounds);
    const option = startingAt(await optionsOn(net, net.admin), "09:00", net.main.id)!;
    const first = await book(net, option.id);
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({
      status: "booked",
      physicianId: net.physicianId,
      locationId: net.main.id,
      local: { time: "09:00" },
    });
    const other = await createPatient(net.admin);
    const second = await book(net, option.id, other);
    expect(second.statusCode).toBe(409);
    expect(second.json().reason).toBe("physician");
    expect(second.json().alternatives.length).toBeGreaterThan(0);
    const after = await optionsOn(net, net.admin);
    expect(after.some((o) => o.start < option.end && o.end > option.start)).toBe(false);
  });

  it("a retried booking with the same Idempotency-Key returns the same appointment instead of a second one", async () => {
    const net = await buildClinicNetwork(rounds);
    const option = startingAt(await optionsOn(net, net.admin), "10:00", net.main.id)!;
    const key = `retry-${option.start}`;
    const first = await book(net, option.id, net.patientId, { "idempotency-key": key });
    const again = await book(net, option.id, net.patientId, { "idempotency-key": key });
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(first.json().id);
    const list = await net.admin.inject({ url: `/api/v1/appointments?patientId=${net.patientId}` });
    expect(list.json().total).toBe(1);
  });

  // the transfer of issue 12: A 08:00-12:00, B 12:00-16:00, 45 minutes apart, 45-minute visits
  const transfer = () =>
    buildClinicNetwork(rounds, { travelMinutes: 45, satelliteStart: "12:00", durationMinutes: 45 });

  it("a physician at the main campus until noon and at the satellite from noon, 45 minutes apart, is offered at both until one is booked", async () => {
    const net = await transfer();
    const options = await optionsOn(net, net.admin);
    const lastAtMain = startingAt(options, "11:15", net.main.id)!;
    const firstAtSatellite = startingAt(options, "12:00", net.satellite.id)!;
    expect(lastAtMain).toBeDefined();
    expect(firstAtSatellite).toBeDefined();
    // booking the end of the morning takes the start of the afternoon, which was offered alongside
    expect((await book(net, lastAtMain.id)).statusCode).toBe(201);
    const refused = await book(net, firstAtSatellite.id, await createPatient(net.admin));
    expect(refused.statusCode).toBe(409);
    expect(refused.json().reason).toBe("travel");
    const after = (await optionsOn(net, net.admin)).filter((o) => o.locationId === net.satellite.id);
    expect(after[0]!.local.time).toBe("12:45");
  });

  it("booking the start of the afternoon at the satellite takes the end of the morning at the main campus", async () => {
    const net = await transfer();
    const options = await optionsOn(net, net.admin);
    const lastAtMain = startingAt(options, "11:15", net.main.id)!;
    expect((await book(net, startingAt(options, "12:00", net.satellite.id)!.id)).statusCode).toBe(201);
    const refused = await book(net, lastAtMain.id, await createPatient(net.admin));
    expect(refused.statusCode).toBe(409);
    expect(refused.json().reason).toBe("travel");
    const after = (await optionsOn(net, net.admin)).filter((o) => o.locationId === net.main.id);
    // 10:30-11:15, then 45 minutes' drive to the 12:00 visit
    expect(after.at(-1)!.local.time).toBe("10:30");
  });

  it("a hold at the end of the morning keeps the drive free before the afternoon, and frees it when it lapses", async () => {
    const net = await buildClinicNetwork(rounds, { travelMinutes: 45, satelliteStart: "12:00" });
    const options = await optionsOn(net, net.admin);
    const hold = await net.admin.inject({
      method: "POST",
      url: "/api/v1/holds",
      payload: { optionId: startingAt(options, "11:30", net.main.id)!.id, patientId: net.patientId },
    });
    expect(hold.statusCode).toBe(201);
    const afternoon = startingAt(options, "12:00", net.satellite.id)!;
    const refused = await book(net, afternoon.id, await createPatient(net.admin));
    expect(refused.statusCode).toBe(409);
    expect(refused.json().reason).toBe("travel");
    await sql`UPDATE appointments SET hold_expires_at = now() - interval '1 minute' WHERE id = ${hold.json().id}`.execute(
      rounds.database.db,
    );
    expect((await book(net, afternoon.id, await createPatient(net.admin))).statusCode).toBe(201);
  });

  it("blocks marked on site for the whole block keep the physician there: the drive is left free either side", async () => {
    const net = await buildClinicNetwork(rounds, {
      travelMinutes: 45,
      satelliteStart: "12:00",
      onSite: true,
    });
    const templates = await net.admin.inject({ url: `/api/v1/physicians/${net.physicianId}/templates` });
    expect(templates.json().items.every((t: { onSite: boolean }) => t.onSite)).toBe(true);
    const options = await optionsOn(net, net.admin);
    expect(options.filter((o) => o.locationId === net.main.id).at(-1)!.local.time).toBe("10:45");
    expect(options.filter((o) => o.locationId === net.satellite.id)[0]!.local.time).toBe("12:45");
  });

  it("a patient cannot be booked into two overlapping appointments, even with different physicians", async () => {
    const net = await buildClinicNetwork(rounds);
    const other = await buildClinicNetwork(rounds);
    const mine = startingAt(await optionsOn(net, net.admin), "09:00", net.main.id)!;
    expect((await book(net, mine.id)).statusCode).toBe(201);
    const clash = startingAt(await optionsOn(other, other.admin), "09:15", other.main.id)!;
    const res = await book(other, clash.id, net.patientId);
    expect(res.statusCode).toBe(409);
    expect(res.json().reason).toBe("patient");
  });

  it("a hold keeps the option for its patient and is then booked; nobody else can take it meanwhile", async () => {
    const net = await buildClinicNetwork(rounds);
    const option = startingAt(await optionsOn(net, net.admin), "11:00", net.main.id)!;
    const hold = await net.admin.inject({
      method: "POST",
      url: "/api/v1/holds",
      payload: { optionId: option.id, patientId: net.patientId },
    });
    expect(hold.statusCode).toBe(201);
    expect(hold.json().status).toBe("held");
    expect(Date.parse(hold.json().holdExpiresAt)).toBeGreaterThan(Date.now());
    const intruder = await createPatient(net.admin);
    expect((await book(net, option.id, intruder)).statusCode).toBe(409);
    const booked = await net.admin.inject({
      method: "POST",
      url: "/api/v1/appointments",
      payload: { holdId: hold.json().id, patientId: net.patientId },
    });
    expect(booked.statusCode).toBe(201);
    expect(booked.json()).toMatchObject({ id: hold.json().id, status: "booked", holdExpiresAt: null });
  });

  it("an expired hold no longer blocks the slot", async () => {
    const net = await buildClinicNetwork(rounds);
    const option = startingAt(await optionsOn(net, net.admin), "08:30", net.main.id)!;
    const hold = await net.admin.inject({
      method: "POST",
      url: "/api/v1/holds",
      payload: { optionId: option.id, patientId: net.patientId },
    });
    // the hold's time runs out (moved into the past behind the application's back)
    await sql`UPDATE appointments SET hold_expires_at = now() - interval '1 minute' WHERE id = ${hold.json().id}`.execute(
      rounds.database.db,
    );
    const other = await createPatient(net.admin);
    expect((await book(net, option.id, other)).statusCode).toBe(201);
    const late = await net.admin.inject({
      method: "POST",
      url: "/api/v1/appointments",
      payload: { holdId: hold.json().id, patientId: net.patientId },
    });
    expect(late.statusCode).toBe(409);
    expect(late.json().reason).toBe("hold_expired");
  });

  it("when the room shown is taken, a booking gets the next room even if a lapsed hold still sits in it", async () => {
    const net = await buildClinicNetwork(rounds, { roomsPerLocation: 2 });
    const morning = [{ locationId: net.main.id, startTime: "08:00", endTime: "12:00" }];
    const [b, c] = [
      await addPhysician(net.admin, net.specialty, morning),
      await addPhysician(net.admin, net.specialty, morning),
    ];
    const nineFor = async (physicianId: string) =>
      startingAt(await optionsOn({ ...net, physicianId }, net.admin), "09:00", net.main.id)!;
    const mine = await nineFor(net.physicianId);
    // another physician's patient takes the room this option showed
    const taken = await book(net, (await nineFor(b)).id, await createPatient(net.admin));
    expect(taken.json().roomId).toBe(mine.roomId);
    // a third physician's hold sits in the other room, and runs out
    const hold = await net.admin.inject({
      method: "POST",
      url: "/api/v1/holds",
      payload: { optionId: (await nineFor(c)).id, patientId: await createPatient(net.admin) },
    });
    const otherRoom = hold.json().roomId;
    expect(otherRoom).not.toBe(mine.roomId);
    await sql`UPDATE appointments SET hold_expires_at = now() - interval '1 minute' WHERE id = ${hold.json().id}`.execute(
      rounds.database.db,
    );
    const res = await book(net, mine.id);
    expect(res.statusCode).toBe(201);
    expect(res.json().roomId).toBe(otherRoom);
    const lapsed = await net.admin.inject({ url: `/api/v1/appointments/${hold.json().id}` });
    expect(lapsed.json().status).toBe("expired");
  });

  it("a patient who asked for a step-free room is never booked into one with steps when the room shown was taken meanwhile", async () => {
    const net = await buildClinicNetwork(rounds, { roomsPerLocation: 2 });
    const [stepFree, withSteps] = net.main.roomIds as [string, string];
    const patched = await net.admin.inject({
      method: "PATCH",
      url: `/api/v1/rooms/${withSteps}`,
      payload: { stepFree: false },
    });
    expect(patched.statusCode).toBe(200);
    const b = await addPhysician(net.admin, net.specialty, [
      { locationId: net.main.id, startTime: "08:00", endTime: "12:00" },
    ]);
    const nineFor = async (physicianId: string) =>
      startingAt(
        await optionsOn({ ...net, physicianId }, net.admin, 0, "&stepFree=true"),
        "09:00",
        net.main.id,
      )!;
    const mine = await nineFor(net.physicianId);
    expect(mine.roomId).toBe(stepFree);
    // another patient who also needs step-free access takes that room first
    const taken = await book(net, (await nineFor(b)).id, await createPatient(net.admin));
    expect(taken.json().roomId).toBe(stepFree);
    const res = await book(net, mine.id);
    expect(res.statusCode, res.body).toBe(409);
    expect(res.json().reason).toBe("room");
    const list = await net.admin.inject({ url: `/api/v1/appointments?patientId=${net.patientId}` });
    expect((list.json() as { items: Array<{ roomId: string }> }).items.map((a) => a.roomId)).not.toContain(
      withSteps,
    );
  });

  it("an appointment moves through check-in, visit and completion, and a completed one cannot be cancelled", async () => {
    const net = await buildClinicNetwork(rounds);
    const option = startingAt(await optionsOn(net, net.admin), "09:30", net.main.id)!;
    const id = (await book(net, option.id)).json().id as string;
    const move = (status: string) =>
      net.admin.inject({ method: "POST", url: `/api/v1/appointments/${id}/status`, payload: { status } });
    expect((await move("completed")).statusCode).toBe(409);
    expect((await move("checked_in")).json().status).toBe("checked_in");
    expect((await move("in_progress")).json().status).toBe("in_progress");
    expect((await move("completed")).json().status).toBe("completed");
    const cancel = await net.admin.inject({
      method: "POST",
      url: `/api/v1/appointments/${id}/cancel`,
      payload: { reason: "changed mind" },
    });
    expect(cancel.statusCode).toBe(409);
    expect(cancel.json().code).toBe("invalid_transition");
  });

  it("rescheduling moves the appointment; if the new time is taken the old one is kept", async () => {
    const net = await buildClinicNetwork(rounds);
    const options = await optionsOn(net, net.admin);
    const original = (await book(net, startingAt(options, "08:00", net.main.id)!.id)).json();
    const taken = startingAt(options, "10:00", net.main.id)!;
    expect((await book(net, taken.id, await createPatient(net.admin))).statusCode).toBe(201);
    const failed = await net.admin.inject({
      method: "POST",
      url: `/api/v1/appointments/${original.id}/reschedule`,
      payload: { optionId: taken.id },
    });
    expect(failed.statusCode).toBe(409);
    expect((await net.admin.inject({ url: `/api/v1/appointments/${original.id}` })).json().status).toBe(
      "booked",
    );
    const target = startingAt(options, "14:00", net.satellite.id)!;
    const moved = await net.admin.inject({
      method: "POST",
      url: `/api/v1/appointments/${original.id}/reschedule`,
      payload: { optionId: target.id, reason: "closer to home" },
    });
    expect(moved.statusCode).toBe(201);
    expect(moved.json()).toMatchObject({
      rescheduledFrom: original.id,
      locationId: net.satellite.id,
      local: { time: "14:00" },
    });
    expect((await net.admin.inject({ url: `/api/v1/appointments/${original.id}` })).json().status).toBe(
      "cancelled",
    );
  });

  it("a patient books for themselves but not for a stranger, and staff only see their own location's appointments", async () => {
    const net = await buildClinicNetwork(rounds);
    const patient = await clientFor(rounds, "patient", { patientId: net.patientId });
    const options = await optionsOn(net, patient);
    const opt = startingAt(options, "13:30", net.satellite.id)!;
    const stranger = await createPatient(net.admin);
    const forStranger = await patient.inject({
      method: "POST",
      url: "/api/v1/appointments",
      payload: { optionId: opt.id, patientId: stranger },
    });
    expect(forStranger.statusCode).toBe(404);
    const mine = await patient.inject({
      method: "POST",
      url: "/api/v1/appointments",
      payload: { optionId: opt.id, patientId: net.patientId },
    });
    expect(mine.statusCode).toBe(201);
    const satelliteStaff = await clientFor(rounds, "location_staff", { locationIds: [net.satellite.id] });
    const mainStaff = await clientFor(rounds, "location_staff", { locationIds: [net.main.id] });
    expect((await satelliteStaff.inject({ url: `/api/v1/appointments/${mine.json().id}` })).statusCode).toBe(
      200,
    );
    expect((await mainStaff.inject({ url: `/api/v1/appointments/${mine.json().id}` })).statusCode).toBe(404);
    expect((await mainStaff.inject({ url: `/api/v1/patients/${net.patientId}` })).statusCode).toBe(404);
    expect((await satelliteStaff.inject({ url: `/api/v1/patients/${net.patientId}` })).statusCode).toBe(200);
  });

  it("a patient booked elsewhere too close to travel between gets a 409 saying so, and alternatives that leave time to get there", async () => {
    const [first, second] = await campusesAnHourApart(rounds);
    const morning = startingAt(await optionsOn(first, first.admin), "10:00", first.main.id)!;
    expect((await book(first, morning.id)).statusCode).toBe(201);
    // 10:45 at the other campus: no overlap with 10:00-10:30, but an hour's drive away
    const tooSoon = startingAt(await optionsOn(second, second.admin), "10:45", second.main.id)!;
    const res = await book(second, tooSoon.id, first.patientId);
    expect(res.statusCode).toBe(409);
    expect(res.json().reason).toBe("patient");
    const alternatives = res.json().alternatives as OptionDto[];
    expect(alternatives.length).toBeGreaterThan(0);
    for (const a of alternatives) {
      const gapAfter = Date.parse(a.start) - Date.parse(morning.end);
      const gapBefore = Date.parse(morning.start) - Date.parse(a.end);
      expect(gapAfter >= 3_600_000 || gapBefore >= 3_600_000).toBe(true);
    }
  });

  it("twenty simultaneous bookings of one option give exactly one appointment", async () => {
    const net = await buildClinicNetwork(rounds);
    const option = startingAt(await optionsOn(net, net.admin), "15:00", net.satellite.id)!;
    const patients = await Promise.all(Array.from({ length: 20 }, () => createPatient(net.admin)));
    const results = await Promise.all(patients.map((p) => book(net, option.id, p)));
    const codes = results.map((r) => r.statusCode).sort();
    expect(codes.filter((c) => c === 201)).toHaveLength(1);
    expect(codes.filter((c) => c === 409)).toHaveLength(19);
    const overlapping = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM appointments a JOIN appointments b ON a.id < b.id AND a.physician_id = b.physician_id
      WHERE a.active AND b.active AND tstzrange(a.starts_at, a.ends_at) && tstzrange(b.starts_at, b.ends_at)`.execute(
      rounds.database.db,
    );
    expect(overlapping.rows[0]!.n).toBe(0);
  });

  it("a physician's schedule shows no drive between blocks back to back at two locations until a visit on each side needs one", async () => {
    const net = await buildClinicNetwork(rounds, { travelMinutes: 45, satelliteStart: "12:00" });
    const physician = await clientFor(rounds, "physician", { physicianId: net.physicianId });
    const travel = async () =>
      (
        await physician.inject({
          url: `/api/v1/physicians/${net.physicianId}/schedule?from=${net.monday}&to=${net.monday}`,
        })
      )
        .json()
        .entries.filter((e: { kind: string }) => e.kind === "travel");
    expect(await travel()).toEqual([]);
    const options = await optionsOn(net, net.admin);
    const morning = startingAt(options, "10:00", net.main.id)!;
    expect((await book(net, morning.id)).statusCode).toBe(201);
    expect(await travel()).toEqual([]);
    const afternoon = startingAt(options, "12:00", net.satellite.id)!;
    expect((await book(net, afternoon.id, await createPatient(net.admin))).statusCode).toBe(201);
    expect(await travel()).toEqual([
      expect.objectContaining({
        start: morning.end,
        end: new Date(net.at("11:15")).toISOString(),
        minutes: 45,
      }),
    ]);
  });

  it("the physician's unified schedule shows both locations, the booked visits and the drive between them", async () => {
    const net = await buildClinicNetwork(rounds);
    const options = await optionsOn(net, net.admin);
    const option = startingAt(options, "09:00", net.main.id)!;
    await book(net, option.id);
    await book(net, startingAt(options, "13:00", net.satellite.id)!.id, await createPatient(net.admin));
    const physician = await clientFor(rounds, "physician", { physicianId: net.physicianId });
    const res = await physician.inject({
      url: `/api/v1/physicians/${net.physicianId}/schedule?from=${net.monday}&to=${net.monday}`,
    });
    expect(res.statusCode).toBe(200);
    const kinds = res.json().entries.map((e: { kind: string; locationId?: string }) => e.kind);
    expect(kinds.filter((k: string) => k === "assignment")).toHaveLength(2);
    expect(kinds).toContain("travel");
    // the drive starts when the morning's last visit ends, not when the morning block does
    expect(res.json().entries.find((e: { kind: string }) => e.kind === "travel")).toMatchObject({
      fromLocationId: net.main.id,
      toLocationId: net.satellite.id,
      start: option.end,
      minutes: 30,
    });
    const visit = res.json().entries.find((e: { kind: string }) => e.kind === "appointment");
    expect(visit).toMatchObject({
      locationId: net.main.id,
      patientId: net.patientId,
      local: { time: "09:00" },
    });
    const otherPhysician = await clientFor(rounds, "physician", {
      physicianId: (await buildClinicNetwork(rounds)).physicianId,
    });
    expect(
      (
        await otherPhysician.inject({
          url: `/api/v1/physicians/${net.physicianId}/schedule?from=${net.monday}&to=${net.monday}`,
        })
      ).statusCode,
    ).toBe(404);
  });
});
