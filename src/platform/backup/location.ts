/**
 * One location as a portable file (`location.jsonl`: one `{"table", "row"}` object a line, rows
 * as PostgreSQL's `to_jsonb` gives them), taken in one repeatable-read snapshot, and restored into
 * a running network in one transaction without touching any other location's rows. The location's
 * audit events go with it: each is checked against its keyed hash before anything is written, and
 * against this network's trail (append-only, so they are compared there, never inserted again).
 */
import { createReadStream } from "node:fs";
import { appendFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { type RawBuilder, sql } from "kysely";
import { auditService, chainHeads, eventProblem, type StoredAuditEvent, walkChains } from "../audit/index.js";
import type { Database, Executor } from "../db.js";
import { LOCATION_TABLES, type ScopedTable } from "./location.tables.js";
import {
  BackupError,
  checkManifest,
  type Manifest,
  partOf,
  readManifest,
  writeManifest,
} from "./manifest.js";
import { emptyOutput, migrationLevel } from "./network.js";

export const LOCATION_FILE = "location.jsonl";
const AUDIT_TABLE = "audit_events";
const CHUNK = 500;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Row = Record<string, unknown>;

/** Who runs backups and restores: the operator at the command line, not a signed-in user. */
const OPERATOR = { userId: null, role: "operator", requestId: null, clientAddress: null };

/** `where` with each `$L` bound as a parameter. */
function condition(where: string, locationId: string): RawBuilder<unknown> {
  const [first, ...rest] = where.split("$L");
  return rest.reduce<RawBuilder<unknown>>(
    (acc, piece) => sql`${acc}${locationId}::uuid${sql.raw(piece)}`,
    sql.raw(first ?? ""),
  );
}

function checkId(locationId: string): string {
  if (!UUID.test(locationId))
    throw new BackupError(
      "wrong_scope",
      `--location must be a location id (a UUID), not ${JSON.stringify(locationId)}`,
    );
  return locationId.toLowerCase();
}

export interface LocationBackupOptions {
  out: string;
  locationId: string;
  auditKey: Buffer;
  roundsVersion: string;
}

export async function backupLocation(database: Database, opts: LocationBackupOptions): Promise<Manifest> {
  const locationId = checkId(opts.locationId);
  await emptyOutput(opts.out);
  const file = join(opts.out, LOCATION_FILE);
  await writeFile(file, "", { mode: 0o600 });
  const counts: Record<string, number> = {};
  // one snapshot for every table: the file is as consistent as the database was at one instant
  const taken = await database.db
    .transaction()
    .setIsolationLevel("repeatable read")
    .execute(async (tx) => {
      const { rows } = await sql<{ code: string; name: string; region: string }>`
        SELECT code, name, data_residency AS region FROM locations WHERE id = ${locationId}::uuid`.execute(
        tx,
      );
      const location = rows[0];
      if (!location) throw new BackupError("wrong_scope", `no location ${locationId} in this network`);
      const heads = await chainHeads(tx);
      const migration = await migrationLevel({ db: tx as unknown as Database["db"] });
      const tables = [
        ...LOCATION_TABLES,
        { table: AUDIT_TABLE, mode: "own", where: "location_id = $L" } as const,
      ];
      for (const t of tables) {
        const order = t.table === AUDIT_TABLE ? sql`ORDER BY seq` : sql``;
        const { rows: found } = await sql<{ row: Row }>`
          SELECT to_jsonb(t) AS row FROM ${sql.table(t.table)} t
          WHERE ${condition(t.where, locationId)} ${order}`.execute(tx);
        counts[t.table] = found.length;
        if (found.length)
          await appendFile(
            file,
            found.map((r) => `${JSON.stringify({ table: t.table, row: r.row })}\n`).join(""),
          );
      }
      return { location, heads, migration };
    });
  const manifest = await writeManifest(opts.out, opts.auditKey, {
    scope: {
      kind: "location",
      locationId,
      code: taken.location.code,
      name: taken.location.name,
      region: taken.location.region,
    },
    database: database.kind,
    roundsVersion: opts.roundsVersion,
    migration: taken.migration,
    createdAt: new Date().toISOString(),
    parts: [await partOf(opts.out, LOCATION_FILE)],
    audit: { heads: taken.heads, events: counts[AUDIT_TABLE] ?? 0 },
  });
  // a backup reads patient records: it leaves an event like any other read
  await auditService.record(database.db, OPERATOR, {
    action: "backup.location_exported",
    resourceType: "location",
    resourceId: locationId,
    locationId,
    detail: { rows: counts },
  });
  return manifest;
}

export interface LocationRestoreReport {
  manifest: Manifest;
  /** Rows put back (own: added or changed back) or added (shared) per table; unchanged rows are not counted. */
  rows: Record<string, number>;
  audit: { inBackup: number; alreadyHere: number; notHere: number };
}

async function readRows(dir: string): Promise<Map<string, Row[]>> {
  const byTable = new Map<string, Row[]>();
  const lines = createInterface({
    input: createReadStream(join(dir, LOCATION_FILE)),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const { table, row } = JSON.parse(line) as { table: string; row: Row };
    const rows = byTable.get(table) ?? [];
    rows.push(row);
    byTable.set(table, rows);
  }
  return byTable;
}

/** The columns a restore may write: the table's own, not generated, and present in the backup. */
async function writableColumns(tx: Executor, table: string, rows: Row[]): Promise<string[]> {
  const { rows: cols } = await sql<{ name: string }>`
    SELECT column_name AS name FROM information_schema.columns
    WHERE table_schema = current_schema() AND table_name = ${table} AND is_generated = 'NEVER'
    ORDER BY ordinal_position`.execute(tx);
  const present = new Set(rows.flatMap((r) => Object.keys(r)));
  return cols.map((c) => c.name).filter((c) => present.has(c));
}

async function primaryKey(tx: Executor, table: string): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    SELECT a.attname AS name FROM pg_index i
    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
    WHERE i.indrelid = ${table}::regclass AND i.indisprimary`.execute(tx);
  return rows.map((r) => r.name);
}

const ids = (names: string[]) => sql.join(names.map((n) => sql.id(n)));

/** Rows of the backup whose key is held here by another location. */
async function collisions(tx: Executor, t: ScopedTable, key: string[], rows: Row[]): Promise<number> {
  const column = t.locationColumn;
  if (!column) return 0;
  const on = sql.join(
    key.map((k) => sql`t.${sql.id(k)} = b.${sql.id(k)}`),
    sql` AND `,
  );
  const { rows: found } = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM ${sql.table(t.table)} t
    JOIN jsonb_populate_recordset(NULL::${sql.table(t.table)}, ${JSON.stringify(rows)}::jsonb) b ON ${on}
    WHERE t.${sql.id(column)} IS DISTINCT FROM b.${sql.id(column)}`.execute(tx);
  return Number(found[0]?.n ?? 0);
}

async function write(tx: Executor, t: ScopedTable, key: string[], rows: Row[]): Promise<number> {
  const columns = await writableColumns(tx, t.table, rows);
  const updates = columns.filter((c) => !key.includes(c));
  const onConflict =
    t.mode === "shared" || updates.length === 0
      ? sql`ON CONFLICT DO NOTHING`
      : // rows already as the backup has them are left alone (no write, no trigger, not counted)
        sql`ON CONFLICT (${ids(key)}) DO UPDATE SET ${sql.join(updates.map((c) => sql`${sql.id(c)} = EXCLUDED.${sql.id(c)}`))}
          WHERE (${sql.join(updates.map((c) => sql`${sql.table(t.table)}.${sql.id(c)}`))})
            IS DISTINCT FROM (${sql.join(updates.map((c) => sql`EXCLUDED.${sql.id(c)}`))})`;
  let written = 0;
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    const result = await sql`
      INSERT INTO ${sql.table(t.table)} (${ids(columns)})
      SELECT ${ids(columns)} FROM jsonb_populate_recordset(NULL::${sql.table(t.table)}, ${JSON.stringify(chunk)}::jsonb)
      ${onConflict}`.execute(tx);
    written += Number(result.numAffectedRows ?? 0);
  }
  return written;
}

export interface LocationRestoreOptions {
  from: string;
  /** When given, the backup must be of this location. */
  locationId?: string | undefined;
  auditKey: Buffer;
}

export async function restoreLocation(
  database: Database,
  opts: LocationRestoreOptions,
): Promise<LocationRestoreReport> {
  const manifest = await readManifest(opts.from);
  const scope = manifest.scope;
  if (scope.kind !== "location")
    throw new BackupError(
      "wrong_scope",
      "this is a whole-network backup: restore it without --location, into an empty database",
    );
  if (opts.locationId && checkId(opts.locationId) !== scope.locationId)
    throw new BackupError(
      "wrong_scope",
      `this backup is of location ${scope.code} (${scope.locationId}), not ${opts.locationId}`,
    );
  await checkManifest(opts.from, opts.auditKey, manifest);
  const here = await migrationLevel(database);
  if (manifest.migration > here)
    throw new BackupError(
      "migration_level",
      `the backup was taken at migration ${manifest.migration}, this network is at ${here}: upgrade Rounds here first`,
    );
  const byTable = await readRows(opts.from);
  const events = (byTable.get(AUDIT_TABLE) ?? []) as unknown as StoredAuditEvent[];
  for (const e of events) {
    const problem =
      e.location_id === scope.locationId ? eventProblem(opts.auditKey, e) : "it is another location's event";
    if (problem)
      throw new BackupError(
        "audit_chain",
        `the backup's audit event seq=${e.seq} does not verify: ${problem}; nothing was written`,
      );
  }
  const known = new Set([...LOCATION_TABLES.map((t) => t.table), AUDIT_TABLE]);
  const stray = [...byTable.keys()].find((t) => !known.has(t));
  if (stray)
    throw new BackupError(
      "wrong_scope",
      `the backup holds rows of ${stray}, which a location backup never holds`,
    );
  const rows: Record<string, number> = {};
  try {
    return await database.db.transaction().execute(async (tx) => {
      for (const t of LOCATION_TABLES) {
        const found = byTable.get(t.table) ?? [];
        if (found.length === 0) continue;
        const key = await primaryKey(tx, t.table);
        const taken = await collisions(tx, t, key, found);
        if (taken > 0)
          throw new BackupError(
            "collision",
            `${taken} ${t.table} row(s) of the backup have ids that belong to another location here; nothing was written`,
          );
        rows[t.table] = await write(tx, t, key, found);
      }
      const audit = await compareEvents(tx, events);
      await auditService.record(tx, OPERATOR, {
        action: "backup.location_restored",
        resourceType: "location",
        resourceId: scope.locationId,
        locationId: scope.locationId,
        detail: { backupTakenAt: manifest.createdAt, rows, audit },
      });
      const walk = await walkChains(tx, opts.auditKey);
      if (walk.problem)
        throw new BackupError(
          "audit_chain",
          `this network's audit trail does not verify after the restore (${walk.problem}); nothing was written`,
        );
      return { manifest, rows, audit };
    });
  } catch (err) {
    if (err instanceof BackupError) throw err;
    const pgErr = err as { code?: string; constraint?: string; table?: string };
    if (typeof pgErr.code === "string" && /^(23|40)/.test(pgErr.code))
      throw new BackupError(
        "conflict",
        `the backup conflicts with this network's current data (${pgErr.constraint ?? pgErr.code}${pgErr.table ? ` on ${pgErr.table}` : ""}); nothing was written`,
      );
    throw err;
  }
}

/** The backup's events must be in this trail as they were; ones it does not hold are only counted. */
async function compareEvents(
  tx: Executor,
  events: StoredAuditEvent[],
): Promise<LocationRestoreReport["audit"]> {
  let alreadyHere = 0;
  for (let i = 0; i < events.length; i += CHUNK) {
    const chunk = events.slice(i, i + CHUNK);
    const { rows } = await sql<{ id: string; hash: string }>`
      SELECT id::text, hash FROM audit_events WHERE id = ANY (${chunk.map((e) => e.id)}::uuid[])`.execute(tx);
    const hashes = new Map(rows.map((r) => [r.id, r.hash]));
    for (const e of chunk) {
      const hash = hashes.get(e.id);
      if (hash === undefined) continue;
      if (hash !== e.hash)
        throw new BackupError(
          "audit_chain",
          `audit event ${e.id} differs between the backup and this network's trail; nothing was written`,
        );
      alreadyHere++;
    }
  }
  return { inBackup: events.length, alreadyHere, notHere: events.length - alreadyHere };
}
