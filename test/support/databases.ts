/**
 * A database of a test's own: in-memory PGlite, or a new database on the DATABASE_URL server
 * (dropped again afterwards). For tests that must not share the suite's database: seeding an
 * empty one, tampering with the audit trail, starting from nothing.
 *
 * A migrated one is copied from the run's template (`template.ts`) when there is one, instead of
 * running every migration again.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import { type Database, openDatabase } from "../../src/platform/db.js";
import { migrate } from "../../src/platform/migrations.js";

/** The migrated database of this run that test databases start from (made by `template.ts`). */
export type TemplateDatabase =
  | { kind: "postgres" /** the template database, beside DATABASE_URL's */; name: string; run: string }
  | { kind: "pglite" /** a `dumpDataDir` tarball */; cluster: string; run: string };

declare module "vitest" {
  export interface ProvidedContext {
    roundsTemplate: TemplateDatabase | undefined;
  }
}

/** Worker databases are named `<WORKER_PREFIX><run>_<random>`; the template's teardown drops them. */
export const WORKER_PREFIX = "rounds_w_";

/** The run's template, or undefined outside the database tiers (no global setup ran). */
export function runTemplate(): TemplateDatabase | undefined {
  try {
    return inject("roundsTemplate");
  } catch {
    return undefined;
  }
}

/** Runs one statement on the server of `url` through its `postgres` database (CREATE/DROP DATABASE). */
export async function onServer(url: string, statement: string): Promise<Array<Record<string, unknown>>> {
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    return (await client.query(statement)).rows as Array<Record<string, unknown>>;
  } finally {
    await client.end();
  }
}

/**
 * Creates database `name` on the server of `url`, as a copy of `template` when given, and
 * returns its URL. A template is busy for a moment after its last session closed: retried then.
 */
export async function createServerDatabase(url: string, name: string, template?: string): Promise<string> {
  const statement = template ? `CREATE DATABASE ${name} TEMPLATE ${template}` : `CREATE DATABASE ${name}`;
  for (let attempt = 1; ; attempt++) {
    try {
      await onServer(url, statement);
      break;
    } catch (err) {
      // 55006 object_in_use: "source database … is being accessed by other users"
      if ((err as { code?: string }).code !== "55006" || attempt >= 50) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const target = new URL(url);
  target.pathname = `/${name}`;
  return target.toString();
}

export interface FreshDatabase {
  database: Database;
  /** The new database's URL on a PostgreSQL server; undefined for the embedded one. */
  url: string | undefined;
  drop(): Promise<void>;
}

export async function freshDatabase(
  opts: { migrated?: boolean; url?: string | undefined; poolSize?: number } = {},
): Promise<FreshDatabase> {
  const url = "url" in opts ? opts.url : process.env.DATABASE_URL;
  const template = opts.migrated ? runTemplate() : undefined;
  const ready = async (database: Database) => {
    // on a copy of the template this only checks that nothing is pending
    if (opts.migrated) await migrate(database);
    return database;
  };
  if (!url) {
    const cluster = template?.kind === "pglite" ? template.cluster : undefined;
    const database = await ready(
      await openDatabase({ databaseUrl: undefined, dataDir: "memory://", embeddedCluster: cluster }),
    );
    return { database, url: undefined, drop: () => database.close() };
  }
  const name = `rounds_t_${randomBytes(6).toString("hex")}`;
  const copyOf = template?.kind === "postgres" ? template.name : undefined;
  const target = await createServerDatabase(url, name, copyOf);
  const database = await ready(
    await openDatabase({ databaseUrl: target, dataDir: "memory://", databasePoolSize: opts.poolSize }),
  );
  return {
    database,
    url: target,
    async drop() {
      await database.close();
      await onServer(url, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
