/**
 * Rounds benchmark (`npm run bench`): the large network on a real PostgreSQL server, ~70% of the
 * next 14 days booked, one API process; measures availability search, the unified schedule,
 * booking throughput over HTTP (spread-out and contended) next to the database's own insert rate,
 * and the server's peak memory. See bench/README.md.
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import pg from "pg";
import { openDatabase } from "../src/platform/db.js";
import { migrate } from "../src/platform/migrations.js";
import { BENCHMARK_BOOKINGS, seedAppointments, seedNetwork } from "../src/seed/index.js";
import { freePort } from "../test/support/servers.js";
import { backToBack, bookableMinutes } from "./capacity.js";
import { measureStartup } from "./startup.js";
import { countStatementsPerBooking } from "./statements.js";

const { values: args } = parseArgs({
  options: {
    server: { type: "string", default: process.env.BENCH_PG_SERVER ?? "postgres://postgres@127.0.0.1:5432" },
    database: { type: "string", default: "rounds_bench" },
    reuse: { type: "boolean", default: false },
    requests: { type: "string", default: "300" },
    clients: { type: "string", default: "64" },
    seconds: { type: "string", default: "15" },
    only: { type: "string", default: "startup,capacity,availability,schedule,booking,mixed,contended,sql" },
    runs: { type: "string", default: "5" },
    scale: { type: "string", default: "large" },
  },
});
const SCALE = args.scale === "small" ? "small" : "large";
const ONLY = new Set(args.only.split(","));
const REQUESTS = Number(args.requests);
const CLIENTS = Number(args.clients);
const SECONDS = Number(args.seconds);
const DATABASE_URL = `${args.server}/${args.database}`;
const ADMIN = { email: "bench.admin@rounds.test", password: "bench-password-123" };

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};
const ms = (n: number) => Math.round(n * 10) / 10;
const log = (...m: unknown[]) => console.error("[bench]", ...m);

async function prepareDatabase(): Promise<void> {
  const admin = new pg.Client({ connectionString: `${args.server}/postgres` });
  await admin.connect();
  const exists = (await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [args.database]))
    .rowCount;
  if (exists && args.reuse) {
    await admin.end();
    log(`reusing database ${args.database}`);
    return;
  }
  await admin.query(`DROP DATABASE IF EXISTS ${args.database} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${args.database}`);
  await admin.end();
  const database = await openDatabase({ databaseUrl: DATABASE_URL, dataDir: "" });
  await migrate(database);
  const t0 = Date.now();
  const summary = await seedNetwork(database, { scale: SCALE, seed: 1 });
  log(`seeded ${SCALE} network in ${((Date.now() - t0) / 1000).toFixed(1)} s`, JSON.stringify(summary));
  if (SCALE === "large") {
    // the small (demo) network books its own appointments as it is seeded
    const t1 = Date.now();
    const booked = await seedAppointments(database, { ...BENCHMARK_BOOKINGS, seed: 1 });
    log(`booked ${booked.appointments} appointments in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
  }
  await database.close();
}

/** Bookable physician-minutes per day over the next 14 days, as planned and if split days were back to back. */
async function capacity() {
  const database = await openDatabase({ databaseUrl: DATABASE_URL, dataDir: "" });
  try {
    const t0 = Date.now();
    const tomorrow = Math.ceil(Date.now() / 86_400_000) * 86_400_000;
    const asPlanned = await bookableMinutes(database.db, tomorrow, 14);
    const splitDaysBackToBack = await bookableMinutes(database.db, tomorrow, 14, backToBack);
    log(`counted bookable minutes in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return { scale: SCALE, asPlanned, splitDaysBackToBack };
  } finally {
    await database.close();
  }
}

interface Server {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

async function startServer(): Promise<Server> {
  const port = await freePort();
  // BENCH_SERVER_NODE_ARGS="--cpu-prof" profiles the API process
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", "src/cli.ts", "serve"], {
    env: {
      ...process.env,
      DATABASE_URL,
      PORT: String(port),
      LOG_LEVEL: "warn",
      ROUNDS_SEED_DEMO: "false",
      ROUNDS_ADMIN_EMAIL: ADMIN.email,
      ROUNDS_ADMIN_PASSWORD: ADMIN.password,
      DATABASE_POOL_SIZE: "20",
      ROUNDS_MAX_OPEN_HOLDS: "100",
    },
    // the server's own log goes to stderr, so stdout stays the numbers
    stdio: ["ignore", process.stderr, process.stderr],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    pid: child.pid!,
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** CPU seconds used so far by one process (user + system). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU seconds used so far by every PostgreSQL server process on this machine. */
function postgresCpuSeconds(): number {
  let total = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, "utf8").startsWith("postgres"))
        total += cpuSeconds(Number(entry));
    } catch {}
  }
  return total;
}

function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

async function main(): Promise<void> {
  // `npm start` on the embedded database: needs no PostgreSQL server, so it runs first
  const startup = ONLY.has("startup") ? await measureStartup(Number(args.runs)) : undefined;
  if ([...ONLY].every((part) => part === "startup")) {
    console.log(JSON.stringify({ startup }, null, 2));
    return;
  }
  await prepareDatabase();
  const bookablePhysicianMinutesPerDay = ONLY.has("capacity") ? await capacity() : undefined;
  if ([...ONLY].every((part) => part === "capacity" || part === "startup")) {
    console.log(JSON.stringify({ startup, bookablePhysicianMinutesPerDay }, null, 2));
    return;
  }
  const server = await startServer();
  const login = await fetch(`${server.url}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(ADMIN),
  });
  const { token } = (await login.json()) as { token: string };
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const get = async (path: string) => {
    const t = performance.now();
    const res = await fetch(`${server.url}${path}`, { headers });
    const body = await res.json();
    return { status: res.status, body, ms: performance.now() - t };
  };

  const direct = new pg.Pool({ connectionString: DATABASE_URL, max: CLIENTS });
  const types = (
    await direct.query<{ id: string; specialty: string }>(
      "SELECT id, specialty FROM appointment_types WHERE visit_kind = 'new' AND active ORDER BY code",
    )
  ).rows;
  const physicianIds = (
    await direct.query<{ id: string }>("SELECT id FROM physicians WHERE active ORDER BY npi")
  ).rows.map((r) => r.id);
  const patientIds =
    // patients with nothing booked in the benchmark's weeks: their own diaries never conflict
    (
      await direct.query<{ id: string }>(
        `SELECT id FROM patients p WHERE NOT EXISTS (
         SELECT 1 FROM appointments a WHERE a.patient_id = p.id AND a.active AND a.ends_at > now() - interval '1 day'
           AND a.starts_at < now() + interval '16 days')
       ORDER BY mrn LIMIT 20000`,
      )
    ).rows.map((r) => r.id);
  const booked = await direct.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM appointments WHERE active AND starts_at > now() AND starts_at < now() + interval '14 days'",
  );
  log(`${physicianIds.length} physicians, ${booked.rows[0]?.n} active appointments in the next 14 days`);

  // 1. availability for a specialty across all locations, 14 days, first 20 options
  const from = new Date(Date.now() + 3_600_000).toISOString();
  const to = new Date(Date.now() + 14 * 86_400_000).toISOString();
  for (let i = 0; ONLY.has("availability") && i < 10; i++)
    await get(
      `/api/v1/availability?appointmentTypeId=${types[i % types.length]!.id}&from=${from}&to=${to}&limit=20`,
    );
  const availability: number[] = [];
  let empty = 0;
  for (let i = 0; ONLY.has("availability") && i < REQUESTS; i++) {
    const t = types[i % types.length]!;
    const r = await get(
      `/api/v1/availability?appointmentTypeId=${t.id}&specialty=${t.specialty}&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&limit=20`,
    );
    if (r.status !== 200) throw new Error(`availability ${r.status} ${JSON.stringify(r.body)}`);
    if ((r.body as { options: unknown[] }).options.length === 0) empty++;
    availability.push(r.ms);
  }

  // 2. one physician's unified 30-day schedule
  const today = new Date().toISOString().slice(0, 10);
  const in30 = new Date(Date.now() + 29 * 86_400_000).toISOString().slice(0, 10);
  const schedule: number[] = [];
  for (let i = 0; ONLY.has("schedule") && i < REQUESTS; i++) {
    const r = await get(
      `/api/v1/physicians/${physicianIds[(i * 7) % physicianIds.length]}/schedule?from=${today}&to=${in30}`,
    );
    if (r.status !== 200) throw new Error(`schedule ${r.status}`);
    schedule.push(r.ms);
  }

  // 3. spread-out bookings: non-overlapping options of many physicians, distinct patients
  const perPhysician: string[][] = [];
  let collected = 0;
  const wantOptions =
    ONLY.has("booking") || ONLY.has("mixed") ? CLIENTS * SECONDS * 150 : ONLY.has("contended") ? 1 : 0;
  for (let i = 0; collected < wantOptions && i < physicianIds.length; i++) {
    const pid = physicianIds[(i * 13) % physicianIds.length]!;
    const types = (
      await direct.query<{ id: string }>(
        // bookings are for patients new to the physician: only physicians taking new patients
        "SELECT t.id FROM appointment_types t JOIN physicians p ON p.primary_specialty = t.specialty WHERE p.id = $1 AND p.accepts_new_patients AND t.visit_kind = 'new' LIMIT 1",
        [pid],
      )
    ).rows;
    if (!types[0]) continue;
    const r = await get(
      `/api/v1/availability?appointmentTypeId=${types[0].id}&physicianId=${pid}&from=${from}&to=${to}&limit=200`,
    );
    let lastEnd = "";
    const mine: string[] = [];
    for (const o of (r.body as { options: Array<{ id: string; start: string; end: string }> }).options.sort(
      (a, b) => a.start.localeCompare(b.start),
    )) {
      if (o.start >= lastEnd) {
        mine.push(o.id);
        lastEnd = o.end;
      }
    }
    perPhysician.push(mine);
    collected += mine.length;
  }
  // round-robin over physicians: concurrent clients book for different physicians, as a
  // network's many front desks would, instead of queueing on one physician's lock
  const options: string[] = [];
  for (let k = 0; options.length < collected; k++) {
    for (const mine of perPhysician) if (k < mine.length) options.push(mine[k]!);
  }
  log(`collected ${options.length} spread-out options`);
  const cpuBefore = { api: cpuSeconds(server.pid), db: postgresCpuSeconds() };
  const bookingResult = ONLY.has("booking")
    ? await hammer(server.url, headers, options, patientIds, SECONDS, CLIENTS)
    : undefined;
  // where the time went: CPU seconds per created appointment, in the API and in PostgreSQL
  const cpuPerBookingMs = bookingResult?.created
    ? {
        api: ms(((cpuSeconds(server.pid) - cpuBefore.api) * 1000) / bookingResult.created),
        database: ms(((postgresCpuSeconds() - cpuBefore.db) * 1000) / bookingResult.created),
      }
    : undefined;

  // 4. searches while bookings change the schedule: every booking makes the searches' cached
  // days be read again, so this is the number a busy network sees
  let mixed: { bookings: Awaited<ReturnType<typeof hammer>>; availabilityMs: object } | undefined;
  if (ONLY.has("mixed")) {
    const used = bookingResult?.attempted ?? 0;
    const rest = options.slice(used);
    // patients who have not booked yet in this run
    const fresh = [
      ...patientIds.slice(used % patientIds.length),
      ...patientIds.slice(0, used % patientIds.length),
    ];
    const during: number[] = [];
    let done = false;
    const searching = (async () => {
      for (let i = 0; !done; i++) {
        const t = types[i % types.length]!;
        const r = await get(
          `/api/v1/availability?appointmentTypeId=${t.id}&specialty=${t.specialty}&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&limit=20`,
        );
        if (r.status !== 200) throw new Error(`availability ${r.status} ${JSON.stringify(r.body)}`);
        during.push(r.ms);
      }
    })();
    const bookings = await hammer(server.url, headers, rest, fresh, 10, 16);
    done = true;
    await searching;
    mixed = {
      bookings,
      availabilityMs: { requests: during.length, p50: ms(pct(during, 50)), p95: ms(pct(during, 95)) },
    };
  }

  // 5. one contended option, 64 clients at once
  const contendedOption = options[options.length - 1]!;
  const contended = await Promise.all(
    Array.from({ length: ONLY.has("contended") ? CLIENTS : 0 }, (_, i) =>
      fetch(`${server.url}/api/v1/appointments`, {
        method: "POST",
        headers,
        body: JSON.stringify({ optionId: contendedOption, patientId: patientIds[patientIds.length - 1 - i] }),
      }).then((r) => r.status),
    ),
  );

  // 6. the database's own limit: the same appointment insert straight in SQL, same concurrency
  const sqlRate = ONLY.has("sql") ? await sqlInsertRate(direct, SECONDS) : undefined;
  const peak = peakRssMb(server.pid);
  await server.stop();
  // statements per booking, counted around the booking service in this process (bench/statements.ts)
  const statementsPerBooking = ONLY.has("booking")
    ? await countStatementsPerBooking(DATABASE_URL)
    : undefined;
  await direct.end();

  const result = {
    machine: { cores: cpus().length, cpu: cpus()[0]?.model },
    network: { physicians: physicianIds.length, activeAppointmentsNext14Days: booked.rows[0]?.n },
    availabilityMs: {
      requests: REQUESTS,
      p50: ms(pct(availability, 50)),
      p95: ms(pct(availability, 95)),
      emptyAnswers: empty,
    },
    schedule30DaysMs: { requests: REQUESTS, p50: ms(pct(schedule, 50)), p95: ms(pct(schedule, 95)) },
    bookingHttp: bookingResult && { ...bookingResult, cpuPerBookingMs },
    statementsPerBooking,
    searchesDuringBookings: mixed,
    contendedOption: {
      clients: CLIENTS,
      created: contended.filter((c) => c === 201).length,
      conflicts: contended.filter((c) => c === 409).length,
      other: contended.filter((c) => c !== 201 && c !== 409),
    },
    sqlInsertPerSecond: sqlRate,
    httpToSqlRatio:
      bookingResult && sqlRate
        ? Math.round((bookingResult.successPerSecond / sqlRate) * 1000) / 1000
        : undefined,
    serverPeakRssMb: peak,
    bookablePhysicianMinutesPerDay,
    startup,
  };
  console.log(JSON.stringify(result, null, 2));
}

async function hammer(
  url: string,
  headers: Record<string, string>,
  options: string[],
  patients: string[],
  seconds: number,
  clients: number,
) {
  let next = 0;
  let ok = 0;
  let conflicts = 0;
  let serverErrors = 0;
  let other = 0;
  const conflictReasons: Record<string, number> = {};
  const latencies: number[] = [];
  const deadline = Date.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < deadline && next < options.length) {
        const i = next++;
        const t = performance.now();
        const res = await fetch(`${url}/api/v1/appointments`, {
          method: "POST",
          headers,
          body: JSON.stringify({ optionId: options[i], patientId: patients[i % patients.length] }),
        });
        const body = (await res.json().catch(() => ({}))) as { reason?: string };
        latencies.push(performance.now() - t);
        if (res.status === 201) ok++;
        else if (res.status === 409) {
          conflicts++;
          const reason = body.reason ?? "other";
          conflictReasons[reason] = (conflictReasons[reason] ?? 0) + 1;
        } else if (res.status >= 500) serverErrors++;
        else other++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return {
    clients,
    attempted: ok + conflicts + serverErrors + other,
    created: ok,
    conflicts,
    conflictReasons,
    serverErrors,
    other,
    seconds: Math.round(elapsed * 10) / 10,
    successPerSecond: Math.round(ok / elapsed),
    latencyMs: { p50: ms(pct(latencies, 50)), p95: ms(pct(latencies, 95)) },
  };
}

async function sqlInsertRate(pool: pg.Pool, seconds: number): Promise<number> {
  const base = (
    await pool.query<{
      patient_id: string;
      physician_id: string;
      location_id: string;
      appointment_type_id: string;
    }>("SELECT patient_id, physician_id, location_id, appointment_type_id FROM appointments LIMIT 1")
  ).rows[0]!;
  // far-future, distinct minutes per insert, so constraints are checked but never hit
  let n = 0;
  const t0 = Date.now() + 400 * 86_400_000;
  const deadline = Date.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (Date.now() < deadline) {
        const k = n++;
        const start = new Date(t0 + k * 3_600_000);
        await pool.query(
          `INSERT INTO appointments (patient_id, physician_id, location_id, appointment_type_id, starts_at, ends_at, status)
           VALUES ($1, $2, $3, $4, $5, $6, 'booked')`,
          [
            base.patient_id,
            base.physician_id,
            base.location_id,
            base.appointment_type_id,
            start,
            new Date(start.getTime() + 1_800_000),
          ],
        );
      }
    }),
  );
  const rate = Math.round(n / ((performance.now() - started) / 1000));
  await pool.query("DELETE FROM appointments WHERE starts_at > now() + interval '390 days'");
  return rate;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
