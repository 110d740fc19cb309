import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineConfig } from "vitest/config";

/**
 * On a PostgreSQL server every test worker (and every server a test starts) writes to the same
 * databases, as replicas would: they share one audit key, and checkpoints go to a scratch folder.
 */
const onServer = Boolean(process.env.DATABASE_URL);
const auditEnv: Record<string, string> = onServer
  ? {
      ROUNDS_AUDIT_KEY: process.env.ROUNDS_AUDIT_KEY ?? "test-audit-key-of-this-run-shared-by-every-worker",
      ROUNDS_AUDIT_CHECKPOINTS:
        process.env.ROUNDS_AUDIT_CHECKPOINTS ?? join(tmpdir(), `rounds-test-checkpoints-${process.pid}`),
    }
  : {};

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "src/**/*.test.ts"],
    exclude: ["test/browser/**", "node_modules/**"],
    // One embedded database per worker, shared by the files it runs; tests create their own data.
    pool: "forks",
    isolate: false,
    testTimeout: 180_000,
    hookTimeout: 900_000,
    reporters: ["default"],
    env: auditEnv,
  },
});
