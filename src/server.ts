/** Composition root: opens the database, applies migrations, wires every module's routes. */
import { readFileSync } from "node:fs";
import { type Config, loadConfig } from "./platform/config.js";
import { type Database, openDatabase } from "./platform/db.js";
import { type App, createHttpApp } from "./platform/http.js";
import { migrate, migrationsApplied } from "./platform/migrations.js";
import type { ModuleDeps } from "./platform/module.js";
import { locationRoutes } from "./services/locations/index.js";
import { patientRoutes } from "./services/patients/index.js";
import { physicianRoutes } from "./services/physicians/index.js";
import { schedulingRoutes } from "./services/scheduling/index.js";

export const VERSION: string = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;

export interface Rounds {
  app: App;
  database: Database;
  config: Config;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Reuse an open database (tests share one per worker); otherwise one is opened from config. */
  database?: Database;
  /** Hooks run after migrations, before routes take traffic (demo data, first administrator). */
  onReady?: (database: Database, config: Config) => Promise<void>;
}

export async function createRounds(config: Config = loadConfig(), opts: StartOptions = {}): Promise<Rounds> {
  const database = opts.database ?? (await openDatabase(config));
  const ownsDatabase = !opts.database;
  try {
    await migrate(database);
    if (opts.onReady) await opts.onReady(database, config);
  } catch (err) {
    if (ownsDatabase) await database.close();
    throw err;
  }

  const app = await createHttpApp({ logLevel: config.logLevel, version: VERSION });
  const deps: ModuleDeps = { db: database.db };

  app.get("/healthz", { schema: { hide: true } }, async () => ({ status: "ok" }));
  app.get("/readyz", { schema: { hide: true } }, async (_req, reply) => {
    const ready = await migrationsApplied(database);
    return reply
      .code(ready ? 200 : 503)
      .send({ status: ready ? "ready" : "not ready", database: database.kind });
  });

  locationRoutes(app, deps);
  physicianRoutes(app, deps);
  patientRoutes(app, deps);
  schedulingRoutes(app, deps);

  await app.ready();
  return {
    app,
    database,
    config,
    async close() {
      await app.close();
      if (ownsDatabase) await database.close();
    },
  };
}
