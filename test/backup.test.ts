/**
 * Backup and restore (README.md, "Operating Rounds"): the whole network into an empty database
 * or data directory, one location into the running network, and backups that were tampered with
 * refused before anything is written. Runs on the embedded database and on PostgreSQL alike.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { trailKey, walkChains } from "../src/platform/audit/index.js";
import {
  BackupError,
  backupLocation,
  backupNetwork,
  LOCATION_FILE,
  type Manifest,
  readManifest,
  restoreLocation,
  restoreNetwork,
} from "../src/platform/backup/index.js";
import { partOf, writeManifest } from "../src/platform/backup/manifest.js";
import { type Database, type Executor, openDatabase } from "../src/platform/db.js";
import type { Rounds } from "../src/server.js";
import { createServerDatabase, onServer } from "./support/databases.js";
import { buildClinicNetwork, type ClinicNetwork, createPatient, optionsOn } from "./support/network.js";
import { startRounds, unique } from "./support/rounds.js";

let rounds: Rounds;
let net: ClinicNetwork;
let key: Buffer;
let scratch: string;
/** Appointments booked through the API: two at the main campus, one at the satellite. */
const booked: { main: string[]; satellite: string[] } = { main: [], satellite: [] };

async function book(optionId: string): Promise<string> {
  const res = await net.admin.inject({
    method: "POST",
    url: "/api/v1/appointments",
    payload: { optionId, patientId: await createPatient(net.admin) },
  });
  if (res.statusCode !== 201) throw new Error(`booking: ${res.statusCode} ${res.body}`);
  return res.json().id as string;
}

const at = (options: Awaited<ReturnType<typeof optionsOn>>, time: string, locationId: string) => {
  const o = options.find((x) => x.local.time === time && x.locationId === locationId);
  if (!o) throw new Error(`no option at ${time}`);
  return o.id;
};

beforeAll(async () => {
  rounds = await startRounds();
  net = await buildClinicNetwork(rounds);
  key = trailKey(rounds.database.db);
  scratch = mkdtempSync(join(tmpdir(), "rounds-backup-"));
  const options = await optionsOn(net, net.admin);
  booked.main.push(
    await book(at(options, "09:00", net.main.id)),
    await book(at(options, "10:00", net.main.id)),
  );
  booked.satellite.push(await book(at(options, "14:00", net.satellite.id)));
});
afterAll(async () => {
  await rounds?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** Everything a location's staff would look at, as the database holds it. */
async function locationState(db: Executor, locationId: string) {
  const { rows } = await sql<{ state: unknown }>`
    SELECT jsonb_build_object(
      'location', (SELECT to_jsonb(l) - 'updated_at' FROM locations l WHERE id = ${locationId}),
      'rooms', (SELECT jsonb_agg(to_jsonb(r) ORDER BY id) FROM rooms r WHERE location_id = ${locationId}),
      -- a restore is a change like any other: the rows' versions move on (offline clients then see a conflict)
      'appointments', (SELECT jsonb_agg(to_jsonb(a) - 'version' ORDER BY id) FROM appointments a WHERE location_id = ${locationId})
    ) AS state`.execute(db);
  return rows[0]!.state;
}

async function count(db: Executor, table: "appointments" | "patients" | "audit_events"): Promise<number> {
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)}`.execute(db);
  return Number(rows[0]!.n);
}

/** What an insider without the audit key could do: change a part and re-sign the manifest... with the key (the chain must still catch it). */
async function resign(dir: string, m: Manifest): Promise<void> {
  const { signature: _, format: __, ...body } = m;
  await writeManifest(dir, key, { ...body, parts: [await partOf(dir, LOCATION_FILE)] });
}

function editLines(
  dir: string,
  edit: (entry: { table: string; row: Record<string, unknown> }) => void,
): void {
  const file = join(dir, LOCATION_FILE);
  const lines = readFileSync(file, "utf8").trimEnd().split("\n");
  const out = lines.map((line) => {
    const entry = JSON.parse(line);
    edit(entry);
    return JSON.stringify(entry);
  });
  writeFileSync(file, `${out.join("\n")}\n`);
}

async function refused(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BackupError);
  return (err as BackupError).code;
}

describe("whole-network backup", () => {
  it("restores into an empty database with the same appointments, and a tampered copy is refused with nothing written", async () => {
    const url = process.env.DATABASE_URL;
    const out = join(scratch, "network");
    const before = {
      appointments: await count(rounds.database.db, "appointments"),
      patients: await count(rounds.database.db, "patients"),
    };
    const sample = await locationState(rounds.database.db, net.main.id);
    const manifest = await backupNetwork(rounds.database, {
      out,
      auditKey: key,
      roundsVersion: "test",
      databaseUrl: url,
    });
    expect(manifest.parts).toHaveLength(1);
    expect(manifest.audit.events).toBeGreaterThan(0);

    let target: Parameters<typeof restoreNetwork>[0]["target"];
    let open: () => Promise<Database>;
    let isEmpty: () => Promise<boolean>;
    let drop = async () => {};
    if (url) {
      const name = `rounds_t_${unique(12).toLowerCase()}`;
      const targetUrl = await createServerDatabase(url, name);
      target = { kind: "postgres", url: targetUrl };
      open = () => openDatabase({ databaseUrl: targetUrl, dataDir: "memory://" });
      isEmpty = async () => {
        const client = new pg.Client({ connectionString: targetUrl });
        await client.connect();
        try {
          return (await client.query("SELECT 1 FROM pg_tables WHERE schemaname = 'public'")).rowCount === 0;
        } finally {
          await client.end();
        }
      };
      drop = async () => void (await onServer(url, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    } else {
      const dataDir = join(scratch, "restored-data");
      target = { kind: "pglite", dataDir };
      open = () => openDatabase({ databaseUrl: undefined, dataDir });
      isEmpty = async () => {
        try {
          return readdirSync(dataDir).length === 0;
        } catch {
          return true;
        }
      };
    }
    try {
      // one byte changed in the dump: refused on its checksum before the target is touched
      const tampered = join(scratch, "network-tampered");
      cpSync(out, tampered, { recursive: true });
      const part = join(tampered, manifest.parts[0]!.file);
      const bytes = readFileSync(part);
      const middle = bytes.length >> 1;
      bytes[middle] = (bytes[middle] ?? 0) ^ 0xff;
      writeFileSync(part, bytes);
      expect(await refused(restoreNetwork({ from: tampered, target, auditKey: key }))).toBe("checksum");
      expect(await isEmpty()).toBe(true);

      await restoreNetwork({ from: out, target, auditKey: key });
      const restored = await open();
      try {
        expect(await count(restored.db, "appointments")).toBe(before.appointments);
        expect(await count(restored.db, "patients")).toBe(before.patients);
        expect(await locationState(restored.db, net.main.id)).toEqual(sample);
        const walk = await walkChains(restored.db, key);
        expect(walk.problem).toBeNull();
        expect(walk.events).toBeGreaterThanOrEqual(manifest.audit.events);
      } finally {
        await restored.close();
      }
      // a restore never lands on data: the target is no longer empty
      expect(await refused(restoreNetwork({ from: out, target, auditKey: key }))).toBe("not_empty");
    } finally {
      await drop();
    }
  });
});

describe("one location's backup", () => {
  let out: string;
  beforeAll(async () => {
    out = join(scratch, "main-campus");
    await backupLocation(rounds.database, {
      out,
      locationId: net.main.id,
      auditKey: key,
      roundsVersion: "test",
    });
  });

  /** A copy of the location backup to tamper with. */
  const copy = (name: string) => {
    const dir = join(scratch, name);
    cpSync(out, dir, { recursive: true });
    return dir;
  };

  it("is refused when a row, an audit event or an id of another location was slipped in, and nothing is written", async () => {
    const db = rounds.database.db;
    const state = await locationState(db, net.main.id);
    const events = await count(db, "audit_events");

    const edited = copy("edited-row");
    editLines(edited, (e) => {
      if (e.table === "appointments") e.row.status = "cancelled";
    });
    expect(await refused(restoreLocation(rounds.database, { from: edited, auditKey: key }))).toBe("checksum");

    const forged = copy("forged-event");
    editLines(forged, (e) => {
      if (e.table === "audit_events" && e.row.action === "appointment.book")
        e.row.action = "appointment.read";
    });
    await resign(forged, await readManifest(forged));
    expect(await refused(restoreLocation(rounds.database, { from: forged, auditKey: key }))).toBe(
      "audit_chain",
    );

    // the satellite's room, claimed for the main campus
    const satelliteRoom = net.satellite.roomIds[0]!;
    const claimed = copy("claimed-room");
    let once = false;
    editLines(claimed, (e) => {
      if (e.table === "rooms" && !once) {
        once = true;
        e.row.id = satelliteRoom;
      }
    });
    await resign(claimed, await readManifest(claimed));
    expect(await refused(restoreLocation(rounds.database, { from: claimed, auditKey: key }))).toBe(
      "collision",
    );

    expect(
      await refused(
        restoreLocation(rounds.database, { from: out, locationId: net.satellite.id, auditKey: key }),
      ),
    ).toBe("wrong_scope");
    expect(await locationState(db, net.main.id)).toEqual(state);
    expect(await count(db, "audit_events")).toBe(events);
  });

  it("puts the main campus back as it was and leaves the satellite's appointments untouched", async () => {
    const db = rounds.database.db;
    const backedUp = await locationState(db, net.main.id);
    // after the backup: a cancellation and a rename at the main campus, a new booking at the satellite
    const cancelled = await net.admin.inject({
      method: "POST",
      url: `/api/v1/appointments/${booked.main[0]}/cancel`,
      payload: { reason: "restore drill" },
    });
    expect(cancelled.statusCode).toBe(200);
    const renamed = await net.admin.inject({
      method: "PATCH",
      url: `/api/v1/locations/${net.main.id}`,
      payload: { name: "Renamed by mistake" },
    });
    expect(renamed.statusCode).toBe(200);
    booked.satellite.push(await book(at(await optionsOn(net, net.admin), "15:00", net.satellite.id)));
    const satellite = await locationState(db, net.satellite.id);

    const report = await restoreLocation(rounds.database, {
      from: out,
      locationId: net.main.id,
      auditKey: key,
    });
    expect(report.rows).toMatchObject({ appointments: 1, locations: 1 });
    // the main campus's bookings were recorded here, and are still here as they were
    expect(report.audit.inBackup).toBeGreaterThan(0);
    expect(report.audit.alreadyHere).toBe(report.audit.inBackup);

    const after = (await locationState(db, net.main.id)) as { location: { name: string } };
    expect(after).toEqual(backedUp);
    const appointment = await net.admin.inject({ url: `/api/v1/appointments/${booked.main[0]}` });
    expect(appointment.json().status).toBe("booked");
    expect(await locationState(db, net.satellite.id)).toEqual(satellite);
    expect((await walkChains(db, key)).problem).toBeNull();
    const trail = await net.admin.inject({
      url: `/api/v1/audit-events?locationId=${net.main.id}&action=backup.location_restored`,
    });
    expect(trail.statusCode).toBe(200);
    expect(trail.json().items).toHaveLength(1);
  });
});
