/**
 * Families racing for overlapping trips on several replicas at once, while a front desk books one
 * of the contested times: every family gets all of its trip or none of it, and no physician, room
 * or patient is ever booked twice. On PostgreSQL the replicas are server processes of their own;
 * on the embedded database, which one process owns, they are app instances of this process.
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Rounds } from "../src/server.js";
import { asAdmin, type SignedIn, signIn } from "./support/auth.js";
import { buildClinicNetwork, createPatient } from "./support/network.js";
import { startRounds } from "./support/rounds.js";
import { type ServerProcess, startServerProcess } from "./support/servers.js";

const onPostgres = Boolean(process.env.DATABASE_URL);

type Send = (
  user: SignedIn,
  method: string,
  url: string,
  body?: unknown,
) => Promise<{ status: number; json: unknown }>;

let rounds: Rounds;
const others: Rounds[] = [];
const servers: ServerProcess[] = [];
/** One sender per replica: this process's app first, then the others. */
const replicas: Send[] = [];

const viaInject =
  (r: Rounds): Send =>
  async (user, method, url, body) => {
    const res = await r.app.inject({
      method: method as "POST",
      url,
      headers: user.headers,
      ...(body === undefined ? {} : { payload: body as object }),
    });
    return { status: res.statusCode, json: res.json() };
  };

beforeAll(async () => {
  rounds = await startRounds();
  replicas.push(viaInject(rounds));
  if (onPostgres) {
    servers.push(
      ...(await Promise.all(
        [1, 2].map(() => startServerProcess({ DATABASE_URL: process.env.DATABASE_URL! })),
      )),
    );
    for (const server of servers)
      replicas.push(async (user, method, url, body) => {
        const res = await fetch(`${server.url}${url}`, {
          method,
          headers: { "content-type": "application/json", ...user.headers },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        return { status: res.status, json: await res.json().catch(() => null) };
      });
  } else {
    others.push(await startRounds(), await startRounds());
    for (const r of others) replicas.push(viaInject(r));
  }
}, 120_000);
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await Promise.all(others.map((r) => r.close()));
  await rounds?.close();
});

interface Trip {
  id: string;
  local: { time: string };
  members: Array<{ patientId: string; option: { id: string } }>;
}

describe("families booking overlapping trips on several replicas at once", () => {
  it("each family gets its whole trip or nothing, and nobody is booked twice", async () => {
    // one physician, one location: two children back to back fill an hour of their morning
    const net = await buildClinicNetwork(rounds);
    const families: Array<{ user: SignedIn; children: string[] }> = [];
    for (let i = 0; i < 4; i++) {
      const guardian = await createPatient(net.admin);
      const children = [await createPatient(net.admin), await createPatient(net.admin)];
      for (const dependentId of children)
        expect(
          (
            await net.admin.inject({
              method: "POST",
              url: `/api/v1/patients/${guardian}/dependents`,
              payload: { dependentId, relationship: "parent" },
            })
          ).statusCode,
        ).toBe(201);
      families.push({ user: await signIn(rounds, "patient", { patientId: guardian }), children });
    }
    // family k wants the trip starting at 08:00 + 30k minutes: each overlaps its neighbours' by half
    const starts = ["08:00", "08:30", "09:00", "09:30"];
    const trips: Trip[] = [];
    for (const [k, f] of families.entries()) {
      const found = await replicas[k % replicas.length]!(f.user, "POST", "/api/v1/family-searches", {
        members: f.children.map((patientId) => ({
          patientId,
          appointmentTypeId: net.appointmentTypeId,
          physicianId: net.physicianId,
        })),
        locationIds: [net.main.id],
        from: net.at("00:00"),
        to: net.at("23:59"),
        maxGapMinutes: 0,
        limit: 50,
      });
      expect(found.status).toBe(200);
      const trip = (found.json as { trips: Trip[] }).trips.find((t) => t.local.time === starts[k]);
      expect(trip, `a trip at ${starts[k]}`).toBeDefined();
      trips.push(trip!);
    }
    // a front desk books 09:00 alone at the same moment
    const deskOption = trips[2]!.members[0]!.option.id;
    const desk = await asAdmin(rounds);
    const deskPatient = await createPatient(net.admin);

    const answers = await Promise.all([
      ...families.map((f, k) =>
        replicas[k % replicas.length]!(f.user, "POST", "/api/v1/family-bookings", {
          tripId: trips[k]!.id,
          members: trips[k]!.members.map((m) => ({ patientId: m.patientId, optionId: m.option.id })),
        }),
      ),
      replicas[replicas.length - 1]!(desk, "POST", "/api/v1/appointments", {
        optionId: deskOption,
        patientId: deskPatient,
      }),
    ]);
    const familyAnswers = answers.slice(0, families.length);
    console.log(
      `family bookings racing on ${replicas.length} replicas: ${answers.map((a) => a.status).join(" ")}`,
    );
    for (const a of answers) expect([201, 409], JSON.stringify(a.json)).toContain(a.status);
    for (const a of familyAnswers.filter((x) => x.status === 409))
      expect((a.json as { errors: Array<{ field: string }> }).errors[0]!.field).toMatch(
        /^body\.members\.[01]\.optionId$/,
      );
    expect(familyAnswers.some((a) => a.status === 201)).toBe(true);

    const db = rounds.database.db;
    // all or none per family, exactly as answered
    for (const [k, f] of families.entries()) {
      const active = await sql<{ n: number }>`
        SELECT count(*)::int AS n FROM appointments WHERE active AND patient_id = ANY(${f.children}::uuid[])`.execute(
        db,
      );
      expect(active.rows[0]!.n, `family ${k}`).toBe(familyAnswers[k]!.status === 201 ? 2 : 0);
    }
    // neighbours never both win, and the physician's morning has no overlap
    for (let k = 1; k < families.length; k++)
      expect(
        familyAnswers[k - 1]!.status === 201 && familyAnswers[k]!.status === 201,
        `families ${k - 1} and ${k}`,
      ).toBe(false);
    const overlaps = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM appointments a JOIN appointments b
        ON a.id < b.id AND a.physician_id = b.physician_id AND a.active AND b.active
       AND tstzrange(a.starts_at, a.ends_at) && tstzrange(b.starts_at, b.ends_at)
      WHERE a.physician_id = ${net.physicianId}`.execute(db);
    expect(overlaps.rows[0]!.n).toBe(0);
  });
});
