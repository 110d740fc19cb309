/**
 * Time partitions (migration 0057, src/platform/partitions.ts): a trail written before the
 * migration still verifies across its months; events of different months land in their own
 * partitions (or DEFAULT, then moved by the pass); the pass creates months once however many
 * replicas run it; the application's role may not rewrite any partition; searches by time read
 * only their month, through an index.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { auditService } from "../src/platform/audit/index.js";
import { type AuditTrail, openAuditTrail } from "../src/platform/audit/trail.js";
import { loadConfig } from "../src/platform/config.js";
import type { Db } from "../src/platform/db.js";
import { migrate, readMigrations } from "../src/platform/migrations.js";
import { listPartitions, maintainPartitions, partitionHealth } from "../src/platform/partitions.js";
import { type FreshDatabase, freshDatabase } from "./support/databases.js";
import { roundsCli } from "./support/servers.js";
import { REFUSED } from "./support/tampering.js";

const onServer = Boolean(process.env.DATABASE_URL);
const OPERATOR = { userId: null, role: "operator", requestId: null, clientAddress: null };
const PATIENT = "5b0c1f6e-63a4-4d6b-9a43-0f3c2b9e7d11";

let fresh: FreshDatabase;
let db: Db;
let trail: AuditTrail;

/** Records `n` events as if the clock read `at` (only Date is faked: the database keeps working). */
async function recordAt(at: string, n: number, action = "partition.test"): Promise<void> {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date(at));
  try {
    for (let i = 0; i < n; i++)
      await auditService.record(db, OPERATOR, { action, resourceType: "test", patientId: PATIENT });
  } finally {
    vi.useRealTimers();
  }
}

async function partitionOf(action: string): Promise<Record<string, number>> {
  const { rows } = await sql<{ part: string; n: number }>`
    SELECT tableoid::regclass::text AS part, count(*)::int AS n FROM audit_events
    WHERE action = ${action} GROUP BY 1 ORDER BY 1`.execute(db);
  return Object.fromEntries(rows.map((r) => [r.part, r.n]));
}

beforeAll(async () => {
  fresh = await freshDatabase({ poolSize: 4 });
  db = fresh.database.db;
  // the database as it was before partitioning, with a trail spanning three months
  await migrate(
    fresh.database,
    readMigrations().filter((m) => m.version < "0057"),
  );
  const config = loadConfig({
    ...process.env,
    ROUNDS_AUDIT_KEY: "partitions-test-key-0123456789abcdef",
    LOG_LEVEL: "silent",
  });
  trail = await openAuditTrail(fresh.database, config, { writeCheckpoints: false, createKey: true });
  await recordAt("2026-08-31T23:59:30Z", 6, "before.partitioning");
  await recordAt("2026-09-15T10:00:00Z", 6, "before.partitioning");
  await recordAt("2026-10-01T00:00:10Z", 6, "before.partitioning");
  await trail.checkpoint();
  // and an inbox with messages of two months
  await sql`INSERT INTO patients (id, mrn, given_name, family_name, birth_date, sex)
    VALUES (${PATIENT}, 'PART-0001', 'Ada', 'Month', '1980-01-01', 'female')`.execute(db);
  await sql`INSERT INTO notifications (patient_id, kind, title, body, created_at)
    VALUES (${PATIENT}, 'confirmation', 'September', '…', '2026-09-30T23:59:59Z'),
           (${PATIENT}, 'confirmation', 'October', '…', '2026-10-01T00:00:00Z')`.execute(db);
  await migrate(fresh.database);
}, 120_000);

afterAll(async () => {
  await trail?.close();
  await fresh?.drop();
});

describe("the audit trail partitioned by month", () => {
  it("a trail written before partitioning verifies across its month boundaries, each event in its month", async () => {
    expect(await partitionOf("before.partitioning")).toEqual({
      audit_events_2026_08: 6,
      audit_events_2026_09: 6,
      audit_events_2026_10: 6,
    });
    const result = await auditService.verify(db);
    expect(result).toMatchObject({ ok: true, checked: 18 });
  });

  it("the inbox's messages move into the months they were written in, a second either side of midnight UTC", async () => {
    const { rows } = await sql<{ part: string; title: string }>`
      SELECT tableoid::regclass::text AS part, title FROM notifications WHERE patient_id = ${PATIENT}
      ORDER BY created_at`.execute(db);
    expect(rows).toEqual([
      { part: "notifications_2026_09", title: "September" },
      { part: "notifications_2026_10", title: "October" },
    ]);
  });

  it("events recorded in three months land in three partitions; a month without one is moved there by the pass", async () => {
    // the months the daily pass keeps ahead of a day in December 2026
    await maintainPartitions(db, new Date("2026-12-06T00:00:00Z"));
    await recordAt("2026-12-02T08:00:00Z", 2, "after.partitioning");
    await recordAt("2027-01-20T08:00:00Z", 2, "after.partitioning");
    // far beyond the months created ahead: the DEFAULT partition takes it, no insert fails
    await recordAt("2031-05-04T08:00:00Z", 2, "after.partitioning");
    expect(await partitionOf("after.partitioning")).toEqual({
      audit_events_2026_12: 2,
      audit_events_2027_01: 2,
      audit_events_default: 2,
    });
    const waiting = await partitionHealth(db, new Date("2026-12-07T00:00:00Z"));
    expect(waiting.find((h) => h.table === "audit_events")).toMatchObject({ defaultRows: 2, monthsAhead: 3 });
    const pass = await maintainPartitions(db, new Date("2026-12-07T00:00:00Z"));
    expect(pass.find((p) => p.parent === "audit_events")).toMatchObject({ rehomed: 2 });
    expect(await partitionOf("after.partitioning")).toEqual({
      audit_events_2026_12: 2,
      audit_events_2027_01: 2,
      audit_events_2031_05: 2,
    });
    // moved unchanged: the chains still verify, and the trail keeps taking events in that month
    await trail.checkpoint();
    await recordAt("2031-05-05T08:00:00Z", 1, "after.partitioning");
    expect(await auditService.verify(db)).toMatchObject({ ok: true, checked: 25 });
  });

  it("the pass creates the coming months once, even when two replicas run it at the same moment", async () => {
    const at = new Date("2032-02-10T12:00:00Z");
    const [a, b] = await Promise.all([maintainPartitions(db, at, 2), maintainPartitions(db, at, 2)]);
    const created = [...a!, ...b!].flatMap((p) => p.created).sort();
    expect(created).toEqual([
      "audit_events_2032_02",
      "audit_events_2032_03",
      "audit_events_2032_04",
      "notifications_2032_02",
      "notifications_2032_03",
      "notifications_2032_04",
    ]);
    expect((await maintainPartitions(db, at, 2)).flatMap((p) => p.created)).toEqual([]);
    expect(await partitionHealth(db, at)).toEqual([
      { table: "audit_events", monthsAhead: 2, defaultRows: 0 },
      { table: "notifications", monthsAhead: 2, defaultRows: 0 },
    ]);
    const listed = await listPartitions(db);
    expect(listed.filter((p) => p.name.endsWith("2032_03")).map((p) => p.bound)).toEqual([
      expect.stringMatching(/FROM \('2032-03-01 00:00:00\+00'\) TO \('2032-04-01 00:00:00\+00'\)/),
      expect.stringMatching(/FROM \('2032-03-01 00:00:00\+00'\) TO \('2032-04-01 00:00:00\+00'\)/),
    ]);
    expect(listed.find((p) => p.name === "audit_events_2031_05")?.rows).toBe(3);
    expect(listed.find((p) => p.name === "audit_events_default")).toMatchObject({
      bound: "DEFAULT",
      rows: 0,
    });
  });

  it("the application's role may not change, delete or empty audit events in a partition the pass created", async () => {
    const statements = [
      "UPDATE audit_events_2032_03 SET flagged = true",
      "DELETE FROM audit_events_2032_03",
      "TRUNCATE audit_events_2032_03",
      "UPDATE audit_events SET flagged = true WHERE occurred_at >= '2031-05-01'",
      "DELETE FROM audit_events_2031_05",
    ];
    if (onServer) {
      // as a login of rounds_app, the way the application connects
      const login = new URL(fresh.url!);
      await fresh.database.session((run) =>
        run(`DO $$ BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rounds_test_app') THEN
            CREATE ROLE rounds_test_app LOGIN PASSWORD 'rounds_test_app' IN ROLE rounds_app;
          END IF;
          EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`),
      );
      login.username = "rounds_test_app";
      login.password = "rounds_test_app";
      const app = new pg.Client({ connectionString: login.toString() });
      await app.connect();
      try {
        for (const s of statements) await expect(app.query(s), s).rejects.toThrow(/permission denied/);
        // what the application does need still works
        await expect(app.query("SELECT count(*) FROM audit_events_2032_03")).resolves.toBeDefined();
        await expect(app.query("SELECT * FROM partitions_maintain(now(), 1)")).resolves.toBeDefined();
      } finally {
        await app.end();
      }
    } else {
      // the embedded database: the same session, dropped to the application's role
      await fresh.database.session(async (run) => {
        await run("SET ROLE rounds_app");
        try {
          for (const s of statements) await expect(run(s), s).rejects.toThrow(REFUSED);
          await expect(run("SELECT * FROM partitions_maintain(now(), 1)")).resolves.toBeDefined();
        } finally {
          await run("RESET ROLE");
        }
      });
    }
    expect(await partitionOf("after.partitioning")).toMatchObject({ audit_events_2031_05: 3 });
  });
});

describe("the partitions command", () => {
  // the embedded test database lives in this process's memory: the command needs a server's
  it.skipIf(!onServer)(
    "`rounds partitions` lists every month of both tables with its row count",
    async () => {
      const { stdout } = await promisify(execFile)(process.execPath, roundsCli("partitions"), {
        cwd: fileURLToPath(new URL("../", import.meta.url)),
        env: { ...process.env, DATABASE_URL: fresh.url!, LOG_LEVEL: "silent" },
        timeout: 60_000,
      });
      expect(stdout).toMatch(/^audit_events_2026_09 +6 +FOR VALUES FROM \('2026-09-01 00:00:00\+00'\)/m);
      expect(stdout).toMatch(/^audit_events_2031_05 +3 +FOR VALUES/m);
      expect(stdout).toMatch(/^audit_events_default +0 +DEFAULT$/m);
      expect(stdout).toMatch(/^notifications_2032_04 +0 +FOR VALUES/m);
    },
  );
});

describe("searches by time read their month only, through an index", () => {
  /** The plan, with sequential scans priced out: a handful of test rows would rightly be read whole. */
  async function plan(query: string): Promise<string> {
    return db.transaction().execute(async (tx) => {
      await sql`SET LOCAL enable_seqscan = off`.execute(tx);
      const { rows } = await sql<{ "QUERY PLAN": string }>`EXPLAIN ${sql.raw(query)}`.execute(tx);
      return rows.map((r) => r["QUERY PLAN"]).join("\n");
    });
  }

  it("the audit search for a patient in September names only September's partition and scans an index", async () => {
    // the query auditService.list builds for a patient and a date range (repository.ts)
    const text = await plan(`SELECT * FROM audit_events WHERE patient_id = '${PATIENT}'
      AND occurred_at >= '2026-09-01T00:00:00Z' AND occurred_at < '2026-10-01T00:00:00Z'
      ORDER BY seq DESC LIMIT 50`);
    expect(text).toContain("audit_events_2026_09");
    expect(text).not.toMatch(/audit_events_(2026_08|2026_10|2026_12|default)/);
    expect(text).toMatch(/Index Scan|Bitmap Index Scan|Index Only Scan/);
    expect(text).not.toMatch(/Seq Scan/);
  });

  it("the inbox of a patient for a month names only that month's partition and scans an index", async () => {
    // the query the inbox builds with from and to (notifications repository.ts)
    const text = await plan(`SELECT * FROM notifications WHERE patient_id IN ('${PATIENT}')
      AND created_at >= '2027-01-01T00:00:00Z' AND created_at < '2027-02-01T00:00:00Z'
      ORDER BY created_at DESC, id LIMIT 20`);
    expect(text).toContain("notifications_2027_01");
    expect(text).not.toMatch(/notifications_(2026_12|2027_02|default)/);
    expect(text).toMatch(/Index Scan|Bitmap Index Scan|Index Only Scan/);
  });
});
