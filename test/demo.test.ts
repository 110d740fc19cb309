import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/platform/config.js";
import { DEMO_PASSWORD, DEMO_USERS, nextWeek, type SeedSummary, seedNetwork } from "../src/seed/index.js";
import { DEMO_SEED } from "../src/server.demo.js";
import { createRounds, type Rounds } from "../src/server.js";
import { type FreshDatabase, freshDatabase } from "./support/databases.js";
import { roundsCli } from "./support/servers.js";

interface Me {
  id: string;
  role: string;
  patientId: string | null;
  physicianId: string | null;
  patientIds: string[];
  locationIds: string[];
  departmentIds: string[];
  specialties: string[];
}
interface Page<T> {
  items: T[];
  total: number;
}
interface AppointmentDto {
  id: string;
  patientId: string;
  physicianId: string;
  locationId: string;
  status: string;
}

const demoEmail = (local: string) => `${local}@demo.rounds.test`;

// generous timeouts: a busy machine makes the embedded database slow
describe("the demo network, as its users see it", { timeout: 120_000 }, () => {
  let target: FreshDatabase;
  let rounds: Rounds;
  let summary: SeedSummary;
  let usersBeforeSeeding: number;
  const signedIn = new Map<
    string,
    { me: Me; get<T>(url: string): Promise<T>; post<T>(url: string, body: object): Promise<T> }
  >();

  const count = async (query: ReturnType<typeof sql<{ n: number }>>) =>
    Number((await query.execute(target.database.db)).rows[0]!.n);

  async function signIn(local: string) {
    const res = await rounds.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { email: demoEmail(local), password: DEMO_PASSWORD },
    });
    expect(res.statusCode, res.body).toBe(200);
    const { token, user } = res.json() as { token: string; user: Me };
    const get = async <T>(url: string): Promise<T> => {
      const r = await rounds.app.inject({
        method: "GET",
        url,
        headers: { authorization: `Bearer ${token}` },
      });
      expect(r.statusCode, `${url}: ${r.body}`).toBe(200);
      return r.json() as T;
    };
    const post = async <T>(url: string, body: object): Promise<T> => {
      const r = await rounds.app.inject({
        method: "POST",
        url,
        headers: { authorization: `Bearer ${token}` },
        payload: body,
      });
      expect(r.statusCode, `${url}: ${r.body}`).toBe(200);
      return r.json() as T;
    };
    return { me: user, get, post };
  }
  const as = (local: string) => signedIn.get(local)!;

  beforeAll(async () => {
    target = await freshDatabase({ migrated: true });
    usersBeforeSeeding = await count(sql`SELECT count(*)::int AS n FROM users`);
    const started = Date.now();
    summary = await seedNetwork(target.database, { scale: "small", seed: DEMO_SEED });
    console.log(
      `small demo seed on ${target.database.kind}: ${Date.now() - started} ms, ` +
        `${summary.appointments} appointments, ${summary.users} users`,
    );
    // what the seed loaded is read here, so no background worker (the no-show training, the
    // reports' first pass, the payer checks) runs over the 18,000 appointments meanwhile
    const config = loadConfig({
      ...process.env,
      LOG_LEVEL: "silent",
      ROUNDS_SEED_DEMO: "false",
      ROUNDS_NOTIFICATIONS_WORKER: "false",
    });
    rounds = await createRounds(config, { database: target.database });
    for (const user of DEMO_USERS) {
      const local = user.email.split("@")[0]!;
      signedIn.set(local, await signIn(local));
    }
  }, 600_000);
  afterAll(async () => {
    await rounds?.close();
    await target?.drop();
  });

  it("has one demo user per role, created by the demo seed and not by the migrations", () => {
    expect(usersBeforeSeeding).toBe(0);
    expect(summary.users).toBe(DEMO_USERS.length);
    for (const user of DEMO_USERS) expect(as(user.email.split("@")[0]!).me.role).toBe(user.role);
    expect(new Set(DEMO_USERS.map((u) => u.role))).toEqual(
      new Set(["admin", "compliance", "patient", "physician", "location_staff", "department_head"]),
    );
  });

  it("staff at the northern satellite see only their location's appointments, and there are some", async () => {
    const staff = as("staff.north");
    expect(staff.me.locationIds).toHaveLength(1);
    const [here] = staff.me.locationIds;
    const page = await staff.get<Page<AppointmentDto>>("/api/v1/appointments?limit=100");
    expect(page.total).toBeGreaterThan(0);
    expect(page.total).toBe(
      await count(sql`SELECT count(*)::int AS n FROM appointments WHERE location_id = ${here}`),
    );
    for (const a of page.items) expect(a.locationId).toBe(here);
    for (const local of ["staff.main", "staff.clinic"]) {
      const other = as(local);
      const items = (await other.get<Page<AppointmentDto>>("/api/v1/appointments?limit=50")).items;
      expect(items.length).toBeGreaterThan(0);
      for (const a of items) expect(other.me.locationIds).toContain(a.locationId);
    }
  });

  it("the demo's video visits each carry a join link of their own, revoked for the cancelled ones", async () => {
    const video = await count(sql`SELECT count(*)::int AS n FROM appointments WHERE telehealth`);
    expect(video).toBeGreaterThan(0);
    const { rows } = await sql<{
      linked: number;
      tokens: number;
      live_cancelled: number;
      revoked_booked: number;
    }>`
      SELECT count(l.id)::int AS linked, count(DISTINCT l.token)::int AS tokens,
             count(*) FILTER (WHERE a.status = 'cancelled' AND l.revoked_at IS NULL)::int AS live_cancelled,
             count(*) FILTER (WHERE a.status = 'booked' AND l.revoked_at IS NOT NULL)::int AS revoked_booked
      FROM appointments a LEFT JOIN telehealth_links l ON l.appointment_id = a.id
      WHERE a.telehealth`.execute(target.database.db);
    expect(rows[0]).toEqual({ linked: video, tokens: video, live_cancelled: 0, revoked_booked: 0 });
    const booked = await sql<{ id: string }>`
      SELECT id FROM appointments WHERE telehealth AND status = 'booked' ORDER BY id LIMIT 1`.execute(
      target.database.db,
    );
    const appt = await as("admin").get<{ joinUrl: string | null }>(
      `/api/v1/appointments/${booked.rows[0]!.id}`,
    );
    expect(appt.joinUrl).toMatch(/^http:\/\/localhost:3000\/visit\/[A-Za-z0-9_-]{43}$/);
  });

  it("the demo physician's schedule next week spans two or more locations and has appointments", async () => {
    const physician = as("physician");
    const { from, to } = nextWeek(new Date().toISOString().slice(0, 10));
    const schedule = await physician.get<{
      entries: Array<{ kind: string; locationId?: string; id?: string | null }>;
    }>(`/api/v1/physicians/${physician.me.physicianId}/schedule?from=${from}&to=${to}`);
    const places = new Set(schedule.entries.filter((e) => e.kind === "assignment").map((e) => e.locationId));
    expect(places.size).toBeGreaterThanOrEqual(2);
    const visits = schedule.entries.filter((e) => e.kind === "appointment");
    expect(visits.length).toBeGreaterThan(0);
    for (const v of visits) expect(v.id).not.toBeNull();
  });

  it("administrators see HL7 messages to the EMR in every state, and the demo physician a patient's lab results", async () => {
    const { items } = await as("admin").get<{ items: Array<{ status: string; appointmentId: string }> }>(
      "/api/v1/hl7/messages",
    );
    expect(new Set(items.map((m) => m.status))).toEqual(new Set(["acknowledged", "pending", "failed"]));
    const { rows } = await sql<{ patient_id: string }>`
      SELECT DISTINCT patient_id FROM hl7_lab_results WHERE control_id = 'DEMO-ORU-1'`.execute(
      target.database.db,
    );
    expect(rows).toHaveLength(1);
    const labs = await as("physician").get<{ items: unknown[] }>(
      `/api/v1/patients/${rows[0]!.patient_id}/lab-results`,
    );
    expect(labs.items.length).toBeGreaterThan(0);
  });

  it("the demo patient sees their own and their children's appointments and nobody else's", async () => {
    const patient = as("patient");
    const family = patient.me.patientIds;
    expect(family).toContain(patient.me.patientId);
    expect(family.length).toBeGreaterThanOrEqual(2);
    const page = await patient.get<Page<AppointmentDto>>("/api/v1/appointments?limit=100");
    expect(page.total).toBe(
      await count(sql`SELECT count(*)::int AS n FROM appointments WHERE patient_id = ANY(${family}::uuid[])`),
    );
    for (const a of page.items) expect(family).toContain(a.patientId);
    expect(page.items.some((a) => a.patientId === patient.me.patientId)).toBe(true);
    expect(page.items.some((a) => a.patientId !== patient.me.patientId)).toBe(true);
  });

  it("the demo patient is a parent of two or more children and finds one trip for two of them", async () => {
    const patient = as("patient");
    const children = patient.me.patientIds.filter((id) => id !== patient.me.patientId);
    expect(children.length).toBeGreaterThanOrEqual(2);
    const types = await patient.get<Page<{ id: string; visitKind: string }>>(
      "/api/v1/appointment-types?specialty=pediatrics&visitKind=new",
    );
    const result = await patient.post<{ trips: Array<{ members: Array<{ patientId: string }> }> }>(
      "/api/v1/family-searches",
      {
        members: children
          .slice(0, 2)
          .map((patientId) => ({ patientId, appointmentTypeId: types.items[0]!.id })),
      },
    );
    expect(result.trips.length).toBeGreaterThan(0);
    expect(result.trips[0]!.members.map((m) => m.patientId)).toEqual(children.slice(0, 2));
  });

  it("the head of cardiology finds a saved capacity proposal for cardiology, with assignments beside today's plan", async () => {
    const head = as("head.cardiology");
    const plans = await head.get<
      Page<{ status: string; proposed: { assignments: unknown[] }; today: { assignments: unknown[] } }>
    >("/api/v1/capacity-plans?specialty=cardiology");
    expect(plans.items.length).toBeGreaterThan(0);
    expect(plans.items[0]!.status).toBe("proposed");
    expect(plans.items[0]!.proposed.assignments.length).toBeGreaterThan(0);
    expect(plans.items[0]!.today.assignments.length).toBeGreaterThan(0);
  });

  it("the demo patient finds cardiology appointments to book across the network", async () => {
    const patient = as("patient");
    const types = await patient.get<Page<{ id: string; visitKind: string }>>(
      "/api/v1/appointment-types?specialty=cardiology&visitKind=new",
    );
    const result = await patient.get<{ options: Array<{ physicianId: string; locationId: string }> }>(
      `/api/v1/availability?appointmentTypeId=${types.items[0]!.id}&patientId=${patient.me.patientId}`,
    );
    expect(result.options.length).toBeGreaterThan(0);
  });

  it("the demo patient's family has an open offer of a new time, and the schedule change behind it has its report", async () => {
    const patient = as("patient");
    const offers = await patient.get<
      Page<{
        id: string;
        status: string;
        appointmentId: string;
        physicianId: string;
        held: { appointmentId: string };
      }>
    >("/api/v1/reschedule-offers?status=offered");
    expect(offers.total).toBe(1);
    const [offer] = offers.items;
    expect(summary.rescheduled).toBeGreaterThanOrEqual(1);
    const held = await patient.get<{ status: string; patientId: string }>(
      `/api/v1/appointments/${offer!.held.appointmentId}`,
    );
    expect(held.status).toBe("held");
    expect(patient.me.patientIds).toContain(held.patientId);
    // the report of the change behind it: every appointment it affected, with its end state
    const admin = as("admin");
    const plans = await admin.get<Page<{ id: string; status: string; affected: number }>>(
      `/api/v1/reschedule-plans?physicianId=${offer!.physicianId}`,
    );
    const applied = plans.items.find((p) => p.status === "applied")!;
    const report = await admin.get<{
      affected: Array<{ appointmentId: string; outcome: { state: string } | null }>;
    }>(`/api/v1/reschedule-plans/${applied.id}`);
    expect(report.affected.find((a) => a.appointmentId === offer!.appointmentId)?.outcome?.state).toBe(
      "offered",
    );
    expect(report.affected.every((a) => a.outcome !== null)).toBe(true);
  });

  it("the head of cardiology heads every cardiology department", async () => {
    const head = as("head.cardiology");
    const departments = await target.database.db
      .withTables<{ departments: { id: string; specialty: string } }>()
      .selectFrom("departments")
      .select("id")
      .where("specialty", "=", "cardiology")
      .execute();
    expect([...head.me.departmentIds].sort()).toEqual(departments.map((d) => d.id).sort());
    expect(head.me.specialties).toContain("cardiology");
  });

  it("books a realistic history and future: completed, missed and cancelled visits behind, booked ones ahead", async () => {
    const rows = (
      await sql<{ past: boolean; status: string; n: number }>`
        SELECT starts_at < date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS past, status,
          count(*)::int AS n FROM appointments GROUP BY 1, 2`.execute(target.database.db)
    ).rows;
    const n = (past: boolean, status: string) =>
      rows.find((r) => r.past === past && r.status === status)?.n ?? 0;
    const pastTotal = rows.filter((r) => r.past).reduce((s, r) => s + r.n, 0);
    // ahead: booked visits; the demo waitlist's (src/seed/waitlist.ts): one visit cancelled whose
    // slot is held for the demo patient's offer, and two holds given back (declined, expired); and
    // the one time held for the demo patient's open offer of a new time (src/seed/rescheduling.ts)
    expect(
      rows
        .filter((r) => !r.past)
        .map((r) => r.status)
        .sort(),
    ).toEqual(["booked", "cancelled", "expired", "held"]);
    expect([n(false, "cancelled"), n(false, "held"), n(false, "expired")]).toEqual([1, 2, 2]);
    expect(n(false, "booked")).toBeGreaterThan(1000);
    expect(n(true, "completed") / pastTotal).toBeGreaterThan(0.8);
    expect(n(true, "no_show") / pastTotal).toBeGreaterThan(0.04);
    expect(n(true, "cancelled") / pastTotal).toBeGreaterThan(0.04);
    expect(summary.appointments).toBe(pastTotal + n(false, "booked") + n(false, "cancelled"));
  });

  it("never double-books a physician, room, patient or equipment item", async () => {
    const overlaps = (column: string, table = "appointments") =>
      count(sql`
        SELECT count(*)::int AS n FROM (
          SELECT starts_at, max(ends_at) OVER (PARTITION BY ${sql.ref(column)} ORDER BY starts_at, ends_at
            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach
          FROM ${sql.table(table)} WHERE active AND ${sql.ref(column)} IS NOT NULL) t
        WHERE starts_at < reach`);
    expect(await overlaps("physician_id")).toBe(0);
    expect(await overlaps("room_id")).toBe(0);
    expect(await overlaps("patient_id")).toBe(0);
    expect(await overlaps("equipment_id", "equipment_reservations")).toBe(0);
  });

  it("the main campus's portable ultrasound and ECG cart are booked at a satellite, and both desks see them move", async () => {
    expect(summary.equipmentLoans).toBeGreaterThan(0);
    type Item = {
      name: string;
      home: { locationId: string };
      timeline: Array<{ kind: string; locationId?: string; toLocationId?: string }>;
    };
    const week = `from=${encodeURIComponent(new Date().toISOString())}&to=${encodeURIComponent(new Date(Date.now() + 14 * 86_400_000).toISOString())}`;
    const { items } = await as("admin").get<{ items: Item[] }>(`/api/v1/mobile-equipment?${week}`);
    expect(items.map((i) => i.name).sort()).toEqual([
      "Portable 12-lead ECG cart",
      "Portable Ultrasound system",
    ]);
    const main = as("staff.main").me.locationIds[0];
    expect(items.every((i) => i.home.locationId === main)).toBe(true);
    // every item lent goes somewhere other than home and is in use there
    const away = items.filter((i) => i.timeline.some((e) => e.kind === "use" && e.locationId !== main));
    expect(away.length).toBeGreaterThan(0);
    for (const item of away) expect(item.timeline.some((e) => e.kind === "move")).toBe(true);
    // the main campus's desk sees its own items; a visit lent one says it is brought from the main campus
    const own = await as("staff.main").get<{ items: Item[] }>(`/api/v1/mobile-equipment?${week}`);
    expect(own.items.length).toBe(2);
    const lentTo = away[0]!.timeline.find((e) => e.kind === "use" && e.locationId !== main)!.locationId!;
    const visits = await as("admin").get<{
      items: Array<{ equipment: Array<{ broughtFrom: { locationId: string } | null }> }>;
    }>(`/api/v1/appointments?locationId=${lentTo}&status=booked&limit=500&${week}`);
    expect(visits.items.some((v) => v.equipment.some((e) => e.broughtFrom?.locationId === main))).toBe(true);
  });

  it("the main front desk sees a room and an item of equipment out of service later this week, until when, and why", async () => {
    expect(summary.outOfService).toBe(2);
    const desk = as("staff.main");
    const main = desk.me.locationIds[0];
    type Facility = { outOfService: { from: string; until: string | null; reason: string | null } | null };
    const rooms = await desk.get<{ items: Facility[] }>(`/api/v1/locations/${main}/rooms?limit=500`);
    const equipment = await desk.get<{ items: Facility[] }>(`/api/v1/locations/${main}/equipment?limit=500`);
    for (const list of [rooms.items, equipment.items]) {
      const out = list.filter((f) => f.outOfService);
      expect(out).toHaveLength(1);
      const period = out[0]!.outOfService!;
      expect(Date.parse(period.until!)).toBeGreaterThan(Date.parse(period.from));
      expect(Date.parse(period.from)).toBeGreaterThan(Date.now());
      expect(period.reason).toBeTruthy();
    }
  });

  it("leaves every travelling physician time to get from one location to the next", async () => {
    const matrix = await as("admin").get<{
      entries: Array<{ fromLocationId: string; toLocationId: string; minutes: number }>;
    }>("/api/v1/travel-times");
    const minutes = new Map(matrix.entries.map((e) => [`${e.fromLocationId}|${e.toLocationId}`, e.minutes]));
    const moves = (
      await sql<{ from_location: string; to_location: string; gap_minutes: number }>`
        SELECT location_id AS from_location, next_location AS to_location,
          extract(epoch FROM next_start - ends_at) / 60 AS gap_minutes
        FROM (SELECT location_id, ends_at,
                lead(location_id) OVER w AS next_location, lead(starts_at) OVER w AS next_start
              FROM appointments WHERE active WINDOW w AS (PARTITION BY physician_id ORDER BY starts_at)) t
        WHERE next_location IS NOT NULL AND next_location <> location_id`.execute(target.database.db)
    ).rows;
    expect(moves.length).toBeGreaterThan(0);
    const tooTight = moves.filter(
      (m) => Number(m.gap_minutes) < (minutes.get(`${m.from_location}|${m.to_location}`) ?? 0),
    );
    expect(tooTight).toEqual([]);
  });
});

const repoRoot = fileURLToPath(new URL("..", import.meta.url));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface Served {
  child: ChildProcess;
  base: string;
  logs: string[];
  readyMs: number;
}

/** Starts `rounds serve` as `npm start` does and waits until it answers /readyz. */
async function serve(dataDir: string): Promise<Served> {
  const port = await freePort();
  const env: Record<string, string | undefined> = {
    ...process.env,
    DATABASE_URL: undefined,
    ROUNDS_DATA_DIR: dataDir,
    HOST: "127.0.0.1",
    PORT: String(port),
    LOG_LEVEL: "info",
    ROUNDS_SEED_DEMO: "true",
    ROUNDS_ADMIN_EMAIL: undefined,
    ROUNDS_ADMIN_PASSWORD: undefined,
  };
  const started = Date.now();
  const child = spawn(process.execPath, roundsCli("serve"), {
    cwd: repoRoot,
    env: Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: string[] = [];
  child.stdout?.on("data", (d: Buffer) => logs.push(d.toString()));
  child.stderr?.on("data", (d: Buffer) => logs.push(d.toString()));
  const base = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`rounds serve exited (${child.exitCode}):\n${logs.join("")}`);
    const ready = await fetch(`${base}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return { child, base, logs, readyMs: Date.now() - started };
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function stop(served: Served): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => served.child.once("exit", (code) => resolve(code)));
  served.child.kill("SIGTERM");
  return exited;
}

/**
 * `npm start` runs on the embedded database whatever DATABASE_URL says (it is unset above), so the
 * run of the suite on a PostgreSQL server would start the very same process again: it runs once,
 * in the embedded run.
 */
describe.skipIf(Boolean(process.env.DATABASE_URL))("npm start", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "rounds-demo-"));
  let running: Served | undefined;
  afterAll(async () => {
    if (running?.child.exitCode === null) await stop(running);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("loads the demo on first start, keeps later changes across a restart and never loads it twice", async () => {
    const first = await serve(dataDir);
    running = first;
    console.log(`npm start on a fresh data directory: ready in ${first.readyMs} ms`);
    expect(first.logs.join("")).toMatch(/loaded the demo network/);
    const locations = async (base: string) =>
      ((await (await fetch(`${base}/api/v1/locations?limit=100`)).json()) as Page<{ code: string }>).total;
    expect(await locations(first.base)).toBe(11);

    const login = await fetch(`${first.base}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: demoEmail("admin"), password: DEMO_PASSWORD }),
    });
    expect(login.status).toBe(200);
    const { token } = (await login.json()) as { token: string };
    const created = await fetch(`${first.base}/api/v1/locations`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({
        code: "RIV-PORT",
        name: "Port Haven Satellite",
        kind: "satellite",
        latitude: 30.4,
        longitude: -84.2,
        timeZone: "America/New_York",
      }),
    });
    expect(created.status, await created.clone().text()).toBe(201);
    const appointments = async (base: string) =>
      (
        (await (
          await fetch(`${base}/api/v1/appointments?limit=1`, {
            headers: { authorization: `Bearer ${token}` },
          })
        ).json()) as Page<unknown>
      ).total;
    const booked = await appointments(first.base);
    expect(booked).toBeGreaterThan(1000);
    expect(await stop(first)).toBe(0);

    const second = await serve(dataDir);
    running = second;
    expect(second.logs.join("")).not.toMatch(/loaded the demo network/);
    expect(await locations(second.base)).toBe(12);
    // the session survives the restart too: it lives in the database
    expect(await appointments(second.base)).toBe(booked);
    expect(await stop(second)).toBe(0);
  }, 900_000);
});
