/**
 * The whole network in one consistent snapshot. On a PostgreSQL server: `pg_dump -Fc` (one
 * repeatable-read snapshot while the servers keep running) and `pg_restore` into an empty
 * database in one transaction. Embedded: PGlite's `dumpDataDir`, a tarball of the data directory
 * taken between two statements by the one process that holds the directory (`rounds.pid`), and
 * unpacked into a new directory beside the target, checked there, then moved into place.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { chmod, mkdir, rename, rm, rmdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import { sql } from "kysely";
import { chainHeads, headsHeld, walkChains } from "../audit/index.js";
import { DATA_DIR_LOCK } from "../data-dir-lock.js";
import { type Database, openDatabase } from "../db.js";
import {
  BackupError,
  checkManifest,
  type Manifest,
  partOf,
  readManifest,
  writeManifest,
} from "./manifest.js";

const run = promisify(execFile);
const DUMP_FILE = "database.dump";
const DATA_DIR_FILE = "pgdata.tar.gz";
const KEY_FILE = "audit.key";

export interface NetworkBackupOptions {
  out: string;
  auditKey: Buffer;
  roundsVersion: string;
  /** The server's URL (pg_dump connects itself); required with a PostgreSQL server. */
  databaseUrl?: string | undefined;
  /** PEM file of the CA the server's certificate chains to (ROUNDS_DATABASE_CA), for pg_dump too. */
  databaseCa?: string | undefined;
}

/** An empty (or absent) directory to write a backup into. */
export async function emptyOutput(out: string): Promise<void> {
  if (existsSync(out) && readdirSync(out).length > 0)
    throw new BackupError("not_empty", `${out} is not empty: a backup goes into a new or empty directory`);
  await mkdir(out, { recursive: true, mode: 0o700 });
}

export async function migrationLevel(database: Pick<Database, "db">): Promise<string> {
  const { rows } = await sql<{ v: string | null }>`SELECT max(version) AS v FROM schema_migrations`.execute(
    database.db,
  );
  return rows[0]?.v ?? "0000";
}

async function auditEvents(database: Pick<Database, "db">): Promise<number> {
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_events`.execute(database.db);
  return Number(rows[0]?.n ?? 0);
}

/** The URL libpq's tools connect with: ROUNDS_DATABASE_CA becomes its `sslrootcert`, as the pool's CA. */
function withRootCert(url: string, databaseCa: string | undefined): string {
  if (!databaseCa) return url;
  const u = new URL(url);
  u.searchParams.set("sslrootcert", databaseCa);
  return u.toString();
}

async function tool(name: string, args: string[]): Promise<void> {
  try {
    await run(name, args, { maxBuffer: 16 * 1024 * 1024 });
  } catch (err) {
    const stderr = String((err as { stderr?: string }).stderr ?? (err as Error).message).trim();
    throw new BackupError("tool_failed", `${name} failed: ${stderr.split("\n").slice(0, 5).join("; ")}`);
  }
}

export async function backupNetwork(database: Database, opts: NetworkBackupOptions): Promise<Manifest> {
  await emptyOutput(opts.out);
  // read before the snapshot: every head recorded here is inside it
  const heads = await chainHeads(database.db);
  const events = await auditEvents(database);
  const migration = await migrationLevel(database);
  let file: string;
  if (database.kind === "postgres") {
    if (!opts.databaseUrl)
      throw new Error("backupNetwork: the PostgreSQL server's URL is needed for pg_dump");
    file = DUMP_FILE;
    await tool("pg_dump", [
      "--format=custom",
      "--file",
      join(opts.out, file),
      "--dbname",
      withRootCert(opts.databaseUrl, opts.databaseCa),
    ]);
    // patient data: readable by the operator only, like the embedded tarball
    await chmod(join(opts.out, file), 0o600);
  } else {
    if (!database.dumpDataDir) throw new Error("backupNetwork: this embedded database cannot be dumped");
    file = DATA_DIR_FILE;
    const tarball = await database.dumpDataDir();
    await writeFile(join(opts.out, file), Buffer.from(await tarball.arrayBuffer()), { mode: 0o600 });
  }
  return writeManifest(opts.out, opts.auditKey, {
    scope: { kind: "network" },
    database: database.kind,
    roundsVersion: opts.roundsVersion,
    migration,
    createdAt: new Date().toISOString(),
    parts: [await partOf(opts.out, file)],
    audit: { heads, events },
  });
}

export type RestoreTarget =
  | { kind: "postgres"; url: string; databaseCa?: string | undefined }
  | { kind: "pglite"; dataDir: string };

export interface NetworkRestoreOptions {
  from: string;
  target: RestoreTarget;
  /**
   * The audit key to check the backup with: ROUNDS_AUDIT_KEY, or the target directory's own key.
   * Undefined only for an embedded backup restored where no key exists: then the key inside the
   * backup is used, which proves integrity but not origin (README.md, "Operating Rounds").
   */
  auditKey: Buffer | undefined;
}

export interface RestoreReport {
  manifest: Manifest;
  auditEvents: number;
}

export async function restoreNetwork(opts: NetworkRestoreOptions): Promise<RestoreReport> {
  const manifest = await readManifest(opts.from);
  if (manifest.scope.kind !== "network")
    throw new BackupError("wrong_scope", "this is a location backup: restore it with --location");
  if (manifest.database !== opts.target.kind)
    throw new BackupError(
      "wrong_scope",
      `this backup was taken from ${manifest.database === "postgres" ? "a PostgreSQL server" : "the embedded database"}; ` +
        `restore it into the same kind (to move between them, restore per location)`,
    );
  return opts.target.kind === "postgres"
    ? restorePostgres(opts, manifest, opts.target.url, opts.target.databaseCa)
    : restoreEmbedded(opts, manifest, opts.target.dataDir);
}

async function restorePostgres(
  opts: NetworkRestoreOptions,
  manifest: Manifest,
  url: string,
  databaseCa: string | undefined,
): Promise<RestoreReport> {
  if (!opts.auditKey)
    throw new BackupError("manifest_signature", "ROUNDS_AUDIT_KEY is needed to check the backup");
  await checkManifest(opts.from, opts.auditKey, manifest);
  const database = await openDatabase({
    databaseUrl: url,
    databaseCa,
    dataDir: "memory://",
    databasePreparedStatements: false,
  });
  try {
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`.execute(database.db);
    if (Number(rows[0]?.n) > 0)
      throw new BackupError(
        "not_empty",
        "the target database is not empty: restore into a new, empty database",
      );
    // one transaction: a restore that fails half-way leaves the database as empty as it was
    await tool("pg_restore", [
      "--single-transaction",
      "--exit-on-error",
      "--no-owner",
      // the target may lack the source's tablespaces: everything lands in its default one, and
      // the next start places each region's partitions as its ROUNDS_RESIDENCY_TABLESPACES says
      "--no-tablespaces",
      "--dbname",
      withRootCert(url, databaseCa),
      join(opts.from, DUMP_FILE),
    ]);
    const problem = await restoredTrailProblem(database, opts.auditKey, manifest);
    if (problem) {
      // the database was empty before: empty it again, so nothing unverified stays behind
      await database.session((exec) => exec("DROP SCHEMA public CASCADE; CREATE SCHEMA public"));
      throw new BackupError(
        "audit_chain",
        `the restored audit trail does not verify (${problem}); nothing was kept`,
      );
    }
    return { manifest, auditEvents: manifest.audit.events };
  } finally {
    await database.close();
  }
}

async function restoreEmbedded(
  opts: NetworkRestoreOptions,
  manifest: Manifest,
  dataDir: string,
): Promise<RestoreReport> {
  const target = resolve(dataDir);
  if (existsSync(target) && readdirSync(target).length > 0)
    throw new BackupError("not_empty", `${target} is not empty: restore into a new or empty data directory`);
  if (opts.auditKey) await checkManifest(opts.from, opts.auditKey, manifest);
  // unpacked beside the target (same file system, so the final move is a rename), never into it
  const staging = join(dirname(target), `.${randomBytes(6).toString("hex")}.restoring`);
  let moved = false;
  try {
    const database = await openDatabase({
      databaseUrl: undefined,
      dataDir: staging,
      embeddedCluster: join(opts.from, DATA_DIR_FILE),
    });
    let problem: string | null;
    try {
      const key = opts.auditKey ?? backupKey(staging);
      if (!opts.auditKey) await checkManifest(opts.from, key, manifest);
      problem = await restoredTrailProblem(database, key, manifest);
    } finally {
      await database.close();
    }
    if (problem)
      throw new BackupError(
        "audit_chain",
        `the backup's audit trail does not verify (${problem}); nothing was written`,
      );
    await rm(join(staging, DATA_DIR_LOCK), { force: true });
    if (existsSync(target)) await rmdir(target);
    await rename(staging, target);
    moved = true;
    return { manifest, auditEvents: manifest.audit.events };
  } finally {
    if (!moved) await rm(staging, { recursive: true, force: true });
  }
}

/** The embedded key that came with the backup (used only when no key was configured). */
function backupKey(staging: string): Buffer {
  try {
    return keyOf(readFileSync(join(staging, KEY_FILE)));
  } catch {
    throw new BackupError(
      "manifest_signature",
      "this backup carries no audit key and ROUNDS_AUDIT_KEY is not set: set it to the key of the network it came from",
    );
  }
}

/** The key file holds the hex text itself, used as the key's bytes (as `auditKey` in trail.ts reads it). */
const keyOf = (fileBytes: Buffer): Buffer => Buffer.from(fileBytes.toString("utf8").trim(), "utf8");

async function restoredTrailProblem(
  database: Database,
  key: Buffer,
  manifest: Manifest,
): Promise<string | null> {
  const walk = await walkChains(database.db, key);
  if (walk.problem) return walk.problem;
  if (walk.events < manifest.audit.events)
    return `the backup holds ${walk.events} audit events, the manifest recorded ${manifest.audit.events}`;
  return headsHeld(database.db, manifest.audit.heads);
}
