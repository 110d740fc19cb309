import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import type { Database } from "./db.js";

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
    await run(`SELECT pg_advisory_lock(${MIGRATION_LOCK_KEY})`);
    try {
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
