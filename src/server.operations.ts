/**
 * The composition root's operations part (src/server.ts): metrics from the modules' counters and
 * cursors, rate limits on sign-in, search and booking, and readiness that reflects the database
 * and the background workers, and the daily partition pass (README.md, "Operating Rounds").
 */
import { readFileSync } from "node:fs";
import { sql } from "kysely";
import { type Config, ConfigError, type OperationsConfig } from "./platform/config.js";
import type { Database } from "./platform/db.js";
import { latestSeq } from "./platform/events.js";
import type { App } from "./platform/http.js";
import {
  type CountingCache,
  createMetrics,
  installMetrics,
  type OutboxConsumer,
  serveMetrics,
} from "./platform/metrics.js";
import { migrationsApplied } from "./platform/migrations.js";
import { partitionHealth, startPartitionMaintenance } from "./platform/partitions.js";
import { readPem } from "./platform/pem.js";
import { createRateLimits, installRateLimits, isRateLimited } from "./platform/rate-limit.js";
import type { ReadDatabase } from "./platform/read-db.js";

/** A background loop as readiness sees it (the notification worker, the HL7 sender). */
export interface WorkerLoop {
  readonly started: boolean;
  readonly lastRoundAt: number | undefined;
}

export interface OperationsWiring {
  app: App;
  database: Database;
  /** The read replica's pool, when one is configured (its query count and lag are metrics). */
  reads?: ReadDatabase | undefined;
  config: OperationsConfig;
  /** Read at scrape time: the modules are wired after this is installed. */
  consumers: () => OutboxConsumer[];
  caches: () => CountingCache[];
  /** The loops this process is meant to run, by name; read at each readiness check. */
  workers: () => Record<string, WorkerLoop>;
}

/** The API document lists 429 on the rate-limited routes (whether or not limits are on here). */
export const rateLimitProblems = (method: string, url: string): number[] =>
  isRateLimited(method, url) ? [429] : [];

/** What one readiness check found, part by part ("ok" or what is wrong). */
export type Readiness = Record<string, string>;

/** Installs metrics, rate limits and /healthz, /readyz; returns what must be closed at shutdown. */
export async function wireOperations(w: OperationsWiring): Promise<{
  metricsPort: number | undefined;
  close(): Promise<void>;
}> {
  const { app, database, config } = w;
  const metrics = createMetrics({
    newestEvent: () => latestSeq(database.db),
    get consumers() {
      return w.consumers();
    },
    poolUse: database.poolUse,
    get caches() {
      return w.caches();
    },
    reads: w.reads,
    partitions: () => partitionHealth(database.db, new Date()),
  });
  installMetrics(app, metrics, { publicRoute: config.metricsPort === undefined });
  const separate =
    config.metricsPort === undefined
      ? undefined
      : await serveMetrics(metrics, config.metricsHost, config.metricsPort);
  if (config.rateLimits.enabled)
    installRateLimits(app, createRateLimits({ db: database.db, config: config.rateLimits }));

  // liveness: the process answers; it says nothing of the database (a restart would not help it)
  app.get("/healthz", { schema: { hide: true } }, async () => ({ status: "ok" }));
  app.get("/readyz", { schema: { hide: true } }, async (req, reply) => {
    const checks = await readiness(w);
    const ready = Object.values(checks).every((c) => c === "ok");
    if (!ready) req.log.warn({ checks }, "not ready");
    return reply
      .code(ready ? 200 : 503)
      .send({ status: ready ? "ready" : "not ready", database: database.kind, checks });
  });
  // next months' partitions of the audit trail and the inbox: at start, then daily (any replica)
  const partitions = startPartitionMaintenance({ db: database.db, now: () => new Date(), log: app.log });
  return {
    metricsPort: separate?.port,
    close: async () => {
      await partitions.stop();
      await separate?.close();
    },
  };
}

async function readiness(w: OperationsWiring): Promise<Readiness> {
  const checks: Readiness = { database: await databaseCheck(w.database, w.config.readyDatabaseMs) };
  const now = Date.now();
  for (const [name, loop] of Object.entries(w.workers())) {
    if (!loop.started) checks[name] = "stopped";
    else if (loop.lastRoundAt === undefined || now - loop.lastRoundAt > w.config.readyWorkerSeconds * 1000)
      checks[name] = `no round finished in the last ${w.config.readyWorkerSeconds} s`;
    else checks[name] = "ok";
  }
  return checks;
}

/** The database answers a query within the bound, and every migration is applied. */
async function databaseCheck(database: Database, boundMs: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), boundMs);
  });
  try {
    const answer = await Promise.race([
      sql`SELECT 1`.execute(database.db).then(
        () => migrationsApplied(database),
        () => "failed" as const,
      ),
      late,
    ]);
    if (answer === "late") return `no answer within ${boundMs} ms`;
    if (answer === "failed") return "unreachable";
    return answer ? "ok" : "migrations pending";
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The HTTPS certificate and key (ROUNDS_TLS_CERT, ROUNDS_TLS_KEY) and the CA of client certificates
 * (ROUNDS_TLS_CLIENT_CA), read once at start.
 */
export function readTls(config: Config): { cert: Buffer; key: Buffer; clientCa?: string } | undefined {
  const tls = config.operations.tls;
  if (!tls) return undefined;
  const read = (variable: string, file: string) => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new ConfigError(
        variable,
        `names a file that cannot be read (${(err as NodeJS.ErrnoException).code})`,
      );
    }
  };
  return {
    cert: read("ROUNDS_TLS_CERT", tls.certFile),
    key: read("ROUNDS_TLS_KEY", tls.keyFile),
    ...(tls.clientCaFile ? { clientCa: readPem("ROUNDS_TLS_CLIENT_CA", tls.clientCaFile) } : {}),
  };
}
