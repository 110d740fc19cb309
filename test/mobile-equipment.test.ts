/**
 * Mobile equipment shared across locations: an ECG cart homed at the main campus is booked at the
 * satellite (half an hour's drive away) when the satellite has none, brought there and back; while
 * it is away, or on the road, the main campus cannot book it; cancelling or moving the visit frees
 * it and its transport; the database refuses it in two places at once; both front desks see where
 * it is and when it moves.
 */
import { sql } from "kysely";
import { Temporal } from "temporal-polyfill";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Rounds } from "../src/server.js";
import { type Client, clientFor } from "./support/auth.js";
import { createLocation } from "./support/fixtures.js";
import { addPhysician, buildClinicNetwork, type ClinicNetwork, createPatient } from "./support/network.js";
import { startRounds, unique } from "./support/rounds.js";

let rounds: Rounds;
let net: ClinicNetwork;
/** Works at the main campus all day (the network's physician: main until noon, satellite from 13:00). */
let mainPhysician: string;
let ecgType: string;
let cart: string;
let mainDesk: Client;
let satelliteDesk: Client;
let elsewhereDesk: Client;

interface Option {
  id: string;
  locationId: string;
  local: { time: string };
  equipmentIds: string[];
  equipment: Array<{
    id: string;
    name: string;
    broughtFrom: { locationId: string; locationName: string } | null;
  }>;
}

async function created<T>(res: { statusCode: number; body: string; json(): unknown }): Promise<T> {
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as T;
}

beforeAll(async () => {
  rounds = await startRounds();
  net = await buildClinicNetwork(rounds, { travelMinutes: 30 });
  mainPhysician = await addPhysician(net.admin, net.specialty, [
    { locationId: net.main.id, startTime: "08:00", endTime: "17:00" },
  ]);
  // a kind of its own, so carts of other tests' networks never stand in
  const kind = `ecg_${unique(8).toLowerCase()}`;
  ecgType = (
    await created<{ id: string }>(
      await net.admin.inject({
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
  cart = (
    await created<{ id: string }>(
      await net.admin.inject({
        method: "POST",
        url: `/api/v1/locations/${net.main.id}/equipment`,
        payload: {
          kind,
          name: "Portable ECG cart",
          assetTag: `ECG-${unique(8)}`,
          mobile: true,
          travels: true,
        },
      }),
    )
  ).id;
  mainDesk = await clientFor(rounds, "location_staff", { locationIds: [net.main.id] });
  satelliteDesk = await clientFor(rounds, "location_staff", { locationIds: [net.satellite.id] });
  const elsewhere = await createLocation(rounds);
  elsewhereDesk = await clientFor(rounds, "location_staff", { locationIds: [elsewhere.id] });
}, 120_000);
afterAll(() => rounds.close());

/** The ECG options of one physician on one day of the test week. */
async function options(physicianId: string, day: number): Promise<Option[]> {
  const res = await net.admin.inject({
    url: `/api/v1/availability?appointmentTypeId=${ecgType}&physicianId=${physicianId}&from=${encodeURIComponent(net.at("00:00", day))}&to=${encodeURIComponent(net.at("23:59", day))}&limit=200`,
  });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { options: Option[] }).options;
}

const at = (list: Option[], locationId: string, time: string) =>
  list.find((o) => o.locationId === locationId && o.local.time === time);
const mainTimes = async (day: number) =>
  (await options(mainPhysician, day)).filter((o) => o.locationId === net.main.id).map((o) => o.local.time);

async function book(option: Option | undefined) {
  expect(option).toBeDefined();
  return net.admin.inject({
    method: "POST",
    url: "/api/v1/appointments",
    payload: { optionId: option!.id, patientId: await createPatient(net.admin) },
  });
}

/** Books the network physician's 13:00 ECG at the satellite on `day`. */
async function satelliteAtOne(day: number): Promise<{ id: string; equipment: Option["equipment"] }> {
  return created(await book(at(await options(net.physicianId, day), net.satellite.id, "13:00")));
}

describe("mobile equipment shared across locations", () => {
  it("the satellite, which has no ECG cart, is offered the main campus's, brought from the main campus", async () => {
    const satellite = at(await options(net.physicianId, 0), net.satellite.id, "13:00");
    expect(satellite?.equipmentIds).toEqual([cart]);
    expect(satellite?.equipment).toEqual([
      {
        id: cart,
        name: "Portable ECG cart",
        kind: expect.any(String),
        broughtFrom: { locationId: net.main.id, locationName: expect.any(String) },
      },
    ]);
    // at home it is the main campus's own
    expect(at(await options(mainPhysician, 0), net.main.id, "09:00")?.equipment[0]?.broughtFrom).toBeNull();
  });

  it("while the cart is at the satellite or on the road the main campus cannot book it; the database refuses it in two places at once", async () => {
    const visit = await satelliteAtOne(1);
    expect(visit.equipment[0]?.broughtFrom?.locationId).toBe(net.main.id);
    // 13:00-13:30 at the satellite, 30 minutes each way: the main campus has it until 12:30 and from 14:00
    const times = await mainTimes(1);
    expect(times).toContain("12:00");
    expect(times).toContain("14:00");
    for (const t of ["12:15", "12:30", "12:45", "13:00", "13:15", "13:30", "13:45"])
      expect(times).not.toContain(t);

    const morning = await created<{ id: string }>(
      await book(at(await options(mainPhysician, 1), net.main.id, "11:00")),
    );
    // behind the API's back: stretching the satellite visit's transport over the 11:00 use at home
    const stretch = sql`UPDATE equipment_reservations SET transport_before_minutes = 150
                        WHERE appointment_id = ${visit.id} AND equipment_id = ${cart}`.execute(
      rounds.database.db,
    );
    await expect(stretch).rejects.toMatchObject({ code: "23P01" });
    const windows = await sql<{ appointment_id: string; before: number; after: number }>`
      SELECT appointment_id, transport_before_minutes AS before, transport_after_minutes AS after
      FROM equipment_reservations WHERE equipment_id = ${cart} AND active AND appointment_id IN (${visit.id}, ${morning.id})`.execute(
      rounds.database.db,
    );
    // it leaves home after the 11:00 use to reach the satellite for 13:00, and comes back after
    expect(windows.rows.find((r) => r.appointment_id === visit.id)).toMatchObject({ before: 30, after: 30 });
    expect(windows.rows.find((r) => r.appointment_id === morning.id)).toMatchObject({ before: 0, after: 0 });
  });

  it("an option whose cart was taken for the transport time meanwhile is refused as short of equipment", async () => {
    const satellite = at(await options(net.physicianId, 2), net.satellite.id, "13:00");
    expect((await book(at(await options(mainPhysician, 2), net.main.id, "12:30"))).statusCode).toBe(201);
    const res = await book(satellite);
    expect(res.statusCode).toBe(409);
    expect(res.json().reason).toBe("equipment");
  });

  it("cancelling the visit at the satellite frees the cart and its transport for the main campus", async () => {
    const visit = await satelliteAtOne(3);
    expect(await mainTimes(3)).not.toContain("12:30");
    const cancel = await net.admin.inject({
      method: "POST",
      url: `/api/v1/appointments/${visit.id}/cancel`,
      payload: { reason: "Patient unwell" },
    });
    expect(cancel.statusCode, cancel.body).toBe(200);
    expect(await mainTimes(3)).toContain("12:30");
    expect((await book(at(await options(mainPhysician, 3), net.main.id, "12:30"))).statusCode).toBe(201);
  });

  it("moving the visit to later in the afternoon frees the early transport and takes the later", async () => {
    const visit = await satelliteAtOne(4);
    const later = at(await options(net.physicianId, 4), net.satellite.id, "15:00");
    const moved = await net.admin.inject({
      method: "POST",
      url: `/api/v1/appointments/${visit.id}/reschedule`,
      payload: { optionId: later!.id },
    });
    expect(moved.statusCode, moved.body).toBe(201);
    const times = await mainTimes(4);
    expect(times).toContain("12:30");
    expect(times).toContain("14:00");
    expect(times).not.toContain("14:15");
    expect(times).not.toContain("15:45");
    expect(times).toContain("16:00");
  });

  it("both front desks see where the cart is and when it moves; another location's desk sees nothing of it", async () => {
    const window = `from=${encodeURIComponent(net.at("00:00", 1))}&to=${encodeURIComponent(net.at("23:59", 1))}`;
    type Item = {
      id: string;
      home: { locationId: string };
      timeline: Array<{
        kind: string;
        start: string;
        end: string;
        locationId?: string;
        fromLocationId?: string;
        toLocationId?: string;
      }>;
    };
    const itemsOf = async (client: Client, query = window) => {
      const res = await client.inject({ url: `/api/v1/mobile-equipment?${query}` });
      expect(res.statusCode, res.body).toBe(200);
      return (res.json() as { items: Item[] }).items.filter((i) => i.id === cart);
    };
    const [own] = await itemsOf(mainDesk);
    expect(own?.home.locationId).toBe(net.main.id);
    expect(own?.timeline).toEqual([
      expect.objectContaining({
        kind: "use",
        locationId: net.main.id,
        start: new Date(net.at("11:00", 1)).toISOString(),
      }),
      expect.objectContaining({
        kind: "move",
        fromLocationId: net.main.id,
        toLocationId: net.satellite.id,
        start: new Date(net.at("12:30", 1)).toISOString(),
        end: new Date(net.at("13:00", 1)).toISOString(),
      }),
      expect.objectContaining({ kind: "use", locationId: net.satellite.id }),
      expect.objectContaining({
        kind: "move",
        fromLocationId: net.satellite.id,
        toLocationId: net.main.id,
        start: new Date(net.at("13:30", 1)).toISOString(),
        end: new Date(net.at("14:00", 1)).toISOString(),
      }),
    ]);
    // the satellite sees it coming and leaving, not what the main campus does with it at home
    const [visiting] = await itemsOf(satelliteDesk);
    expect(visiting?.timeline.map((e) => e.kind)).toEqual(["move", "use", "move"]);
    expect(await itemsOf(elsewhereDesk)).toEqual([]);
    const refused = await satelliteDesk.inject({ url: `/api/v1/mobile-equipment?locationId=${net.main.id}` });
    expect(refused.statusCode).toBe(404);
    expect(await itemsOf(net.admin)).toHaveLength(1);
  });

  it("the physician's schedule shows the cart brought from the main campus on the satellite visit", async () => {
    const res = await net.admin.inject({
      url: `/api/v1/physicians/${net.physicianId}/schedule?from=${net.monday}&to=${Temporal.PlainDate.from(net.monday).add({ days: 1 })}`,
    });
    expect(res.statusCode, res.body).toBe(200);
    const visits = (
      res.json() as {
        entries: Array<{ kind: string; locationId: string; equipment?: Option["equipment"] }>;
      }
    ).entries.filter((e) => e.kind === "appointment" && e.locationId === net.satellite.id);
    expect(visits.length).toBeGreaterThan(0);
    expect(visits.every((v) => v.equipment?.[0]?.broughtFrom?.locationId === net.main.id)).toBe(true);
  });
});
