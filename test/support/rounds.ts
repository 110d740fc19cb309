import { randomBytes } from "node:crypto";
import { loadConfig } from "../../src/platform/config.js";
import { type Database, openDatabase } from "../../src/platform/db.js";
import { migrate } from "../../src/platform/migrations.js";
import { createRounds, type Rounds } from "../../src/server.js";
import { runTemplate } from "./databases.js";

/**
 * One database per test worker: PGlite in memory by default, or the PostgreSQL server named by
 * DATABASE_URL. Tests never truncate; each creates its own uniquely-named data. In the database
 * tiers it starts migrated: the embedded one is unpacked from the run's migrated cluster, and
 * DATABASE_URL names the worker's clone of the template (`template.ts`, `worker-database.ts`).
 */
const shared = globalThis as { __roundsDb?: Promise<Database> };

export function testDatabase(): Promise<Database> {
  shared.__roundsDb ??= (async () => {
    const url = process.env.DATABASE_URL;
    const template = runTemplate();
    const database = await openDatabase({
      databaseUrl: url,
      dataDir: "memory://",
      embeddedCluster: template?.kind === "pglite" ? template.cluster : undefined,
    });
    // on a copy of the template this only checks that nothing is pending
    await migrate(database);
    if (!url) return database; // the embedded database drops to the application role in createRounds
    // on a PostgreSQL server the suite works as the application would: as a login of rounds_app
    const app = await applicationLogin(database, url);
    if (!app) return database;
    await database.close();
    return openDatabase({ databaseUrl: app, dataDir: "memory://" });
  })();
  return shared.__roundsDb;
}

const TEST_LOGIN = "rounds_test_app";

/**
 * A login in the application's role (cluster-wide, so created once and shared by every worker
 * and run), or undefined when the suite's role may not create roles: then the suite stays the owner.
 */
async function applicationLogin(owner: Database, url: string): Promise<string | undefined> {
  try {
    await owner.session((run) =>
      run(`DO $$
        BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${TEST_LOGIN}') THEN
            CREATE ROLE ${TEST_LOGIN} LOGIN PASSWORD '${TEST_LOGIN}' IN ROLE rounds_app;
          END IF;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
        END $$`),
    );
  } catch {
    return undefined;
  }
  const app = new URL(url);
  app.username = TEST_LOGIN;
  app.password = TEST_LOGIN;
  return app.toString();
}

/**
 * An app instance on the worker's database (or `opts.database`, e.g. a `freshDatabase()` for a
 * test whose reads cover the whole database); `env` adds or overrides configuration.
 */
export async function startRounds(
  env: Record<string, string> = {},
  opts: { database?: Database } = {},
): Promise<Rounds> {
  const database = opts.database ?? (await testDatabase());
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
