import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/platform/config.js";
import { openDatabase } from "../src/platform/db.js";
import { createRounds } from "../src/server.js";
import { clientFor } from "./support/auth.js";
import { createServerDatabase, onServer, runTemplate } from "./support/databases.js";
import { unique } from "./support/rounds.js";
import { roundsCli } from "./support/servers.js";
import { behindTheBack, longestChain } from "./support/tampering.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

/** Where the CLI finds the database: a PGlite data directory, or a fresh PostgreSQL database. */
let env: Record<string, string>;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  // both start as a copy of the run's migrated template (no migrations again in every process)
  const template = runTemplate();
  const url = process.env.DATABASE_URL;
  if (!url) {
    const dir = mkdtempSync(join(tmpdir(), "rounds-audit-"));
    env = { DATABASE_URL: "", ROUNDS_DATA_DIR: dir };
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
    if (template?.kind === "pglite") {
      const unpacked = await openDatabase({
        databaseUrl: undefined,
        dataDir: dir,
        embeddedCluster: template.cluster,
      });
      await unpacked.close();
    }
    return;
  }
  const name = `rounds_t_${unique(12).toLowerCase()}`;
  env = {
    DATABASE_URL: await createServerDatabase(
      url,
      name,
      template?.kind === "postgres" ? template.name : undefined,
    ),
  };
  cleanup = () => onServer(url, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).then(() => {});
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
      roundsCli("audit", "verify"),
      { cwd: ROOT, env: { ...process.env, ...env, LOG_LEVEL: "silent", ...overrides }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

let editedSeq = 0;
let originalDetail = "{}";

/** This trail's checkpoint files: in the data directory (embedded) or the configured folder. */
async function checkpointFiles(): Promise<string[]> {
  const dir = config().audit.checkpointDir ?? join(env.ROUNDS_DATA_DIR!, "audit-checkpoints");
  let name = "";
  await withDatabase(async (db) => {
    name = (await sql<{ n: string }>`SELECT current_database() AS n`.execute(db)).rows[0]!.n;
  });
  return readdirSync(dir)
    .filter((f) => f.startsWith(`${name}.`) && f.endsWith(".jsonl"))
    .map((f) => join(dir, f));
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
      editedSeq = seq;
      const { rows: before } = await sql<{ detail: string }>`
        SELECT detail::text AS detail FROM audit_events WHERE seq = ${seq}`.execute(db);
      originalDetail = before[0]!.detail;
      await behindTheBack(
        db,
        sql`UPDATE audit_events SET detail = '{"access":"admin","note":"never happened"}' WHERE seq = ${seq}`,
      );
    });

    const broken = await auditVerify();
    expect(broken.code).toBe(1);
    expect(broken.stdout).toBe("");
    expect(broken.stderr).toContain(`seq=${seq} `);
    expect(broken.stderr).toMatch(/BROKEN.*altered/);
    // an on-disk PGlite start and two CLI processes take a while on a busy machine
  }, 300_000);

  it("events removed after the last checkpoint are reported by the command (exit 1), and so is a checkpoint edited by hand", async () => {
    // a server's day: its last act on stopping is a signed checkpoint of every chain head
    const rounds = await createRounds(config());
    try {
      const admin = await clientFor(rounds);
      for (let i = 0; i < 5; i++) await admin.inject({ url: "/api/v1/patients?limit=1" });
      // a transaction's chain follows its id, so it is up to chance which chains hold two events;
      // below, a chain loses its newest event and keeps the others (losing its only one deletes it)
      for (let round = 0; (await longestChain(rounds.database.db)) < 2; round++) {
        if (round > 20) throw new Error("could not build a chain of two events");
        await admin.inject({ url: "/api/v1/patients?limit=1" });
      }
    } finally {
      await rounds.close();
    }
    const files = await checkpointFiles();
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(statSync(f).mode & 0o777).toBe(0o600);
    if (!env.DATABASE_URL) expect(statSync(join(env.ROUNDS_DATA_DIR!, "audit.key")).mode & 0o777).toBe(0o600);

    let newest: Record<string, unknown> = {};
    await withDatabase(async (db) => {
      // the edited event of the previous test is put back as it was, so only this test's tampering shows
      await behindTheBack(
        db,
        sql`UPDATE audit_events SET detail = ${originalDetail}::jsonb WHERE seq = ${editedSeq}`,
      );
    });
    const intact = await auditVerify();
    expect(intact.stderr).toBe("");
    expect(intact.code).toBe(0);
    expect(intact.stdout).toMatch(/every chain reaches its head in the newest of \d+ signed checkpoints/);

    await withDatabase(async (db) => {
      const { rows } = await sql<Record<string, unknown>>`
        SELECT * FROM audit_events e
        WHERE (SELECT count(*) FROM audit_events o WHERE o.chain = e.chain) > 1
        ORDER BY seq DESC LIMIT 1`.execute(db);
      newest = rows[0]!;
      await behindTheBack(db, sql`DELETE FROM audit_events WHERE seq = ${newest.seq}`);
    });
    const truncated = await auditVerify();
    expect(truncated.code).toBe(1);
    expect(truncated.stderr).toMatch(
      new RegExp(
        `BROKEN at seq=${newest.seq} \\(chain ${newest.chain}\\): the newest events of chain ${newest.chain} were removed`,
      ),
    );

    await withDatabase(async (db) => {
      await sql`INSERT INTO audit_events SELECT * FROM json_populate_record(NULL::audit_events, ${JSON.stringify(newest)})`.execute(
        db,
      );
    });
    expect((await auditVerify()).code).toBe(0);

    // moving a checkpoint back to hide removed events breaks its signature
    const file = files[0]!;
    const lines = readFileSync(file, "utf8").trim().split("\n");
    const last = JSON.parse(lines.at(-1)!) as { heads: Array<{ seq: number }> };
    last.heads[0]!.seq -= 1;
    writeFileSync(file, `${[...lines.slice(0, -1), JSON.stringify(last)].join("\n")}\n`);
    const forged = await auditVerify();
    expect(forged.code).toBe(1);
    expect(forged.stderr).toMatch(/BROKEN: checkpoint .* is not signed with the audit key/);
  }, 300_000);

  it("a trail that cannot be reached is reported as unchecked (exit 2), never as intact or broken", async () => {
    const res = await auditVerify({ DATABASE_URL: "postgres://nobody@127.0.0.1:1/nowhere" });
    expect(res.code).toBe(2);
    expect(res.stdout).toBe("");
    expect(res.stderr).toMatch(/could not verify the audit trail/);
  }, 120_000);
});
