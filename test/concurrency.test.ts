/**
 * Bookings that can never collide: hundreds of simultaneous requests spread over two real server
 * processes on one PostgreSQL server. Runs when DATABASE_URL points at PostgreSQL.
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Rounds } from "../src/server.js";
import { asAdmin } from "./support/auth.js";
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
import { type ServerProcess, startServerProcess } from "./support/servers.js";

const onPostgres = Boolean(process.env.DATABASE_URL);

describe.skipIf(!onPostgres)("booking storms across two server processes", () => {
  let rounds: Rounds;
  let servers: ServerProcess[] = [];
  let token: string;

  beforeAll(async () => {
    rounds = await startRounds();
    token = (await asAdmin(rounds)).token;
    servers = await Promise.all(
      [0, 1].map(() => startServerProcess({ DATABASE_URL: process.env.DATABASE_URL! })),
    );
  }, 120_000);
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await rounds?.close();
  });

  /** Fires all requests at once, alternating between the two servers. */
  async function storm(requests: Array<{ optionId: string; patientId: string }>): Promise<number[]> {
    const responses = await Promise.all(
      requests.map((body, i) =>
        fetch(`${servers[i % 2]!.url}/api/v1/appointments`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
          body: JSON.stringify(body),
        }).then(async (r) => {
          await r.arrayBuffer();
          return r.status;
        }),
      ),
    );
    return responses;
  }

  async function patients(net: ClinicNetwork, n: number): Promise<string[]> {
    const out: string[] = [];
    for (let i = 0; i < n; i += 20)
      out.push(
        ...(await Promise.all(Array.from({ length: Math.min(20, n - i) }, () => createPatient(net.admin)))),
      );
    return out;
  }

  async function overlaps(): Promise<number> {
    const r = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM appointments a JOIN appointments b ON a.id < b.id
      WHERE a.active AND b.active AND tstzrange(a.starts_at, a.ends_at) && tstzrange(b.starts_at, b.ends_at)
        AND (a.physician_id = b.physician_id OR a.patient_id = b.patient_id OR a.room_id = b.room_id)`.execute(
      rounds.database.db,
    );
    return r.rows[0]!.n;
  }

  const at = (options: OptionDto[], time: string, locationId: string) =>
    options.find((o) => o.local.time === time && o.locationId === locationId)!;

  it("200 simultaneous requests for the same option on two servers give exactly one booking and 199 conflicts", async () => {
    const net = await buildClinicNetwork(rounds, { roomsPerLocation: 1 });
    const option = at(await optionsOn(net, net.admin), "09:00", net.main.id);
    const who = await patients(net, 200);
    const codes = await storm(who.map((patientId) => ({ optionId: option.id, patientId })));
    expect(codes.filter((c) => c === 201)).toHaveLength(1);
    expect(codes.filter((c) => c === 409)).toHaveLength(199);
    expect(await overlaps()).toBe(0);
  });

  it("overlapping but different options (09:00 and 09:15) race and only one of them is booked", async () => {
    const net = await buildClinicNetwork(rounds, { roomsPerLocation: 3 });
    const options = await optionsOn(net, net.admin);
    const a = at(options, "09:00", net.main.id);
    const b = at(options, "09:15", net.main.id);
    const who = await patients(net, 200);
    const codes = await storm(who.map((patientId, i) => ({ optionId: i % 2 ? a.id : b.id, patientId })));
    expect(codes.filter((c) => c === 201)).toHaveLength(1);
    expect(codes.filter((c) => c === 409)).toHaveLength(199);
    expect(await overlaps()).toBe(0);
  });

  it("six physicians' 09:00 options at one location, all shown the same free room, booked at once on two servers: six bookings in six rooms", async () => {
    const net = await buildClinicNetwork(rounds, { roomsPerLocation: 6 });
    const colleagues = await Promise.all(
      Array.from({ length: 5 }, () =>
        addPhysician(net.admin, net.specialty, [
          { locationId: net.main.id, startTime: "08:00", endTime: "12:00" },
        ]),
      ),
    );
    const options = await Promise.all(
      [net.physicianId, ...colleagues].map(async (physicianId) =>
        at(await optionsOn({ ...net, physicianId }, net.admin), "09:00", net.main.id),
      ),
    );
    // every search saw every room free, so each was shown the first one
    expect(new Set(options.map((o) => o.roomId)).size).toBe(1);
    const who = await patients(net, options.length);
    const codes = await storm(options.map((o, i) => ({ optionId: o.id, patientId: who[i]! })));
    expect(codes).toEqual([201, 201, 201, 201, 201, 201]);
    const rooms = await sql<{ room_id: string }>`
      SELECT room_id FROM appointments WHERE location_id = ${net.main.id} AND active`.execute(
      rounds.database.db,
    );
    expect(new Set(rooms.rows.map((r) => r.room_id)).size).toBe(6);
    expect(await overlaps()).toBe(0);
  });

  it("a slot booked through one server leaves the other's searches within moments, and comes back there when the booking moves", async () => {
    const net = await buildClinicNetwork(rounds);
    const call = async (server: ServerProcess, path: string, body?: unknown) => {
      const res = await fetch(`${server.url}${path}`, {
        method: body ? "POST" : "GET",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const day = `from=${encodeURIComponent(net.at("00:00"))}&to=${encodeURIComponent(net.at("23:59"))}`;
    const times = async (server: ServerProcess) =>
      (
        (
          await call(
            server,
            `/api/v1/availability?appointmentTypeId=${net.appointmentTypeId}&physicianId=${net.physicianId}&${day}&limit=200`,
          )
        ).body.options as OptionDto[]
      )
        .filter((o) => o.locationId === net.main.id)
        .map((o) => o.local.time);
    /** Asks `server` until `ok` holds, for up to 5 s; returns how long that took. */
    const until = async (server: ServerProcess, ok: (t: string[]) => boolean) => {
      const started = Date.now();
      while (!ok(await times(server))) {
        if (Date.now() - started > 5_000) throw new Error("the other server still answers the old schedule");
        await new Promise((r) => setTimeout(r, 50));
      }
      return Date.now() - started;
    };
    const [a, b] = servers as [ServerProcess, ServerProcess];
    // both servers have searched the day (and keep it in memory)
    expect(await times(a)).toContain("09:00");
    expect(await times(b)).toContain("09:00");

    const option = at(await optionsOn(net, net.admin), "09:00", net.main.id);
    const booked = await call(a, "/api/v1/appointments", { optionId: option.id, patientId: net.patientId });
    expect(booked.status).toBe(201);
    // the server that booked forgets at once; the other hears of it from the outbox
    expect(await times(a)).not.toContain("09:00");
    expect(await until(b, (t) => !t.includes("09:00") && !t.includes("08:45"))).toBeLessThan(5_000);

    const later = at(await optionsOn(net, net.admin), "10:30", net.main.id);
    const moved = await call(a, `/api/v1/appointments/${booked.body.id}/reschedule`, { optionId: later.id });
    expect(moved.status).toBe(201);
    await until(b, (t) => t.includes("09:00") && !t.includes("10:30"));
  });

  it("one physician cannot be booked at the end of the morning at one campus and the start of the afternoon at the other, however the requests race", async () => {
    const net = await buildClinicNetwork(rounds, { travelMinutes: 45, satelliteStart: "12:00" });
    // 11:30-12:00 at the main campus and 12:00-12:30 at the satellite: both offered, 45 minutes apart
    const options = await optionsOn(net, net.admin);
    const morning = at(options, "11:30", net.main.id);
    const afternoon = at(options, "12:00", net.satellite.id);
    const codes = await storm(
      (await patients(net, 40)).map((patientId, i) => ({
        optionId: i % 2 ? morning.id : afternoon.id,
        patientId,
      })),
    );
    expect(codes.filter((c) => c === 201)).toHaveLength(1);
    expect(codes.filter((c) => c === 409)).toHaveLength(39);
    const booked = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM appointments WHERE physician_id = ${net.physicianId} AND active`.execute(
      rounds.database.db,
    );
    expect(booked.rows[0]!.n).toBe(1);
  });

  it("one patient cannot be booked at two locations too close together to travel between, however the requests race", async () => {
    const [first, second] = await campusesAnHourApart(rounds);
    // 10:00-10:30 at one main campus, 10:45-11:15 at the other: no overlap, but an hour's drive apart
    const morning = at(await optionsOn(first, first.admin), "10:00", first.main.id);
    const tooSoon = at(await optionsOn(second, second.admin), "10:45", second.main.id);
    const patientId = await createPatient(first.admin);
    const codes = await storm(
      Array.from({ length: 100 }, (_, i) => ({ optionId: i % 2 ? morning.id : tooSoon.id, patientId })),
    );
    expect(codes.filter((c) => c === 201)).toHaveLength(1);
    expect(codes.filter((c) => c === 409)).toHaveLength(99);
    const booked = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM appointments WHERE patient_id = ${patientId} AND active`.execute(
      rounds.database.db,
    );
    expect(booked.rows[0]!.n).toBe(1);
  });
});
