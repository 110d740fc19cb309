/**
 * The application connects as a role that owns nothing and is no superuser: migrations run as
 * the owner (DATABASE_OWNER_URL), and the application may only append to and read the audit trail.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditService } from "../src/platform/audit/index.js";
import { loadConfig } from "../src/platform/config.js";
import { createRounds, type Rounds } from "../src/server.js";
import { clientFor } from "./support/auth.js";
import { type FreshDatabase, freshDatabase } from "./support/databases.js";
import { unique } from "./support/rounds.js";
import { roundsCli, startServerProcess } from "./support/servers.js";
import { REFUSED } from "./support/tampering.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const onPostgres = Boolean(process.env.DATABASE_URL);

describe("the application's own role on the embedded database", () => {
  let fresh: FreshDatabase;
  let rounds: Rounds;
  beforeAll(async () => {
    fresh = await freshDatabase({ url: undefined });
    rounds = await createRounds(
      loadConfig({ ...process.env, DATABASE_URL: "", LOG_LEVEL: "silent", ROUNDS_SEED_DEMO: "false" }),
      {
        database: fresh.database,
      },
    );
  });
  afterAll(async () => {
    await rounds?.close();
    await fresh?.drop();
  });

  it("after migrating, the application works as a role that may not change, delete or empty the audit trail", async () => {
    const admin = await clientFor(rounds);
    const res = await admin.inject({ url: "/api/v1/patients?limit=1" });
    expect(res.statusCode).toBe(200);
    const db = rounds.database.db;
    const { sql } = await import("kysely");
    expect((await sql<{ u: string }>`SELECT current_user AS u`.execute(db)).rows[0]!.u).toBe("rounds_app");
    await expect(sql`UPDATE audit_events SET action = 'nothing.happened'`.execute(db)).rejects.toThrow(
      /permission denied/,
    );
    await expect(sql`DELETE FROM audit_events`.execute(db)).rejects.toThrow(/permission denied/);
    await expect(sql`TRUNCATE audit_events`.execute(db)).rejects.toThrow(/permission denied/);
    await expect(sql`ALTER TABLE audit_events DISABLE TRIGGER ALL`.execute(db)).rejects.toThrow(
      /must be owner/,
    );
    expect(await auditService.verify(db)).toMatchObject({ ok: true });
  });
});

describe.skipIf(!onPostgres)("the application's own role on a PostgreSQL server", () => {
  let fresh: FreshDatabase;
  let ownerUrl: string;
  let appUrl: string;
  const login = `rounds_t_app_${randomBytes(5).toString("hex")}`;
  const password = randomBytes(12).toString("hex");

  beforeAll(async () => {
    fresh = await freshDatabase();
    ownerUrl = fresh.url!;
    // a login of the application's group role: roles are cluster-wide, so this name is unique
    const owner = new pg.Client({ connectionString: ownerUrl });
    await owner.connect();
    try {
      await owner.query(`SELECT 1 FROM pg_roles WHERE rolname = 'rounds_app'`).then(async (r) => {
        // migration 0018 creates the group role; before the first migration of the cluster an operator does
        if (r.rowCount === 0)
          await owner.query(
            "DO $$ BEGIN CREATE ROLE rounds_app NOLOGIN; EXCEPTION WHEN OTHERS THEN NULL; END $$",
          );
      });
      await owner.query(`CREATE ROLE ${login} LOGIN PASSWORD '${password}' IN ROLE rounds_app`);
    } finally {
      await owner.end();
    }
    const app = new URL(ownerUrl);
    app.username = login;
    app.password = password;
    appUrl = app.toString();
  });
  afterAll(async () => {
    await fresh?.drop();
    const server = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await server.connect();
    await server.query(`DROP ROLE IF EXISTS ${login}`).catch(() => {});
    await server.end();
  });

  it("a server connecting as the application's role migrates as the owner, registers and reads a patient, and keeps a verifiable trail", async () => {
    const email = `admin.${unique(8).toLowerCase()}@hospital.test`;
    const server = await startServerProcess({
      DATABASE_URL: appUrl,
      DATABASE_OWNER_URL: ownerUrl,
      ROUNDS_ADMIN_EMAIL: email,
      ROUNDS_ADMIN_PASSWORD: "a long enough passphrase",
    });
    try {
      const signIn = await fetch(`${server.url}/api/v1/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email, password: "a long enough passphrase" }),
      });
      expect(signIn.status).toBe(200);
      const headers = {
        authorization: `Bearer ${((await signIn.json()) as { token: string }).token}`,
        "content-type": "application/json",
      };
      const created = await fetch(`${server.url}/api/v1/patients`, {
        method: "POST",
        headers,
        body: JSON.stringify({
          mrn: `MRN-${unique(10)}`,
          givenName: "Virginia",
          familyName: "Apgar",
          birthDate: "1979-06-07",
          sex: "female",
        }),
      });
      expect(created.status).toBe(201);
      const { id } = (await created.json()) as { id: string };
      const read = await fetch(`${server.url}/api/v1/patients/${id.toUpperCase()}`, { headers });
      expect(read.status).toBe(200);
      expect(server.output()).not.toMatch(/can rewrite the audit trail/);
    } finally {
      await server.stop();
    }

    const verified = await verify();
    expect(verified.stderr).toBe("");
    expect(verified.stdout).toMatch(/audit trail intact: \d+ events verified, every chain reaches its head/);
    expect(verified.code).toBe(0);
  }, 180_000);

  it("as the application's role, changing, deleting or emptying the audit trail is refused; appending and reading are not", async () => {
    const app = new pg.Client({ connectionString: appUrl });
    await app.connect();
    try {
      const me = await app.query(
        `SELECT r.rolsuper, (SELECT count(*)::int FROM pg_tables WHERE tableowner = current_user) AS owned
         FROM pg_roles r WHERE r.rolname = current_user`,
      );
      expect(me.rows[0]).toEqual({ rolsuper: false, owned: 0 });
      await expect(app.query("UPDATE audit_events SET action = 'nothing.happened'")).rejects.toThrow(REFUSED);
      await expect(app.query("DELETE FROM audit_events")).rejects.toThrow(/permission denied/);
      await expect(app.query("TRUNCATE audit_events")).rejects.toThrow(/permission denied/);
      await expect(app.query("ALTER TABLE audit_events DISABLE TRIGGER ALL")).rejects.toThrow(
        /must be owner/,
      );
      await expect(app.query("DROP TABLE audit_events")).rejects.toThrow(/must be owner/);
      const { rows } = await app.query("SELECT count(*)::int AS n FROM audit_events");
      expect(rows[0].n).toBeGreaterThan(0);
      await app.query("BEGIN");
      await app.query(
        `INSERT INTO audit_events (chain, occurred_at, action, resource_type, outcome, prev_hash, hash, hash_alg)
         VALUES (0, now(), 'test.append', 'test', 'success', 'x', 'x', 'hmac-sha256')`,
      );
      await app.query("ROLLBACK");
    } finally {
      await app.end();
    }
  });

  function verify(): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        roundsCli("audit", "verify"),
        { cwd: ROOT, env: { ...process.env, DATABASE_URL: appUrl, LOG_LEVEL: "silent" }, timeout: 60_000 },
        (err, stdout, stderr) =>
          resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr }),
      );
    });
  }
});
