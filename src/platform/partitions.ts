/**
 * Time partitions (migration 0057): the audit trail and the in-app inbox are partitioned by month
 * (UTC). A pass creates this month's and the next months' partitions ahead of the rows that will
 * need them, and moves any rows that landed in a DEFAULT partition into their months. The work is
 * done by `partitions_maintain` in the database, as the tables' owner (the application's role owns
 * nothing) and under an advisory lock, so replicas running the pass side by side are harmless.
 * Nothing here ever drops or detaches a month: retention is a compliance decision (README,
 * "Operating Rounds").
 */
import type { FastifyBaseLogger } from "fastify";
import { sql } from "kysely";
import { createLoop } from "./background.js";
import type { Executor } from "./db.js";

/** Months created ahead of the current one: a quarter without a pass before anything lands in DEFAULT. */
export const MONTHS_AHEAD = 3;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The partitioned tables, each with the column its months are cut by. */
export const PARTITIONED_TABLES = { audit_events: "occurred_at", notifications: "created_at" } as const;

export interface PartitionPass {
  parent: string;
  /** Partitions this pass created (none when an earlier pass or replica did). */
  created: string[];
  /** Rows moved out of the DEFAULT partition into their months. */
  rehomed: number;
}

export interface Partition {
  parent: string;
  name: string;
  /** `FOR VALUES FROM (...) TO (...)`, or `DEFAULT`. */
  bound: string;
  rows: number;
}

/** One maintenance pass for the month of `at` and `monthsAhead` after it. */
export async function maintainPartitions(
  db: Executor,
  at: Date,
  monthsAhead: number = MONTHS_AHEAD,
): Promise<PartitionPass[]> {
  const { rows } = await sql<{ parent: string; created: string[]; rehomed: number }>`
    SELECT parent, created, rehomed FROM partitions_maintain(${at}::timestamptz, ${monthsAhead}::int)`.execute(
    db,
  );
  return rows.map((r) => ({ parent: r.parent, created: r.created, rehomed: Number(r.rehomed) }));
}

/** Every partition of the partitioned tables, oldest month first, with its exact row count. */
export async function listPartitions(db: Executor): Promise<Partition[]> {
  const { rows } = await sql<{ parent: string; name: string; bound: string }>`
    SELECT p.relname AS parent, c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
    FROM pg_inherits i
    JOIN pg_class p ON p.oid = i.inhparent
    JOIN pg_class c ON c.oid = i.inhrelid
    WHERE p.relname IN (${sql.join(Object.keys(PARTITIONED_TABLES))})
      AND p.relnamespace = current_schema()::regnamespace
    ORDER BY p.relname, c.relname = p.relname || '_default', c.relname`.execute(db);
  const partitions: Partition[] = [];
  for (const r of rows) {
    const counted = await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.table(r.name)}`.execute(db);
    partitions.push({ ...r, rows: Number(counted.rows[0]?.n ?? 0) });
  }
  return partitions;
}

export interface PartitionHealth {
  table: string;
  /** Months after the month of `now` that have a partition, without a gap (3 after a pass; 0 or -1: the pass is not running). */
  monthsAhead: number;
  /** Rows waiting in the DEFAULT partition for the pass to move them (0 normally). */
  defaultRows: number;
}

/** What an operator alerts on (metrics): the months ready ahead, and rows left in DEFAULT. */
export async function partitionHealth(db: Executor, now: Date): Promise<PartitionHealth[]> {
  const { rows } = await sql<{ parent: string; months: string[]; default_rows: string }>`
    SELECT p.relname AS parent,
      array_agg(substring(c.relname FROM '_([0-9]{4}_[0-9]{2})$')) AS months,
      (SELECT count(*) FROM (SELECT 1 FROM audit_events_default WHERE p.relname = 'audit_events'
         UNION ALL SELECT 1 FROM notifications_default WHERE p.relname = 'notifications') d) AS default_rows
    FROM pg_inherits i
    JOIN pg_class p ON p.oid = i.inhparent
    JOIN pg_class c ON c.oid = i.inhrelid
    WHERE p.relname IN (${sql.join(Object.keys(PARTITIONED_TABLES))})
      AND p.relnamespace = current_schema()::regnamespace
    GROUP BY p.relname ORDER BY p.relname`.execute(db);
  return rows.map((r) => {
    const months = new Set(r.months);
    let ahead = -1;
    const at = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
    while (months.has(`${at.getUTCFullYear()}_${String(at.getUTCMonth() + 1).padStart(2, "0")}`)) {
      ahead++;
      at.setUTCMonth(at.getUTCMonth() + 1);
    }
    return { table: r.parent, monthsAhead: ahead, defaultRows: Number(r.default_rows) };
  });
}

/** The daily pass, run once at start; stop() waits for a pass in progress. */
export function startPartitionMaintenance(deps: { db: Executor; now: () => Date; log: FastifyBaseLogger }): {
  stop(): Promise<void>;
  runOnce(): Promise<void>;
} {
  const loop = createLoop(
    "partitions",
    async () => {
      for (const pass of await maintainPartitions(deps.db, deps.now()))
        if (pass.created.length || pass.rehomed) deps.log.info(pass, `partitions: ${pass.parent} maintained`);
    },
    DAY_MS,
    deps.log,
  );
  loop.start();
  return { stop: () => loop.stop(), runOnce: () => loop.runOnce() };
}
