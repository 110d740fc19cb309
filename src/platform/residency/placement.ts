/**
 * Placement: each region's partitions of the location-scoped patient tables (migration 0056) are
 * moved into the region's tablespace (ROUNDS_RESIDENCY_TABLESPACES) — at start and by
 * `rounds residency apply`. The work is `residency_apply` in the database: idempotent, under an
 * advisory lock, so two replicas starting together move each partition once.
 */
import { sql } from "kysely";
import type { Database, Executor } from "../db.js";

/** One relation moved (a partition or one of its indexes). */
export interface Move {
  relation: string;
  region: string;
  tablespace: string;
}

/** What the placement did and what it could not do. */
export interface PlacementResult {
  moved: Move[];
  /** Configured tablespaces that do not exist on the server (nothing moved for their regions). */
  missing: { region: string; tablespace: string }[];
  /** The embedded database has no tablespaces: everything is in its data directory. */
  embedded: boolean;
}

/** Applies the configured placement (an empty map puts every partition in the default tablespace). */
export async function applyPlacement(
  database: Pick<Database, "db" | "kind">,
  tablespaces: Record<string, string>,
): Promise<PlacementResult> {
  const embedded = database.kind === "pglite";
  const { db } = database;
  // the embedded database records the configuration (the report shows it) and moves nothing
  const moved = (
    await sql<Move>`SELECT * FROM residency_apply(${JSON.stringify(tablespaces)}::jsonb)`.execute(db)
  ).rows;
  return { moved, missing: embedded ? [] : await missingTablespaces(db, tablespaces), embedded };
}

async function missingTablespaces(db: Executor, tablespaces: Record<string, string>) {
  const existing = new Set(
    (await sql<{ spcname: string }>`SELECT spcname FROM pg_tablespace`.execute(db)).rows.map(
      (r) => r.spcname,
    ),
  );
  return Object.entries(tablespaces)
    .filter(([, t]) => !existing.has(t))
    .map(([region, tablespace]) => ({ region, tablespace }));
}
