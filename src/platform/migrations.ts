import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import { type Database, openDatabase } from "./db.js";

export const MIGRATIONS_DIR = fileURLToPath(new URL("../../migrations/", import.meta.url));

export interface Migration {
  version: string;
  name: string;
  sql: string;
  checksum: string;
}

/** Reads `NNNN_name.sql` files in order. */
export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((file) => {
      const sql = readFileSync(`${dir}/${file}`, "utf8");
      return {
        version: file.slice(0, 4),
        name: file.slice(5, -4),
        sql,
        checksum: createHash("sha256").update(sql).digest("hex"),
      };
    });
}

// Any constant works; it only has to be the same for every replica of Rounds.
const MIGRATION_LOCK_KEY = 7_402_113;

/**
 * Applies pending migrations, each in its own transaction, under an advisory lock so that
 * replicas starting together apply each migration exactly once. Refuses to run when an applied
 * migration's file was edited afterwards (migrations are forward-only).
 */
export async function migrate(database: Database, migrations = readMigrations()): Promise<string[]> {
  return database.session(async (run) => {
    // the embedded database's one session may have dropped to the application role
    if (database.kind === "pglite") await run("RESET ROLE");
    await run(`SELECT pg_advisory_lock(${MIGRATION_LOCK_KEY})`);
    try {
      // an application role that may not create tables still checks that nothing is pending
      const [table] = await run("SELECT to_regclass('schema_migrations') IS NOT NULL AS present");
      if (!table?.present)
        await run(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version text PRIMARY KEY,
        name text NOT NULL,
        checksum text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const rows = await run("SELECT version, checksum FROM schema_migrations");
      const applied = new Map(rows.map((r) => [String(r.version), String(r.checksum)]));
      const done: string[] = [];
      for (const m of migrations) {
        const previous = applied.get(m.version);
        if (previous !== undefined) {
          if (previous !== m.checksum) {
            throw new Error(
              `Migration ${m.version}_${m.name} was changed after it was applied; add a new migration instead`,
            );
          }
          continue;
        }
        const name = m.name.replaceAll("'", "''");
        await run(
          `BEGIN;\n${m.sql}\n;INSERT INTO schema_migrations (version, name, checksum) VALUES ('${m.version}', '${name}', '${m.checksum}');\nCOMMIT;`,
        ).catch(async (err: unknown) => {
          await run("ROLLBACK").catch(() => {});
          throw new Error(`Migration ${m.version}_${m.name} failed: ${(err as Error).message}`);
        });
        done.push(`${m.version}_${m.name}`);
      }
      return done;
    } finally {
      await run(`SELECT pg_advisory_unlock(${MIGRATION_LOCK_KEY})`);
    }
  });
}

/** True when every migration file has been applied (used by /readyz). */
export async function migrationsApplied(database: Database, migrations = readMigrations()): Promise<boolean> {
  const result = await sql<{ n: number }>`SELECT count(*)::int AS n FROM schema_migrations`
    .execute(database.db)
    .catch(() => undefined);
  return (result?.rows[0]?.n ?? -1) === migrations.length;
}

/** The role migration 0018 grants the application's rights to (cluster-wide on a server). */
export const APPLICATION_ROLE = "rounds_app";

/**
 * The embedded database has one session and no logins: after migrating as its owner, the session
 * drops to the application role, so the application's own statements cannot alter tables or
 * change the audit trail. It is a guard against mistakes, not against an attacker who can run
 * SQL in the process (RESET ROLE undoes it); a PostgreSQL server gives the real separation.
 */
export async function dropToApplicationRole(database: Database): Promise<void> {
  if (database.kind !== "pglite") return;
  await database.session((run) => run(`SET ROLE ${APPLICATION_ROLE}`));
}

/**
 * On a PostgreSQL server: why the role the application connects as could rewrite the audit
 * trail (superuser, the tables' owner, or granted UPDATE/DELETE on it), or undefined when it cannot.
 */
export async function auditPrivilegeProblem(database: Database): Promise<string | undefined> {
  if (database.kind !== "postgres") return undefined;
  const { rows } = await sql<{ superuser: boolean; owner: boolean; rewrite: boolean; who: string }>`
    SELECT r.rolsuper AS superuser,
           pg_has_role(current_user, c.relowner, 'USAGE') AS owner,
           has_table_privilege('audit_events', 'UPDATE, DELETE, TRUNCATE') AS rewrite,
           current_user AS who
    FROM pg_roles r, pg_class c
    WHERE r.rolname = current_user AND c.oid = 'audit_events'::regclass`.execute(database.db);
  const r = rows[0];
  if (!r) return undefined;
  if (r.superuser) return `the application connects as ${r.who}, a superuser`;
  if (r.owner) return `the application connects as ${r.who}, which owns the tables`;
  if (r.rewrite) return `the application's role ${r.who} may update or delete audit events`;
  return undefined;
}

/**
 * Applies pending migrations as the tables' owner: through DATABASE_OWNER_URL when it is set,
 * otherwise through the application's own connection (which then has to be the owner whenever a
 * migration is pending; with nothing pending any role that may read schema_migrations will do).
 */
export async function migrateAsOwner(
  database: Database,
  config: {
    databaseUrl: string | undefined;
    databaseOwnerUrl: string | undefined;
    databaseCa?: string | undefined;
    dataDir: string;
  },
): Promise<string[]> {
  if (database.kind !== "postgres" || !config.databaseOwnerUrl) return migrate(database);
  const owner = await openDatabase({
    databaseUrl: config.databaseOwnerUrl,
    databaseCa: config.databaseCa,
    dataDir: config.dataDir,
  });
  try {
    return await migrate(owner);
  } finally {
    await owner.close();
  }
}
