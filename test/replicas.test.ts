/**
 * Every replica honours a change before it books against it: a change to the facts that decide
 * what may be booked (here a travel time) made on one replica binds the very next booking on
 * another, with no cache lifetime to wait out. On PostgreSQL the first replica is a server process
 * of its own (its caches are not this process's); on the embedded database, which one process
 * owns, both replicas are app instances of this process.
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Rounds } from "../src/server.js";
import { asAdmin } from "./support/auth.js";
import { buildClinicNetwork, createPatient, optionsOn } from "./support/network.js";
import { startRounds } from "./support/rounds.js";
import { type ServerProcess, startServerProcess } from "./support/servers.js";

const onPostgres = Boolean(process.env.DATABASE_URL);

/** A replica as the test talks to it: JSON in, status and JSON out. */
type Send = (method: string, url: string, body?: unknown) => Promise<{ status: number; json: unknown }>;

let second: Rounds;
let firstRounds: Rounds | undefined;
let firstServer: ServerProcess | undefined;
let sendToFirst: Send;

beforeAll(async () => {
  second = await startRounds();
  const { token } = await asAdmin(second);
  if (onPostgres) {
    const server = await startServerProcess({ DATABASE_URL: process.env.DATABASE_URL! });
    firstServer = server;
    sendToFirst = async (method, url, body) => {
      const res = await fetch(`${server.url}${url}`, {
        method,
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, json: await res.json().catch(() => null) };
    };
  } else {
    const instance = await startRounds();
    firstRounds = instance;
    sendToFirst = async (method, url, body) => {
      const res = await instance.app.inject({
        method: method as "PUT",
        url,
        headers: { authorization: `Bearer ${token}` },
        ...(body === undefined ? {} : { payload: body as object }),
      });
      return { status: res.statusCode, json: res.json() };
    };
  }
}, 120_000);
afterAll(async () => {
  await firstServer?.stop();
  await firstRounds?.close();
  await second?.close();
});

describe("every replica honours a change before it books against it", () => {
  it("after one replica raises a travel time, another refuses at once a booking that would break it", async () => {
    // the physician works at the main campus until noon and at the satellite from 13:00, 30 minutes apart
    const net = await buildClinicNetwork(second, { travelMinutes: 30 });
    const morning = (await optionsOn(net, net.admin)).find(
      (o) => o.local.time === "11:30" && o.locationId === net.main.id,
    )!;
    const first = await net.admin.inject({
      method: "POST",
      url: "/api/v1/appointments",
      payload: { optionId: morning.id, patientId: net.patientId },
    });
    expect(first.statusCode).toBe(201);
    // the second replica offers 13:00 at the satellite (noon + 30 minutes), and has the travel times cached
    const afternoon = (await optionsOn(net, net.admin)).find(
      (o) => o.local.time === "13:00" && o.locationId === net.satellite.id,
    )!;
    expect(afternoon).toBeDefined();

    // the first replica learns the drive now takes 90 minutes
    const raised = await sendToFirst("PUT", "/api/v1/travel-times", {
      fromLocationId: net.main.id,
      toLocationId: net.satellite.id,
      minutes: 90,
    });
    expect(raised.status).toBe(200);

    // at once, the second replica neither books 13:00 (for another patient) nor offers it
    const other = await createPatient(net.admin);
    const res = await net.admin.inject({
      method: "POST",
      url: "/api/v1/appointments",
      payload: { optionId: afternoon.id, patientId: other },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().reason).toBe("travel");
    const offered = await optionsOn(net, net.admin);
    expect(offered.some((o) => o.locationId === net.satellite.id && o.local.time < "13:30")).toBe(false);
    const booked = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM appointments WHERE physician_id = ${net.physicianId} AND active`.execute(
      second.database.db,
    );
    expect(booked.rows[0]!.n).toBe(1);
  });

  it("a room taken out of service straight in the database, outside the API, is not booked a moment later", async () => {
    const net = await buildClinicNetwork(second, { roomsPerLocation: 1 });
    const nine = (await optionsOn(net, net.admin)).find(
      (o) => o.local.time === "09:00" && o.locationId === net.main.id,
    )!;
    expect(nine.roomId).toBe(net.main.roomIds[0]);
    await sql`UPDATE rooms SET active = false WHERE id = ${net.main.roomIds[0]}`.execute(second.database.db);
    const res = await net.admin.inject({
      method: "POST",
      url: "/api/v1/appointments",
      payload: { optionId: nine.id, patientId: net.patientId },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().reason).toBe("room");
    expect((await optionsOn(net, net.admin)).filter((o) => o.locationId === net.main.id)).toEqual([]);
  });
});
