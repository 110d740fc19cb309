/**
 * Setup file of the database tiers (vitest.config.ts): on a PostgreSQL server, this worker's
 * tests, and the servers and command lines they start, use a database of the worker's own, a
 * clone of the run's migrated template (`template.ts`), created beside the one DATABASE_URL names
 * and dropped by the template's teardown. Runs before every file; the worker clones once.
 */
import { randomBytes } from "node:crypto";
import { createServerDatabase, runTemplate, WORKER_PREFIX } from "./databases.js";

const state = globalThis as { __roundsWorkerDatabase?: string };
const template = runTemplate();
const server = process.env.DATABASE_URL;

if (template?.kind === "postgres" && server && !state.__roundsWorkerDatabase) {
  const name = `${WORKER_PREFIX}${template.run}_${randomBytes(3).toString("hex")}`;
  state.__roundsWorkerDatabase = await createServerDatabase(server, name, template.name);
  process.env.DATABASE_URL = state.__roundsWorkerDatabase;
}
