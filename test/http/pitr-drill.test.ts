/**
 * The point-in-time recovery drill of README.md ("Operating Rounds", disaster recovery), run for
 * real on a PostgreSQL cluster of its own: WAL archiving on, Rounds' migrations, bookings, a base
 * backup, more bookings, a noted instant, more bookings; then the base backup is recovered with
 * the archived WAL to the noted instant, and exactly the bookings made before it are there.
 * PostgreSQL only (the embedded database has no WAL archive); the machine's own server is never
 * touched: the drill's cluster lives in a temporary directory, owned by `postgres`, on a free port.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../../src/platform/db.js";
import { migrate } from "../../src/platform/migrations.js";
import { asPostgres, run } from "../support/cluster.js";
import { freePort } from "../support/servers.js";

const onServer = Boolean(process.env.DATABASE_URL);

/** Polls until `probe` holds (conditions, not sleeps). */
async function until(
  probe: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let root: string;
const clusters: string[] = [];

async function start(dataDir: string, port: number): Promise<void> {
  clusters.push(dataDir);
  await asPostgres("pg_ctl", [
    "-D",
    dataDir,
    "-l",
    join(root, `${port}.log`),
    "-w",
    "-t",
    "60",
    "-o",
    `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${root}`,
    "start",
  ]);
}

async function stop(dataDir: string): Promise<void> {
  await asPostgres("pg_ctl", ["-D", dataDir, "-m", "fast", "-w", "stop"]).catch(() => {});
}

beforeAll(async () => {
  if (!onServer) return;
  root = mkdtempSync(join(tmpdir(), "rounds-pitr-"));
  mkdirSync(join(root, "wal"));
  await run("chown", ["-R", "postgres:postgres", root]);
});
afterAll(async () => {
  if (!onServer) return;
  for (const dir of clusters) await stop(dir);
  rmSync(root, { recursive: true, force: true });
});

/** One booking: an appointment of the drill's physician, an hour after the one before. */
async function book(db: Database["db"], n: number): Promise<string> {
  const { rows } = await sql<{ id: string }>`
    INSERT INTO appointments (patient_id, physician_id, location_id, appointment_type_id, starts_at, ends_at, status)
    SELECT pa.id, ph.id, l.id, t.id, ${`2030-01-07T${String(n).padStart(2, "0")}:00:00Z`}::timestamptz,
      ${`2030-01-07T${String(n).padStart(2, "0")}:30:00Z`}::timestamptz, 'booked'
    FROM patients pa, physicians ph, locations l, appointment_types t
    RETURNING id`.execute(db);
  return rows[0]!.id;
}

describe.skipIf(!onServer)("point-in-time recovery on PostgreSQL", () => {
  it("a base backup and the WAL archive bring back exactly the bookings made before the chosen instant", async () => {
    const primary = join(root, "primary");
    const wal = join(root, "wal");
    await asPostgres("initdb", ["-D", primary, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"]);
    writeFileSync(
      join(primary, "postgresql.auto.conf"),
      [
        "wal_level = replica",
        "archive_mode = on",
        `archive_command = 'test ! -f ${wal}/%f && cp %p ${wal}/%f'`,
        "fsync = off",
        "",
      ].join("\n"),
    );
    const port = await freePort();
    await start(primary, port);
    await asPostgres("createdb", ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "rounds"]);
    const url = `postgres://postgres@127.0.0.1:${port}/rounds`;

    let database = await openDatabase({ databaseUrl: url, dataDir: "memory://" });
    const before: string[] = [];
    let target: string;
    const after: string[] = [];
    try {
      await migrate(database);
      const db = database.db;
      await sql`INSERT INTO specialties (code, name) VALUES ('drill', 'Drill')`.execute(db);
      await sql`INSERT INTO locations (code, name, kind, time_zone, latitude, longitude) VALUES ('DRILL', 'Drill Clinic', 'satellite', 'UTC', 51.5, -0.1)`.execute(
        db,
      );
      await sql`INSERT INTO physicians (npi, given_name, family_name, primary_specialty) VALUES ('1234567893', 'Ada', 'Drill', 'drill')`.execute(
        db,
      );
      await sql`INSERT INTO patients (mrn, given_name, family_name, birth_date, sex) VALUES ('DRILL-1', 'Pat', 'Drill', '1980-01-01', 'female')`.execute(
        db,
      );
      await sql`INSERT INTO appointment_types (code, name, specialty, duration_minutes, visit_kind) VALUES ('DRILL', 'Drill visit', 'drill', 30, 'new')`.execute(
        db,
      );
      before.push(await book(db, 8), await book(db, 9));

      // the nightly base backup, taken while the server runs
      await asPostgres("pg_basebackup", [
        "-h",
        "127.0.0.1",
        "-p",
        String(port),
        "-U",
        "postgres",
        "-D",
        join(root, "base"),
        "--checkpoint=fast",
        "-X",
        "none",
      ]);
      before.push(await book(db, 10), await book(db, 11));
      const { rows } = await sql<{ now: string }>`SELECT clock_timestamp()::text AS now`.execute(db);
      target = rows[0]!.now;
      after.push(await book(db, 12), await book(db, 13));
      // close the segment holding the last bookings and wait until it is in the archive
      const { rows: switched } = await sql<{
        wal: string;
      }>`SELECT pg_walfile_name(pg_switch_wal()) AS wal`.execute(db);
      const segment = switched[0]!.wal;
      await until(() => existsSync(join(wal, segment)), "the last segment in the archive", 20_000);
    } finally {
      await database.close();
    }
    // the disaster: the primary is gone
    await stop(primary);
    rmSync(primary, { recursive: true, force: true });

    // recovery: the base backup, the archive, and the instant to stop at
    const restored = join(root, "base");
    writeFileSync(
      join(restored, "postgresql.auto.conf"),
      [
        "archive_mode = off",
        `restore_command = 'cp ${wal}/%f %p'`,
        `recovery_target_time = '${target}'`,
        "recovery_target_action = 'promote'",
        "fsync = off",
        "",
      ].join("\n"),
    );
    writeFileSync(join(restored, "recovery.signal"), "");
    await run("chown", ["-R", "postgres:postgres", restored]);
    const recoveredPort = await freePort();
    await start(restored, recoveredPort);
    database = await openDatabase({
      databaseUrl: `postgres://postgres@127.0.0.1:${recoveredPort}/rounds`,
      dataDir: "memory://",
    });
    try {
      await until(
        async () => {
          const { rows } = await sql<{ r: boolean }>`SELECT pg_is_in_recovery() AS r`.execute(database.db);
          return rows[0]?.r === false;
        },
        "the end of recovery",
        30_000,
      );
      const { rows } = await sql<{
        id: string;
      }>`SELECT id::text FROM appointments ORDER BY starts_at`.execute(database.db);
      expect(rows.map((r) => r.id)).toEqual(before);
      expect(after.some((id) => rows.some((r) => r.id === id))).toBe(false);
    } finally {
      await database.close();
    }
  });
});
