/**
 * TLS to PostgreSQL, for real: a cluster of its own in a temporary directory on a free port, with
 * ssl=on, a server certificate from a test CA and a pg_hba.conf that admits TLS connections only.
 * Rounds migrates and books through `sslmode=verify-full` with ROUNDS_DATABASE_CA; the server says
 * its backend is encrypted; a plain connection is turned away; a certificate from another CA stops
 * the start with an error that names the server and the variable, never the password.
 * PostgreSQL only: the machine's own server is never touched.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBackup } from "../../src/platform/backup/commands.js";
import { loadConfig } from "../../src/platform/config.js";
import { createRounds, type Rounds } from "../../src/server.js";
import { asAdmin } from "../support/auth.js";
import { makeCa, type TestCa } from "../support/certificates.js";
import { asPostgres, run } from "../support/cluster.js";
import { createLocation } from "../support/fixtures.js";
import { freePort } from "../support/servers.js";

const onServer = Boolean(process.env.DATABASE_URL);
const PASSWORD = "tls-drill-Secret-42";

let root: string;
let dataDir: string;
let ca: TestCa;
let port: number;
let rounds: Rounds | undefined;
const url = (mode: string) => `postgres://postgres:${PASSWORD}@localhost:${port}/rounds?sslmode=${mode}`;
const env = (extra: Record<string, string>) =>
  loadConfig({
    LOG_LEVEL: "silent",
    ROUNDS_SEED_DEMO: "false",
    ROUNDS_AUDIT_KEY: "k".repeat(40),
    ROUNDS_DATA_DIR: join(root, "rounds-data"),
    ...extra,
  });

beforeAll(async () => {
  if (!onServer) return;
  root = mkdtempSync(join(tmpdir(), "rounds-dbtls-"));
  ca = await makeCa("Rounds Test Database CA", join(root, "ca"));
  const server = await ca.server("postgres", { dns: ["localhost"], ip: ["127.0.0.1"] });
  chmodSync(server.keyFile, 0o600);
  dataDir = join(root, "cluster");
  writeFileSync(join(root, "pw"), `${PASSWORD}\n`);
  await run("chown", ["-R", "postgres:postgres", root]);
  await asPostgres("initdb", [
    ...["-D", dataDir, "-U", "postgres", "--pwfile", join(root, "pw")],
    ...["--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync", "-E", "UTF8"],
  ]);
  writeFileSync(
    join(dataDir, "postgresql.auto.conf"),
    [
      "ssl = on",
      `ssl_cert_file = '${server.certFile}'`,
      `ssl_key_file = '${server.keyFile}'`,
      "fsync = off",
      "",
    ].join("\n"),
  );
  // TLS or nothing: there is no plain `host` line
  writeFileSync(
    join(dataDir, "pg_hba.conf"),
    [
      "local all all trust",
      "hostssl all all 127.0.0.1/32 scram-sha-256",
      "hostssl all all ::1/128 scram-sha-256",
      "",
    ].join("\n"),
  );
  port = await freePort();
  await asPostgres("pg_ctl", [
    ...["-D", dataDir, "-l", join(root, "server.log"), "-w", "-t", "60"],
    ...["-o", `-p ${port} -c listen_addresses=localhost -c unix_socket_directories=${root}`, "start"],
  ]);
  await asPostgres("createdb", ["-h", root, "-p", String(port), "-U", "postgres", "rounds"]);
}, 120_000);

afterAll(async () => {
  if (!onServer) return;
  await rounds?.close();
  await asPostgres("pg_ctl", ["-D", dataDir, "-m", "fast", "-w", "stop"]).catch(() => {});
  rmSync(root, { recursive: true, force: true });
});

describe.skipIf(!onServer)("TLS to PostgreSQL", () => {
  it("Rounds migrates and books over verify-full with the CA, and the server sees an encrypted session", async () => {
    rounds = await createRounds(env({ DATABASE_URL: url("verify-full"), ROUNDS_DATABASE_CA: ca.caFile }));
    const admin = await asAdmin(rounds);
    const location = await createLocation(rounds);
    const got = await rounds.app.inject({ url: `/api/v1/locations/${location.id}`, headers: admin.headers });
    expect(got.statusCode).toBe(200);
    const { rows } = await sql<{ ssl: boolean; version: string }>`
      SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()`.execute(rounds.database.db);
    expect(rows[0]?.ssl).toBe(true);
    expect(rows[0]?.version).toMatch(/^TLSv1\.[23]$/);
    // the notification worker's LISTEN connection goes the same way
    const deadline = Date.now() + 15_000;
    let listener: boolean | undefined;
    while (listener === undefined && Date.now() < deadline) {
      const found = await sql<{ ssl: boolean }>`
        SELECT s.ssl FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid)
        WHERE a.application_name = 'rounds-events-listener'`.execute(rounds.database.db);
      listener = found.rows[0]?.ssl;
      if (listener === undefined) await new Promise((r) => setTimeout(r, 100));
    }
    expect(listener).toBe(true);
  });

  it("a network backup's pg_dump checks the server against the same CA", async () => {
    const config = env({ DATABASE_URL: url("verify-full"), ROUNDS_DATABASE_CA: ca.caFile });
    const backup = await runBackup(config, { out: join(root, "backup") }, "test");
    expect(backup.database).toBe("postgres");
    expect(backup.auditEvents).toBeGreaterThan(0);
  });

  it("a connection without TLS is turned away by the server", async () => {
    const plain = new pg.Client({ connectionString: url("disable") });
    await expect(plain.connect()).rejects.toThrow(/no pg_hba\.conf entry.*no encryption/);
    await plain.end().catch(() => {});
  });

  it("a server certificate from another CA stops the start with a clear error and no password in it", async () => {
    const other = await makeCa("Some Other CA", join(root, "other-ca"));
    const start = createRounds(env({ DATABASE_URL: url("verify-full"), ROUNDS_DATABASE_CA: other.caFile }));
    const err = (await start.then(
      () => undefined,
      (e: unknown) => e,
    )) as Error | undefined;
    expect(err?.message).toMatch(
      /PostgreSQL server at localhost:\d+ presented a certificate that was refused/,
    );
    expect(err?.message).toContain("ROUNDS_DATABASE_CA");
    expect(err?.message).not.toContain(PASSWORD);
  });

  it("a CA with an sslmode that would not check against it is a configuration error", () => {
    expect(() => env({ DATABASE_URL: url("require"), ROUNDS_DATABASE_CA: ca.caFile })).toThrow(
      /DATABASE_URL must say sslmode=verify-full/,
    );
  });
});
