import { randomBytes } from "node:crypto";
import { loadConfig } from "../../src/platform/config.js";
import { type Database, openDatabase } from "../../src/platform/db.js";
import { migrate } from "../../src/platform/migrations.js";
import { createRounds, type Rounds } from "../../src/server.js";

/**
 * One database per test worker: PGlite in memory by default, or the PostgreSQL server named by
 * DATABASE_URL. Tests never truncate; each creates its own uniquely-named data.
 */
const shared = globalThis as { __roundsDb?: Promise<Database> };

export function testDatabase(): Promise<Database> {
  shared.__roundsDb ??= (async () => {
    const database = await openDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir: "memory://" });
    await migrate(database);
    return database;
  })();
  return shared.__roundsDb;
}

/** An app instance on the worker's database; `env` adds or overrides configuration. */
export async function startRounds(env: Record<string, string> = {}): Promise<Rounds> {
  const database = await testDatabase();
  const config = loadConfig({
    ...process.env,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    ROUNDS_SEED_DEMO: "false",
    ...env,
  });
  return createRounds(config, { database });
}

/** A short unique suffix so parallel tests never collide on unique columns. */
export function unique(len = 6): string {
  return randomBytes(8).toString("hex").toUpperCase().slice(0, len);
}

export const json = (body: unknown) => ({
  headers: { "content-type": "application/json" },
  payload: JSON.stringify(body),
});
