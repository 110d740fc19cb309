/**
 * Global setup of the database tiers (`service`, `http`; vitest.config.ts): migrates one database
 * once per run, and every test worker starts from a copy of it instead of migrating its own.
 *
 * - On a PostgreSQL server (DATABASE_URL): a template database `rounds_tpl_<run>` beside the one
 *   named by DATABASE_URL; each worker clones it with `CREATE DATABASE … TEMPLATE`
 *   (`worker-database.ts`) and the teardown drops the template and every worker's clone.
 * - On the embedded database: a tarball of a migrated in-memory cluster (`dumpDataDir`) in a
 *   scratch folder; each worker's PGlite is unpacked from it.
 *
 * Both database projects name this file; it runs once per vitest process all the same.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { btree_gist } from "@electric-sql/pglite/contrib/btree_gist";
import { Kysely } from "kysely";
import { PGliteDialect } from "kysely-pglite-dialect";
import type { TestProject } from "vitest/node";
import { type Database, EMPTY_CLUSTER, type NoTables, openDatabase } from "../../src/platform/db.js";
import { migrate } from "../../src/platform/migrations.js";
import { onServer, type TemplateDatabase, WORKER_PREFIX } from "./databases.js";

interface Prepared {
  template: TemplateDatabase;
  cli: string | undefined;
  users: number;
  teardown(): Promise<void>;
}

const shared = globalThis as { __roundsTemplate?: Promise<Prepared> };

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  shared.__roundsTemplate ??= prepare();
  const prepared = await shared.__roundsTemplate;
  prepared.users += 1;
  project.provide("roundsTemplate", prepared.template);
  project.provide("roundsCli", prepared.cli);
  return async () => {
    prepared.users -= 1;
    if (prepared.users > 0) return;
    shared.__roundsTemplate = undefined;
    await prepared.teardown();
  };
}

async function prepare(): Promise<Prepared> {
  const run = `${process.pid}_${randomBytes(3).toString("hex")}`;
  const url = process.env.DATABASE_URL;
  const cli = serverBundle();
  return { ...(await (url ? prepareServer(url, run) : prepareEmbedded(run))), cli };
}

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/**
 * The servers and command lines the tests start run the bundle `npm start` runs
 * (`dist/server/cli.js`, see `roundsCli` in servers.ts), rebuilt here if src/ changed since (wireit
 * checks in about a second; concurrent runs wait for one another). Without it, they run tsx.
 */
function serverBundle(): string | undefined {
  try {
    execFileSync("npm", ["run", "--silent", "build:server"], { cwd: ROOT, stdio: "pipe", timeout: 120_000 });
    return join(ROOT, "dist", "server", "cli.js");
  } catch {
    return undefined;
  }
}

async function prepareServer(url: string, run: string): Promise<Omit<Prepared, "cli">> {
  const name = `rounds_tpl_${run}`;
  await onServer(url, `CREATE DATABASE ${name}`);
  const target = new URL(url);
  target.pathname = `/${name}`;
  const database = await openDatabase({
    databaseUrl: target.toString(),
    dataDir: "memory://",
    databasePoolSize: 1,
  });
  try {
    await migrate(database);
  } finally {
    // a database cannot be a template while anyone is connected to it
    await database.close();
  }
  return {
    template: { kind: "postgres", name, run },
    users: 0,
    async teardown() {
      const clones = await onServer(
        url,
        `SELECT datname FROM pg_database WHERE datname LIKE '${WORKER_PREFIX}${run}\\_%'`,
      );
      for (const clone of [...clones.map((r) => String(r.datname)), name])
        await onServer(url, `DROP DATABASE IF EXISTS ${clone} WITH (FORCE)`);
    },
  };
}

async function prepareEmbedded(run: string): Promise<Omit<Prepared, "cli">> {
  const client = await PGlite.create("memory://", {
    // without the build's empty cluster (never built), PGlite runs initdb itself
    ...(existsSync(EMPTY_CLUSTER) ? { loadDataDir: new Blob([readFileSync(EMPTY_CLUSTER)]) } : {}),
    extensions: { btree_gist },
  });
  // migrations only need a session; the application's type parsers play no part
  const database: Database = {
    db: new Kysely<NoTables>({ dialect: new PGliteDialect(client) }),
    kind: "pglite",
    embeddedDir: "memory://",
    session: (fn) =>
      fn(async (script) => {
        const results = await client.exec(script);
        return (results[results.length - 1]?.rows ?? []) as Array<Record<string, unknown>>;
      }),
    close: () => client.close(),
  };
  const dir = mkdtempSync(join(tmpdir(), `rounds-test-${run}-`));
  const cluster = join(dir, "migrated-cluster.tar.gz");
  try {
    await migrate(database);
    writeFileSync(cluster, Buffer.from(await (await client.dumpDataDir("gzip")).arrayBuffer()));
  } finally {
    await client.close();
  }
  return {
    template: { kind: "pglite", cluster, run },
    users: 0,
    async teardown() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
