/**
 * A database of a test's own: in-memory PGlite, or a new database on the DATABASE_URL server
 * (dropped again afterwards). For tests that must not share the suite's database: seeding an
 * empty one, tampering with the audit trail, starting from nothing.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { type Database, openDatabase } from "../../src/platform/db.js";
import { migrate } from "../../src/platform/migrations.js";

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
  const ready = async (database: Database) => {
    if (opts.migrated) await migrate(database);
    return database;
  };
  if (!url) {
    const database = await ready(await openDatabase({ databaseUrl: undefined, dataDir: "memory://" }));
    return { database, url: undefined, drop: () => database.close() };
  }
  const name = `rounds_t_${randomBytes(6).toString("hex")}`;
  const onServer = async (statement: string) => {
    const admin = new URL(url);
    admin.pathname = "/postgres";
    const client = new pg.Client({ connectionString: admin.toString() });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await onServer(`CREATE DATABASE ${name}`);
  const target = new URL(url);
  target.pathname = `/${name}`;
  const database = await ready(
    await openDatabase({
      databaseUrl: target.toString(),
      dataDir: "memory://",
      databasePoolSize: opts.poolSize,
    }),
  );
  return {
    database,
    url: target.toString(),
    async drop() {
      await database.close();
      await onServer(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
