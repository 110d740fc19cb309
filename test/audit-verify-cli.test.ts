import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/platform/config.js";
import { openDatabase } from "../src/platform/db.js";
import { createRounds } from "../src/server.js";
import { clientFor } from "./support/auth.js";
import { unique } from "./support/rounds.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

/** Where the CLI finds the database: a PGlite data directory, or a fresh PostgreSQL database. */
let env: Record<string, string>;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const dir = mkdtempSync(join(tmpdir(), "rounds-audit-"));
    env = { DATABASE_URL: "", ROUNDS_DATA_DIR: dir };
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
    return;
  }
  const name = `rounds_t_${unique(12).toLowerCase()}`;
  const server = new pg.Client({ connectionString: url });
  await server.connect();
  await server.query(`CREATE DATABASE ${name}`);
  const target = new URL(url);
  target.pathname = `/${name}`;
  env = { DATABASE_URL: target.toString() };
  cleanup = async () => {
    await server.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await server.end();
  };
});
afterAll(() => cleanup?.());

function config() {
  return loadConfig({ ...process.env, ...env, ROUNDS_SEED_DEMO: "false", LOG_LEVEL: "silent" });
}

/** Opens the database in this process and closes it again: a PGlite directory has one owner at a time. */
async function withDatabase(fn: (db: Awaited<ReturnType<typeof openDatabase>>["db"]) => Promise<void>) {
  const database = await openDatabase(config());
  try {
    await fn(database.db);
  } finally {
    await database.close();
  }
}

function auditVerify(
  overrides: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "src/cli.ts", "audit", "verify"],
      { cwd: ROOT, env: { ...process.env, ...env, LOG_LEVEL: "silent", ...overrides }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe("rounds audit verify", () => {
  it("reports an intact trail and exits 0, then names the broken event and exits 1 once someone edits it", async () => {
    // a day's work: sign-ins, a registration, reads
    const rounds = await createRounds(config());
    let patientId: string;
    try {
      const admin = await clientFor(rounds);
      const created = await admin.inject({
        method: "POST",
        url: "/api/v1/patients",
        payload: {
          mrn: `MRN-${unique(10)}`,
          givenName: "Rosalind",
          familyName: "Franklin",
          birthDate: "1980-07-25",
          sex: "female",
        },
      });
      expect(created.statusCode).toBe(201);
      patientId = created.json().id;
      for (let i = 0; i < 3; i++) await admin.inject({ url: `/api/v1/patients/${patientId}` });
    } finally {
      await rounds.close();
    }

    const intact = await auditVerify();
    expect(intact.stderr).toBe("");
    expect(intact.code).toBe(0);
    expect(intact.stdout).toMatch(/audit trail intact: \d+ events verified/);
    expect(Number(/(\d+) events/.exec(intact.stdout)?.[1])).toBeGreaterThanOrEqual(5);

    let seq = 0;
    await withDatabase(async (db) => {
      const { rows } = await sql<{ seq: number }>`
        SELECT seq::int AS seq FROM audit_events
        WHERE patient_id = ${patientId} AND action = 'patient.read' ORDER BY seq LIMIT 1`.execute(db);
      seq = rows[0]!.seq;
      await sql`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update`.execute(db);
      await sql`UPDATE audit_events SET detail = '{"access":"admin","note":"never happened"}' WHERE seq = ${seq}`.execute(
        db,
      );
      await sql`ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update`.execute(db);
    });

    const broken = await auditVerify();
    expect(broken.code).toBe(1);
    expect(broken.stdout).toBe("");
    expect(broken.stderr).toContain(`seq=${seq} `);
    expect(broken.stderr).toMatch(/BROKEN.*altered/);
    // an on-disk PGlite start and two CLI processes take a while on a busy machine
  }, 300_000);

  it("a trail that cannot be reached is reported as unchecked (exit 2), never as intact or broken", async () => {
    const res = await auditVerify({ DATABASE_URL: "postgres://nobody@127.0.0.1:1/nowhere" });
    expect(res.code).toBe(2);
    expect(res.stdout).toBe("");
    expect(res.stderr).toMatch(/could not verify the audit trail/);
  }, 120_000);
});
