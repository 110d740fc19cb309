import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineConfig } from "vitest/config";

/**
 * On a PostgreSQL server every test worker (and every server a test starts) shares one audit key,
 * as replicas would, and checkpoints go to a scratch folder.
 */
const onServer = Boolean(process.env.DATABASE_URL);
const auditEnv: Record<string, string> = onServer
  ? {
      ROUNDS_AUDIT_KEY: process.env.ROUNDS_AUDIT_KEY ?? "test-audit-key-of-this-run-shared-by-every-worker",
      ROUNDS_AUDIT_CHECKPOINTS:
        process.env.ROUNDS_AUDIT_CHECKPOINTS ?? join(tmpdir(), `rounds-test-checkpoints-${process.pid}`),
    }
  : {};

/**
 * The tiers (README.md, "Tests"). `unit`: no database at all (pure domain logic, property tests
 * against the reference model, the policy and configuration checks); runs in seconds and once in
 * CI. `http`: journeys through the whole HTTP surface or real server processes and ports.
 * `service`: every other test file, on a database, in process. A new test file is a service test
 * unless it is named here.
 */
const UNIT = [
  "test/availability-engine.test.ts",
  "test/availability-dst.test.ts",
  "test/booking-check.test.ts",
  "test/offer-expiry.test.ts",
  "test/out-of-service-period.test.ts",
  "test/config.test.ts",
  "test/dependency-rules.test.ts",
  "test/occupancy.test.ts",
  "test/physician-schedule.test.ts",
  "test/noshow-model.test.ts",
  "test/waitlist-ranking.test.ts",
  "test/wayfinding-route.test.ts",
  "test/wayfinding-seed.test.ts",
  "test/web-theme.test.ts",
  "test/unit/**/*.test.ts",
  "src/**/*.test.ts",
];
/**
 * `surface`: the whole HTTP surface against every kind of caller and every kind of bad input (the
 * access matrix, the API fuzzer, hostile input). What they check is decided above the database,
 * and both databases are the same PostgreSQL engine: CI runs them once, on the PostgreSQL server
 * (`npm test` on the embedded database runs them too).
 */
const SURFACE = ["test/access-matrix.test.ts", "test/api-fuzz.test.ts", "test/hostile-input.test.ts"];
const HTTP = [
  "test/concurrency.test.ts",
  "test/family-replicas.test.ts",
  "test/least-privilege.test.ts",
  "test/mobile-equipment-replicas.test.ts",
  "test/realtime.test.ts",
  "test/replicas.test.ts",
  "test/shutdown.test.ts",
  "test/waitlist-replicas.test.ts",
  "test/http/**/*.test.ts",
];

/**
 * The database tiers start from one database migrated once per run: a template database cloned
 * per worker on a PostgreSQL server, a migrated cluster unpacked per worker on PGlite.
 */
const onDatabase = {
  globalSetup: ["test/support/template.ts"],
  setupFiles: ["test/support/worker-database.ts"],
};

export default defineConfig({
  test: {
    exclude: ["test/browser/**", "node_modules/**"],
    // One database per worker, shared by the files it runs; tests create their own data.
    pool: "forks",
    isolate: false,
    testTimeout: 180_000,
    hookTimeout: 900_000,
    reporters: ["default"],
    // the suite's callers are refused by design (the access matrix alone, hundreds of times): the
    // incident detectors' round and automatic locks are exercised by test/http/incidents.test.ts only
    env: { ...auditEnv, ROUNDS_INCIDENT_LOCK_SEVERITY: "never", ROUNDS_INCIDENT_CHECK_SECONDS: "86400" },
    projects: [
      { extends: true, test: { name: "unit", include: UNIT } },
      {
        extends: true,
        test: {
          name: "service",
          include: ["test/**/*.test.ts"],
          exclude: ["test/browser/**", ...UNIT, ...HTTP, ...SURFACE],
          ...onDatabase,
        },
      },
      { extends: true, test: { name: "http", include: HTTP, ...onDatabase } },
      { extends: true, test: { name: "surface", include: SURFACE, ...onDatabase } },
    ],
  },
});
