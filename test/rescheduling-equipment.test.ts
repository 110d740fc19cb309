/**
 * Equipment taken out of service goes through a plan, as rooms do: the "what if" lists every
 * appointment still to come that booked the item (at its home or at a location it was brought
 * to), with the same time with another unit first; applying it does exactly what the preview said
 * and every affected appointment ends in a state the report shows. A period out of service
 * (`until`) keeps a room or an item out of search and booking inside it, and only inside it;
 * "back in service" ends it. Only the item's location's staff and administrators may.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Rounds } from "../src/server.js";
import { type Client, clientFor } from "./support/auth.js";
import {
  addPhysician,
  buildClinicNetwork,
  type ClinicNetwork,
  createPatient,
  optionsOn,
} from "./support/network.js";
import { startRounds, unique } from "./support/rounds.js";

let rounds: Rounds;
let net: ClinicNetwork;
let admin: Client;
let kind: string;
let ecgType: string;
/** Works at the main campus all day (the network's physician: main until noon, satellite from 13:00). */
let mainPhysician: string;
let mainDesk: Client;
let satelliteDesk: Client;

interface Option {
  id: string;
  physicianId: string;
  locationId: string;
  start: string;
  local: { time: string };
  equipmentIds: string[];
}
interface Plan {
  id: string;
  status: string;
  cause: string;
  equipmentId: string | null;
  roomId: string | null;
  physicianId: string | null;
  change: { from?: string; until?: string | null };
  affected: Array<{
    appointmentId: string;
    locationId: string;
    start: string;
    alternatives: Array<{
      id: string;
      physicianId: string;
      locationId: string;
      start: string;
      equipment: Array<{ id: string }>;
    }>;
    outcome: { policy: string; state: string; newAppointmentId: string | null; note: string | null } | null;
  }>;
}
interface Item {
  id: string;
  name: string;
  active: boolean;
  travels: boolean;
  mobile: boolean;
  outOfService: { from: string; until: string | null; reason: string | null } | null;
}

async function created<T>(
  res: { statusCode: number; body: string; json(): unknown },
  status = 201,
): Promise<T> {
  expect(res.statusCode, res.body).toBe(status);
  return res.json() as T;
}

const addItem = async (locationId: string, payload: Record<string, unknown>) =>
  (
    await created<{ id: string }>(
      await admin.inject({
        method: "POST",
        url: `/api/v1/locations/${locationId}/equipment`,
        payload: { kind, name: "ECG cart", assetTag: `ECG-${unique(8)}`, mobile: true, ...payload },
      }),
    )
  ).id;

beforeAll(async () => {
  rounds = await startRounds();
  net = await buildClinicNetwork(rounds, { travelMinutes: 30 });
  admin = net.admin;
  mainPhysician = await addPhysician(admin, net.specialty, [
    { locationId: net.main.id, startTime: "08:00", endTime: "17:00" },
  ]);
  // a kind of its own, so other tests' carts never stand in
  kind = `ecg_${unique(8).toLowerCase()}`;
  ecgType = (
    await created<{ id: string }>(
      await admin.inject({
        method: "POST",
        url: "/api/v1/appointment-types",
        payload: {
          code: `ECG${unique(8)}`,
          name: "Resting ECG",
          specialty: net.specialty,
          durationMinutes: 30,
          slotIntervalMinutes: 15,
          roomKind: "exam",
          equipmentKinds: [kind],
          visitKind: "procedure",
        },
      }),
    )
  ).id;
  mainDesk = await clientFor(rounds, "location_staff", { locationIds: [net.main.id] });
  satelliteDesk = await clientFor(rounds, "location_staff", { locationIds: [net.satellite.id] });
}, 120_000);
afterAll(() => rounds.close());

async function options(physicianId: string, day: number): Promise<Option[]> {
  const res = await admin.inject({
    url: `/api/v1/availability?appointmentTypeId=${ecgType}&physicianId=${physicianId}&from=${encodeURIComponent(net.at("00:00", day))}&to=${encodeURIComponent(net.at("23:59", day))}&limit=200`,
  });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { options: Option[] }).options;
}
const timesAt = async (physicianId: string, locationId: string, day: number) =>
  (await options(physicianId, day)).filter((o) => o.locationId === locationId).map((o) => o.local.time);

async function book(physicianId: string, locationId: string, day: number, time: string) {
  const option = (await options(physicianId, day)).find(
    (o) => o.locationId === locationId && o.local.time === time,
  );
  expect(option, `${time} offered`).toBeDefined();
  const appt = await created<{ id: string; equipmentIds?: string[] }>(
    await admin.inject({
      method: "POST",
      url: "/api/v1/appointments",
      payload: { optionId: option!.id, patientId: await createPatient(admin) },
    }),
  );
  return { id: appt.id, option: option! };
}
const appointment = async (id: string) =>
  (await admin.inject({ url: `/api/v1/appointments/${id}` })).json() as {
    id: string;
    status: string;
    start: string;
    locationId: string;
    physicianId: string;
    equipment?: Array<{ id: string }>;
    equipmentIds?: string[];
  };
const item = async (id: string, as: Client = admin) =>
  created<Item>(await as.inject({ url: `/api/v1/equipment/${id}` }), 200);
const outOfService = (id: string, payload: Record<string, unknown> = {}) => ({
  method: "POST" as const,
  url: `/api/v1/equipment/${id}/out-of-service`,
  payload,
});
const propose = async (id: string, payload: Record<string, unknown> = {}, as: Client = admin) =>
  created<Plan>(await as.inject(outOfService(id, payload)));
const apply = async (plan: Plan, payload: Record<string, unknown> = {}, as: Client = admin) =>
  created<Plan>(
    await as.inject({ method: "POST", url: `/api/v1/reschedule-plans/${plan.id}/apply`, payload }),
    200,
  );

describe("taking equipment out of service", () => {
  it("lists every appointment that booked the cart, also where it was brought to; applying does what the preview showed and every appointment ends visibly", async () => {
    const cart = await addItem(net.main.id, { name: "Travelling ECG cart", travels: true });
    // the only unit of its kind: the satellite's 13:00 brings it from the main campus
    const atSatellite = await book(net.physicianId, net.satellite.id, 1, "13:00");
    const atMain = await book(mainPhysician, net.main.id, 1, "09:00");
    expect(atSatellite.option.equipmentIds).toEqual([cart]);
    expect(atMain.option.equipmentIds).toEqual([cart]);
    // then the satellite gets a unit of its own that stays there
    const spare = await addItem(net.satellite.id, { name: "Satellite ECG", travels: false });

    const plan = await propose(cart, { reason: "battery fault" });
    expect(plan).toMatchObject({
      status: "proposed",
      cause: "equipment_out_of_service",
      equipmentId: cart,
      roomId: null,
      physicianId: null,
    });
    expect(plan.affected.map((a) => a.appointmentId).sort()).toEqual([atMain.id, atSatellite.id].sort());
    const satelliteItem = plan.affected.find((a) => a.appointmentId === atSatellite.id)!;
    // the same time with the satellite's own unit comes first
    expect(satelliteItem.alternatives[0]).toMatchObject({
      physicianId: net.physicianId,
      locationId: net.satellite.id,
      start: satelliteItem.start,
    });
    expect(satelliteItem.alternatives[0]!.equipment.map((e) => e.id)).toEqual([spare]);
    // the what-if changed nothing
    expect((await item(cart)).active).toBe(true);
    expect((await appointment(atMain.id)).status).toBe("booked");

    const applied = await apply(plan, { policy: "auto_move" });
    expect(applied.status).toBe("applied");
    for (const a of applied.affected) {
      expect(a.outcome, a.appointmentId).not.toBeNull();
      expect(["moved", "needs_attention"]).toContain(a.outcome!.state);
      if (a.outcome!.state === "moved") {
        // moved to one of the alternatives the preview showed
        const moved = await appointment(a.outcome!.newAppointmentId!);
        expect(a.alternatives.map((x) => `${x.physicianId}|${x.locationId}|${x.start}`)).toContain(
          `${moved.physicianId}|${moved.locationId}|${moved.start}`,
        );
        expect((await appointment(a.appointmentId)).status).toBe("cancelled");
      } else {
        expect(a.alternatives).toHaveLength(0);
        expect(a.outcome!.note).toBeTruthy();
      }
    }
    const movedSatellite = applied.affected.find((a) => a.appointmentId === atSatellite.id)!.outcome!;
    expect(movedSatellite.state).toBe("moved");
    expect((await appointment(movedSatellite.newAppointmentId!)).start).toBe(satelliteItem.start);

    // out of service for good: inactive, never offered; the report at each location lists its own
    expect(await item(cart)).toMatchObject({
      active: false,
      outOfService: { until: null, reason: "battery fault" },
    });
    expect(await timesAt(mainPhysician, net.main.id, 2)).toEqual([]);
    const report = (
      await satelliteDesk.inject({ url: `/api/v1/reschedule-outcomes?locationId=${net.satellite.id}` })
    ).json() as { items: Array<{ appointmentId: string; state: string }> };
    expect(report.items.map((r) => r.appointmentId)).toContain(atSatellite.id);
    // taken out again: a conflict; put back: offered again
    const again = await admin.inject(outOfService(cart));
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: "equipment_inactive", errors: [{ field: "params.id" }] });
    const back = await created<Item>(
      await mainDesk.inject({ method: "POST", url: `/api/v1/equipment/${cart}/back-in-service` }),
      200,
    );
    expect(back).toMatchObject({ active: true, outOfService: null });
    expect(await timesAt(mainPhysician, net.main.id, 2)).toContain("09:00");
    const twice = await mainDesk.inject({ method: "POST", url: `/api/v1/equipment/${cart}/back-in-service` });
    expect(twice.statusCode).toBe(409);
  });

  it("a period out of service keeps the item out of search and booking inside it, and only inside it", async () => {
    // the main campus's only unit on day 3 (the travelling cart of the first test stays at home)
    const day = 3;
    const before = await timesAt(mainPhysician, net.main.id, day);
    expect(before).toEqual(expect.arrayContaining(["09:30", "10:00", "10:30", "11:00"]));
    const inside = (await options(mainPhysician, day)).find(
      (o) => o.locationId === net.main.id && o.local.time === "10:15",
    )!;
    const units = new Set((await options(mainPhysician, day)).flatMap((o) => o.equipmentIds));
    const plans: Plan[] = [];
    for (const unit of units)
      plans.push(await propose(unit, { from: net.at("10:00", day), until: net.at("11:00", day) }));
    for (const plan of plans) {
      expect(plan.change).toMatchObject({ until: new Date(net.at("11:00", day)).toISOString() });
      expect(plan.affected).toEqual([]);
      await apply(plan);
    }
    const during = await timesAt(mainPhysician, net.main.id, day);
    // a 30-minute ECG starting 09:30 ends at 10:00 and one at 11:00 starts as the period ends
    expect(during).toEqual(expect.arrayContaining(["09:00", "09:30", "11:00", "11:30"]));
    for (const t of ["09:45", "10:00", "10:15", "10:30", "10:45"]) expect(during).not.toContain(t);
    // an option shown before the period was planned cannot be booked inside it
    const late = await admin.inject({
      method: "POST",
      url: "/api/v1/appointments",
      payload: { optionId: inside.id, patientId: await createPatient(admin) },
    });
    expect(late.statusCode).toBe(409);
    // the item says so, and stays active: it comes back by itself
    for (const unit of units)
      expect(await item(unit)).toMatchObject({
        active: true,
        outOfService: { from: new Date(net.at("10:00", day)).toISOString() },
      });
    for (const unit of units)
      await created(
        await admin.inject({ method: "POST", url: `/api/v1/equipment/${unit}/back-in-service` }),
        200,
      );
    expect(await timesAt(mainPhysician, net.main.id, day)).toContain("10:15");
  });

  it("a room's period out of service moves only the appointments inside it", async () => {
    const small = await buildClinicNetwork(rounds, { roomsPerLocation: 1 });
    const optionsOf = async (day: number) =>
      (await optionsOn(small, admin, day)).filter((o) => o.locationId === small.main.id);
    const list = await optionsOf(2);
    const bookAt = async (time: string) =>
      (
        await created<{ id: string }>(
          await admin.inject({
            method: "POST",
            url: "/api/v1/appointments",
            payload: {
              optionId: list.find((o) => o.local.time === time)!.id,
              patientId: await createPatient(admin),
            },
          }),
        )
      ).id;
    const inside = await bookAt("09:00");
    const outside = await bookAt("11:00");
    const roomId = small.main.roomIds[0]!;
    const plan = await created<Plan>(
      await admin.inject({
        method: "POST",
        url: `/api/v1/rooms/${roomId}/out-of-service`,
        payload: { from: small.at("08:30", 2), until: small.at("10:00", 2), reason: "repainting" },
      }),
    );
    expect(plan.affected.map((a) => a.appointmentId)).toEqual([inside]);
    const applied = await apply(plan, { policy: "staff" });
    expect(applied.affected[0]!.outcome).toMatchObject({ state: "needs_attention" });
    expect((await appointment(outside)).status).toBe("booked");
    const times = (await optionsOf(2)).map((o) => o.local.time);
    expect(times).toContain("10:00");
    expect(times).not.toContain("09:30");
    const room = (await admin.inject({ url: `/api/v1/rooms/${roomId}` })).json() as Item;
    expect(room).toMatchObject({ active: true, outOfService: { reason: "repainting" } });
  });

  it("the item's location's staff may; others get a 404 on the field, audited, and nothing changes", async () => {
    const unit = await addItem(net.satellite.id, { name: "Holter", travels: false });
    const refused = await mainDesk.inject(outOfService(unit));
    expect(refused.statusCode).toBe(404);
    expect(refused.json()).toMatchObject({ errors: [{ field: "params.id" }] });
    const trail = (
      await admin.inject({ url: `/api/v1/audit-events?userId=${mainDesk.user.userId}&limit=200` })
    ).json() as { items: Array<{ action: string; detail: { route?: string } }> };
    expect(
      trail.items.some(
        (e) => e.action === "access.refused" && e.detail.route === "/api/v1/equipment/:id/out-of-service",
      ),
    ).toBe(true);
    for (const req of [
      { url: `/api/v1/equipment/${unit}` },
      { method: "PATCH" as const, url: `/api/v1/equipment/${unit}`, payload: { name: "Mine now" } },
      { method: "POST" as const, url: `/api/v1/equipment/${unit}/back-in-service` },
    ])
      expect((await mainDesk.inject(req)).statusCode).toBe(404);
    expect(await item(unit)).toMatchObject({ active: true, outOfService: null, name: "Holter" });
    const physician = await clientFor(rounds, "physician", { physicianId: net.physicianId });
    expect((await physician.inject(outOfService(unit))).statusCode).toBe(403);
    // the satellite's own desk may, and the plan is theirs to apply
    const plan = await propose(unit, {}, satelliteDesk);
    expect((await mainDesk.inject({ url: `/api/v1/reschedule-plans/${plan.id}` })).statusCode).toBe(404);
    await apply(plan, {}, satelliteDesk);
    expect((await item(unit, satelliteDesk)).active).toBe(false);
  });

  it("equipment is edited after creation, audited, keeping the rules of where it stands", async () => {
    const unit = await addItem(net.main.id, { name: "Old name", travels: false });
    const renamed = await created<Item>(
      await mainDesk.inject({
        method: "PATCH",
        url: `/api/v1/equipment/${unit}`,
        payload: { name: "ECG cart 2", travels: true },
      }),
      200,
    );
    expect(renamed).toMatchObject({ name: "ECG cart 2", travels: true });
    const trail = (
      await admin.inject({ url: `/api/v1/audit-events?userId=${mainDesk.user.userId}&limit=200` })
    ).json() as { items: Array<{ action: string; resourceId: string | null }> };
    expect(trail.items.some((e) => e.action === "equipment.update" && e.resourceId === unit)).toBe(true);
    const fixed = await mainDesk.inject({
      method: "PATCH",
      url: `/api/v1/equipment/${unit}`,
      payload: { mobile: false },
    });
    expect(fixed.statusCode).toBe(422);
    expect(fixed.json()).toMatchObject({ errors: [{ field: "body.roomId" }] });
    // booked: where it stands waits until its bookings are moved
    const booked = await book(mainPhysician, net.main.id, 4, "14:00");
    const used = booked.option.equipmentIds[0]!;
    const moving = await admin.inject({
      method: "PATCH",
      url: `/api/v1/equipment/${used}`,
      payload: { locationId: net.satellite.id },
    });
    expect(moving.statusCode).toBe(409);
    expect(moving.json()).toMatchObject({ code: "equipment_booked", errors: [{ field: "body.locationId" }] });
    // the desk of one location cannot send it to another
    const away = await mainDesk.inject({
      method: "PATCH",
      url: `/api/v1/equipment/${unit}`,
      payload: { locationId: net.satellite.id },
    });
    expect(away.statusCode).toBe(404);
    expect(away.json()).toMatchObject({ errors: [{ field: "body.locationId" }] });
  });

  it("bad input is a 4xx problem naming the field, and changes nothing", async () => {
    const unit = await addItem(net.satellite.id, { name: "Spirometer", travels: false });
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ until: net.at("09:00", 1), from: net.at("10:00", 1) }, 422, "body.until"],
      [{ from: "2020-01-01T09:00:00Z" }, 422, "body.from"],
      [{ until: "tomorrow" }, 400, "body.until"],
      [{ reason: "x".repeat(1001) }, 400, "body.reason"],
      [{ policy: "auto_move" }, 400, "body"],
    ];
    for (const [payload, status, field] of cases) {
      const res = await admin.inject(outOfService(unit, payload));
      expect(res.statusCode, JSON.stringify(payload)).toBe(status);
      expect(res.headers["content-type"]).toContain("application/problem+json");
      expect(JSON.stringify(res.json())).toContain(field);
    }
    const malformed = await admin.inject(outOfService("not-an-item"));
    expect(malformed.statusCode).toBe(400);
    expect(JSON.stringify(malformed.json())).toContain("params.id");
    const unknown = await admin.inject(outOfService("00000000-0000-4000-8000-000000000000"));
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ errors: [{ field: "params.id" }] });
    const badPatch = await admin.inject({
      method: "PATCH",
      url: `/api/v1/equipment/${unit}`,
      payload: { kind: "mri" },
    });
    expect(badPatch.statusCode).toBe(400);
    expect(await item(unit)).toMatchObject({ active: true, outOfService: null, name: "Spirometer" });
  });
});
