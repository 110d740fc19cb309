/**
 * A mixed workload on two API replicas, and the same on one, so scaling out is a number.
 *
 * Two `rounds serve` processes share the bench database as a deployment would run them: one with
 * the notification worker, one API-only (`ROUNDS_NOTIFICATIONS_WORKER=false`). `--clients`
 * clients, spread evenly over the replicas, each signed in as a front desk (location staff, on
 * their location's patients, booking at their location) or as a patient (for themselves,
 * anywhere), draw each request from this mix:
 *
 *   search 60 %, schedule read 20 %, hold 6 %, book 8 %, cancel 3 %, reschedule 3 %
 *
 * Searching dominates because people compare: a booking follows a handful of searches. Schedule
 * reads are a front desk's day view of a physician and a patient's own list of appointments. Three
 * of four bookings start from a hold (the patient holds, then confirms), the rest book an option
 * straight away. Cancellations and reschedules are heavier than a clinic sees them, on purpose:
 * they take the booking's locks and re-checks, so they are where replicas race. Each client works on what it found and booked itself: holds and
 * bookings take an option of its last search, cancellations and reschedules one of its own
 * appointments, so conflicts come from real races between clients, not from stale ids.
 *
 * Afterwards it counts active appointments that overlap another of the same physician, room or
 * patient (the exclusion constraints say it must be 0).
 */
import pg from "pg";
import { type BenchOptions, log, ms, pct } from "./common.js";
import { cpuSeconds, postgresCpuSeconds } from "./memory.js";
import { type Actor, castActors, createUsers, PASSWORD } from "./mixed-actors.js";
import { type Server, signIn, startServer } from "./server.js";

export const MIX = {
  search: 60,
  schedule: 20,
  hold: 6,
  book: 8,
  cancel: 3,
  reschedule: 3,
} as const;
export type Operation = keyof typeof MIX;
const OPERATIONS = Object.keys(MIX) as Operation[];

const DAY = 86_400_000;

interface OperationStats {
  latencies: number[];
  serverErrors: number;
  conflicts: Record<string, number>;
  /** Other answers that are not a success, by status, problem code and field. */
  refused: Record<string, number>;
}

export interface OperationFigure {
  count: number;
  perSecond: number;
  p50: number;
  p95: number;
  serverErrors: number;
  conflicts: Record<string, number>;
  refused: Record<string, number>;
}

export interface MixRun {
  replicas: number;
  clients: number;
  seconds: number;
  requestsPerSecond: number;
  operations: Record<Operation, OperationFigure>;
  /** CPU seconds each API process and PostgreSQL spent during the run. */
  cpuSeconds: { api: number[]; postgres: number };
}

/** Deterministic per client, so two runs draw the same sequence of operations. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function draw(rand: () => number): Operation {
  let x = rand() * 100;
  for (const op of OPERATIONS) {
    x -= MIX[op];
    if (x < 0) return op;
  }
  return "search";
}

interface ClientState {
  options: string[];
  /** Open holds, each with the patient it was made for. */
  holds: Array<{ id: string; patientId: string }>;
  booked: string[];
  nextPatient: number;
}

/** One client: signs in at its replica, then draws operations from the mix until `deadline`. */
function client(url: string, actor: Actor, seed: number) {
  const rand = random(seed);
  const state: ClientState = { options: [], holds: [], booked: [], nextPatient: 0 };
  let headers: Record<string, string> = {};
  const patient = () => actor.patientIds[state.nextPatient % actor.patientIds.length]!;
  const take = <T>(xs: T[]): T | undefined => xs.splice(Math.floor(rand() * xs.length), 1)[0];

  const call = async (method: string, path: string, body?: unknown) => {
    const t = performance.now();
    const res = await fetch(`${url}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    return { status: res.status, json, ms: performance.now() - t };
  };

  const search = async () => {
    const from = new Date(Date.now() + 3_600_000).toISOString();
    const to = new Date(Date.now() + 14 * DAY).toISOString();
    const where = actor.locationId ? `&locationIds=${actor.locationId}` : "";
    const r = await call(
      "GET",
      `/api/v1/availability?appointmentTypeId=${actor.appointmentTypeId}&specialty=${actor.specialty}` +
        `&patientId=${patient()}${where}&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&limit=20`,
    );
    if (r.status === 200) state.options = (r.json.options as Array<{ id: string }>).map((o) => o.id);
    return r;
  };

  const run: Record<Operation, () => Promise<{ status: number; json: Record<string, unknown>; ms: number }>> =
    {
      search,
      schedule: () => {
        if (actor.kind === "patient")
          return call("GET", `/api/v1/appointments?patientId=${patient()}&from=${new Date().toISOString()}`);
        const physicianId = actor.physicianIds[Math.floor(rand() * actor.physicianIds.length)];
        const today = new Date().toISOString().slice(0, 10);
        const inAWeek = new Date(Date.now() + 6 * DAY).toISOString().slice(0, 10);
        return call("GET", `/api/v1/physicians/${physicianId}/schedule?from=${today}&to=${inAWeek}`);
      },
      hold: async () => {
        const patientId = patient();
        const r = await call("POST", "/api/v1/holds", { optionId: take(state.options), patientId });
        if (r.status === 201) state.holds.push({ id: r.json.id as string, patientId });
        return r;
      },
      book: async () => {
        // three of four bookings confirm a hold, when the client has one
        const useHold = state.holds.length > 0 && (state.options.length === 0 || rand() < 0.75);
        const hold = useHold ? state.holds.shift() : undefined;
        if (!hold && state.options.length === 0) return search();
        const r = await call(
          "POST",
          "/api/v1/appointments",
          hold
            ? { holdId: hold.id, patientId: hold.patientId }
            : { optionId: take(state.options), patientId: patient() },
        );
        if (r.status === 201) {
          state.booked.push(r.json.id as string);
          state.nextPatient++;
        }
        return r;
      },
      cancel: async () => {
        const id = take(state.booked)!;
        return call("POST", `/api/v1/appointments/${id}/cancel`, { reason: "patient called to cancel" });
      },
      reschedule: async () => {
        const id = take(state.booked)!;
        const r = await call("POST", `/api/v1/appointments/${id}/reschedule`, {
          optionId: take(state.options),
          reason: "patient asked for another time",
        });
        state.booked.push(r.status === 201 ? (r.json.id as string) : id);
        return r;
      },
    };

  /** What the client can do instead when it has nothing to act on: book first, search first. */
  const feasible = (op: Operation): Operation => {
    const wanted = (op === "cancel" || op === "reschedule") && state.booked.length === 0 ? "book" : op;
    const needsOption =
      wanted === "hold" || wanted === "reschedule" || (wanted === "book" && state.holds.length === 0);
    return needsOption && state.options.length === 0 ? "search" : wanted;
  };

  return {
    async signIn() {
      headers = await signIn(url, { email: actor.email, password: PASSWORD });
    },
    /** One search and one booking, not measured: every client starts with something to cancel or move. */
    async warmUp() {
      await search();
      await run.book();
    },
    async work(deadline: number, stats: Record<Operation, OperationStats>) {
      while (Date.now() < deadline) {
        const op = feasible(draw(rand));
        const r = await run[op]();
        const s = stats[op];
        s.latencies.push(r.ms);
        if (r.status >= 500) s.serverErrors++;
        else if (r.status === 409) {
          const reason =
            (r.json.reason as string | undefined) ?? (r.json.code as string | undefined) ?? "other";
          s.conflicts[reason] = (s.conflicts[reason] ?? 0) + 1;
        } else if (r.status >= 400) {
          // by status, problem code and the field at fault, so a refusal says what it was
          const field = (r.json.errors as Array<{ field?: string }> | undefined)?.[0]?.field;
          const key = [r.status, r.json.code, field].filter((x) => x !== undefined).join(" ");
          s.refused[key] = (s.refused[key] ?? 0) + 1;
        }
      }
    },
  };
}

export async function runMix(
  servers: Server[],
  actors: Actor[],
  seconds: number,
  seedBase: number,
): Promise<MixRun> {
  const clients = actors.map((a, i) => client(servers[i % servers.length]!.url, a, seedBase + i));
  await Promise.all(clients.map((c) => c.signIn()));
  await Promise.all(clients.map((c) => c.warmUp()));
  const stats = Object.fromEntries(
    OPERATIONS.map((op) => [op, { latencies: [], serverErrors: 0, conflicts: {}, refused: {} }]),
  ) as unknown as Record<Operation, OperationStats>;
  const cpuBefore = { api: servers.map((s) => cpuSeconds(s.pid)), postgres: postgresCpuSeconds() };
  const started = performance.now();
  const deadline = Date.now() + seconds * 1000;
  await Promise.all(clients.map((c) => c.work(deadline, stats)));
  const elapsed = (performance.now() - started) / 1000;
  const operations = Object.fromEntries(
    OPERATIONS.map((op) => {
      const s = stats[op];
      const figure: OperationFigure = {
        count: s.latencies.length,
        perSecond: Math.round((s.latencies.length / elapsed) * 10) / 10,
        p50: ms(pct(s.latencies, 50)),
        p95: ms(pct(s.latencies, 95)),
        serverErrors: s.serverErrors,
        conflicts: s.conflicts,
        refused: s.refused,
      };
      return [op, figure];
    }),
  ) as Record<Operation, OperationFigure>;
  const total = OPERATIONS.reduce((n, op) => n + stats[op].latencies.length, 0);
  return {
    replicas: servers.length,
    clients: actors.length,
    seconds: Math.round(elapsed * 10) / 10,
    requestsPerSecond: Math.round(total / elapsed),
    operations,
    cpuSeconds: {
      api: servers.map((s, i) => Math.round((cpuSeconds(s.pid) - cpuBefore.api[i]!) * 10) / 10),
      postgres: Math.round((postgresCpuSeconds() - cpuBefore.postgres) * 10) / 10,
    },
  };
}

/** Active appointments that overlap an earlier one of the same physician, room or patient. */
export async function overlappingAppointments(
  direct: pg.Pool,
): Promise<{ physician: number; room: number; patient: number }> {
  const count = async (key: "physician_id" | "room_id" | "patient_id") => {
    const r = await direct.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (
         SELECT starts_at, max(ends_at) OVER (PARTITION BY ${key} ORDER BY starts_at, id
           ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS earlier_end
         FROM appointments WHERE active AND ${key} IS NOT NULL) s
       WHERE starts_at < earlier_end`,
    );
    return r.rows[0]?.n ?? 0;
  };
  return {
    physician: await count("physician_id"),
    room: await count("room_id"),
    patient: await count("patient_id"),
  };
}

/** The mix on one replica, then on two; each run with users of its own. */
export async function mixedOnReplicas(opts: BenchOptions) {
  const direct = new pg.Pool({ connectionString: opts.databaseUrl, max: 4 });
  const tag = Date.now().toString(36);
  // one replica as a single deployment runs it (with the worker), the second API-only
  const withWorker = await startServer(opts);
  const apiOnly = await startServer(opts, { ROUNDS_NOTIFICATIONS_WORKER: "false" });
  try {
    // distinct users and patients per run, so the second run's clients start as empty-handed
    const actorsOne = await castActors(direct, opts.clients, `${tag}a`);
    await createUsers(withWorker.url, opts.admin, actorsOne);
    log(
      `mixed workload: ${actorsOne.filter((a) => a.kind === "staff").length} front desks and ` +
        `${actorsOne.filter((a) => a.kind === "patient").length} patients per run, ${opts.seconds} s each`,
    );
    const one = await runMix([withWorker], actorsOne, opts.seconds, 1);
    log(`one replica: ${one.requestsPerSecond} requests/s`);
    // cast after the first run: its patients are busy now, these start with an empty diary
    const actorsTwo = await castActors(direct, opts.clients, `${tag}b`);
    await createUsers(withWorker.url, opts.admin, actorsTwo);
    const two = await runMix([withWorker, apiOnly], actorsTwo, opts.seconds, 1);
    log(`two replicas: ${two.requestsPerSecond} requests/s`);
    const overlaps = await overlappingAppointments(direct);
    const factor = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 100) / 100 : null);
    return {
      mix: MIX,
      oneReplica: one,
      twoReplicas: two,
      scalingFactor: {
        requests: factor(two.requestsPerSecond, one.requestsPerSecond),
        bookings: factor(two.operations.book.perSecond, one.operations.book.perSecond),
        searchP95: factor(two.operations.search.p95, one.operations.search.p95),
      },
      serverErrors: [one, two].reduce(
        (n, run) => n + OPERATIONS.reduce((m, op) => m + run.operations[op].serverErrors, 0),
        0,
      ),
      overlappingActiveAppointments: overlaps,
    };
  } finally {
    await Promise.all([withWorker.stop(), apiOnly.stop()]);
    await direct.end();
  }
}
