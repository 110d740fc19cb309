/**
 * Never in two places at once, however many replicas race: the main campus and the satellite book
 * the main campus's portable ECG cart at the same moment, through different server processes, for
 * visits that do not overlap but leave no time to drive it between them. Exactly one booking
 * succeeds each time; the other is refused as short of equipment. On PostgreSQL the bookings go
 * to two server processes of their own; on the embedded database, which one process owns, to two
 * app instances of this process.
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Rounds } from "../src/server.js";
import { asAdmin } from "./support/auth.js";
import { addPhysician, buildClinicNetwork, createPatient } from "./support/network.js";
import { startRounds, unique } from "./support/rounds.js";
import { type ServerProcess, startServerProcess } from "./support/servers.js";

const onPostgres = Boolean(process.env.DATABASE_URL);
/** Every replica signs and opens option ids with one key, as a deployment's replicas do. */
const OPTION_KEY = "mobile-equipment-replicas-test-option-key-0123456789";

type Send = (method: string, url: string, body?: unknown) => Promise<{ status: number; json: unknown }>;

let searcher: Rounds;
const instances: Rounds[] = [];
const servers: ServerProcess[] = [];
const replicas: Send[] = [];

beforeAll(async () => {
  searcher = await startRounds({ ROUNDS_OPTION_KEY: OPTION_KEY });
  const { token } = await asAdmin(searcher);
  for (let i = 0; i < 2; i++) {
    if (onPostgres) {
      const server = await startServerProcess({
        DATABASE_URL: process.env.DATABASE_URL!,
        ROUNDS_OPTION_KEY: OPTION_KEY,
      });
      servers.push(server);
      replicas.push(async (method, url, body) => {
        const res = await fetch(`${server.url}${url}`, {
          method,
          headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        return { status: res.status, json: await res.json().catch(() => null) };
      });
    } else {
      const instance = await startRounds({ ROUNDS_OPTION_KEY: OPTION_KEY });
      instances.push(instance);
      replicas.push(async (method, url, body) => {
        const res = await instance.app.inject({
          method: method as "POST",
          url,
          headers: { authorization: `Bearer ${token}` },
          ...(body === undefined ? {} : { payload: body as object }),
        });
        return { status: res.statusCode, json: res.json() };
      });
    }
  }
}, 180_000);
afterAll(async () => {
  for (const s of servers) await s.stop();
  for (const i of instances) await i.close();
  await searcher?.close();
});

describe("a mobile device is never in two places at once", () => {
  it("two locations booking the cart at once for visits too close to drive between: exactly one succeeds, every time", async () => {
    const net = await buildClinicNetwork(searcher, { travelMinutes: 30 });
    const atMain = await addPhysician(net.admin, net.specialty, [
      { locationId: net.main.id, startTime: "08:00", endTime: "17:00" },
    ]);
    const atSatellite = await addPhysician(net.admin, net.specialty, [
      { locationId: net.satellite.id, startTime: "08:00", endTime: "17:00" },
    ]);
    const kind = `ecg_${unique(8).toLowerCase()}`;
    const type = await net.admin.inject({
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
    });
    expect(type.statusCode, type.body).toBe(201);
    const cart = await net.admin.inject({
      method: "POST",
      url: `/api/v1/locations/${net.main.id}/equipment`,
      payload: { kind, name: "Portable ECG cart", assetTag: `ECG-${unique(8)}`, mobile: true, travels: true },
    });
    expect(cart.statusCode, cart.body).toBe(201);
    const cartId = (cart.json() as { id: string }).id;
    const optionAt = async (physicianId: string, day: number, locationId: string, time: string) => {
      const res = await net.admin.inject({
        url: `/api/v1/availability?appointmentTypeId=${type.json().id}&physicianId=${physicianId}&from=${encodeURIComponent(net.at("00:00", day))}&to=${encodeURIComponent(net.at("23:59", day))}&limit=200`,
      });
      const found = (
        res.json() as { options: Array<{ id: string; locationId: string; local: { time: string } }> }
      ).options.find((o) => o.locationId === locationId && o.local.time === time);
      expect(found, `${time} offered`).toBeDefined();
      return found!.id;
    };

    for (let day = 0; day < 5; day++) {
      // 12:00-12:30 at the main campus; 12:45-13:15 at the satellite needs the cart on the road from 12:15
      const main = await optionAt(atMain, day, net.main.id, "12:00");
      const satellite = await optionAt(atSatellite, day, net.satellite.id, "12:45");
      const [a, b] = await Promise.all([
        replicas[0]!("POST", "/api/v1/appointments", {
          optionId: main,
          patientId: await createPatient(net.admin),
        }),
        replicas[1]!("POST", "/api/v1/appointments", {
          optionId: satellite,
          patientId: await createPatient(net.admin),
        }),
      ]);
      const statuses = [a.status, b.status].sort();
      expect(statuses, JSON.stringify([a.json, b.json])).toEqual([201, 409]);
      const refused = (a.status === 409 ? a.json : b.json) as { reason: string };
      expect(refused.reason).toBe("equipment");
      const held = await sql<{ n: number }>`
        SELECT count(*)::int AS n FROM equipment_reservations
        WHERE equipment_id = ${cartId} AND active
          AND starts_at >= ${new Date(net.at("00:00", day))} AND starts_at < ${new Date(net.at("23:59", day))}`.execute(
        searcher.database.db,
      );
      expect(held.rows[0]!.n).toBe(1);
    }
  });
});
