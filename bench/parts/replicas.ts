/**
 * Scale-out on one PostgreSQL: the mixed workload (`mixed.ts`) on 1, 2 and 4 API processes, each a
 * real `rounds serve` on a port of its own with the clients spread evenly over them, as a load
 * balancer would. The processes are API-only (ROUNDS_NOTIFICATIONS_WORKER=false): on a freshly
 * seeded network the first worker would spend minutes building the reports' read model from the
 * seeded history, which is a one-off, not what a process adds (`mixed.ts` runs a worker replica).
 * Each run has fresh users and patients. Afterwards it measures what a row costs on
 * disk (table, indexes and TOAST divided by rows) for the tables that grow with use, which the
 * sizing in ARCHITECTURE.md ("Sizing a network") multiplies out.
 */
import pg from "pg";
import { type BenchOptions, log } from "./common.js";
import { overlappingAppointments, runMix } from "./mixed.js";
import { castActors, createUsers } from "./mixed-actors.js";
import { type Server, startServer } from "./server.js";

const PROCESS_COUNTS = [1, 2, 4];
/** Tables that grow with every booking, message and access, measured for the sizing. */
const GROWING_TABLES = [
  "appointments",
  "audit_events",
  "schedule_events",
  "notification_jobs",
  "notifications",
  "analytics_daily",
];

export interface ScaleOutRun {
  processes: number;
  requestsPerSecond: number;
  bookingsPerSecond: number;
  searchP50: number;
  searchP95: number;
  bookP95: number;
  serverErrors: number;
  cpuSeconds: { api: number[]; postgres: number };
  /** CPU per request (API processes together, PostgreSQL): what a request costs, however busy the machine. */
  cpuMsPerRequest: { api: number; postgres: number };
}

export async function scaleOut(opts: BenchOptions) {
  const direct = new pg.Pool({ connectionString: opts.databaseUrl, max: 4 });
  const tag = `s${Date.now().toString(36)}`;
  const servers: Server[] = [];
  const runs: ScaleOutRun[] = [];
  try {
    for (const n of PROCESS_COUNTS) {
      while (servers.length < n)
        servers.push(await startServer(opts, { ROUNDS_NOTIFICATIONS_WORKER: "false" }));
      const actors = await castActors(direct, opts.clients, `${tag}${n}`);
      await createUsers(servers[0]!.url, opts.admin, actors);
      const run = await runMix(servers.slice(0, n), actors, opts.seconds, 1);
      const errors = Object.values(run.operations).reduce((m, o) => m + o.serverErrors, 0);
      const requests = Object.values(run.operations).reduce((m, o) => m + o.count, 0);
      const perRequest = (seconds: number) => Math.round((seconds / Math.max(1, requests)) * 10_000) / 10;
      runs.push({
        processes: n,
        requestsPerSecond: run.requestsPerSecond,
        bookingsPerSecond: run.operations.book.perSecond,
        searchP50: run.operations.search.p50,
        searchP95: run.operations.search.p95,
        bookP95: run.operations.book.p95,
        serverErrors: errors,
        cpuSeconds: run.cpuSeconds,
        cpuMsPerRequest: {
          api: perRequest(run.cpuSeconds.api.reduce((a, b) => a + b, 0)),
          postgres: perRequest(run.cpuSeconds.postgres),
        },
      });
      log(
        `${n} API process(es): ${run.requestsPerSecond} requests/s, ${run.operations.book.perSecond} bookings/s, search p95 ${run.operations.search.p95} ms`,
      );
    }
    return {
      clients: opts.clients,
      seconds: opts.seconds,
      runs,
      overlappingActiveAppointments: await overlappingAppointments(direct),
      bytesPerRow: await bytesPerRow(direct),
    };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await direct.end();
  }
}

interface RowSize {
  rows: number;
  /** Table, indexes and TOAST divided by rows (inflated by mostly empty pages when rows are few). */
  bytesPerRow: number;
  /** The average row's own bytes (pg_column_size), without page, tuple-header and index overhead. */
  tupleBytes: number;
}

/** What a row of each growing table costs on disk, with the row counts it was measured on. */
async function bytesPerRow(direct: pg.Pool): Promise<Record<string, RowSize>> {
  const out: Record<string, RowSize> = {};
  for (const table of GROWING_TABLES) {
    const exists = await direct.query("SELECT to_regclass($1) AS t", [table]);
    if (!exists.rows[0]?.t) continue;
    await direct.query(`ANALYZE ${table}`);
    const r = await direct.query<{ rows: number; bytes: number; tuple: number }>(
      // a partitioned table (audit events, notifications: migration 0057) keeps its rows in its
      // partitions, so its size is theirs summed
      `SELECT count(*)::bigint AS rows,
         coalesce((SELECT sum(pg_total_relation_size(p.relid)) FROM pg_partition_tree($1::regclass) p),
           pg_total_relation_size($1::regclass)) AS bytes,
         coalesce(avg(pg_column_size(t.*)), 0)::float8 AS tuple FROM ${table} t`,
      [table],
    );
    const rows = Number(r.rows[0]?.rows ?? 0);
    out[table] = {
      rows,
      bytesPerRow: rows > 0 ? Math.round(Number(r.rows[0]?.bytes ?? 0) / rows) : 0,
      tupleBytes: Math.round(Number(r.rows[0]?.tuple ?? 0)),
    };
  }
  return out;
}
