/**
 * Data residency: the main campus is in one region, the satellite in another, and the pharmacy
 * network, the transport service and the payer are limited to the main campus's region. The
 * satellite's prescription never reaches the pharmacy simulator and says why; its eligibility
 * check and its HL7 message are withheld too; all are audited. Moving the satellite to another
 * region moves its rows. A billing range spanning both regions must name one.
 * The report tells administrators and compliance officers where each location's data lives, and
 * no one else. On a PostgreSQL server, with two tablespaces, the satellite's prescriptions live in
 * its region's tablespace and the report says "placed".
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Bundle, MedicationRequest, ServiceRequest } from "@medplum/fhirtypes";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { trailKey } from "../src/platform/audit/index.js";
import { backupLocation } from "../src/platform/backup/index.js";
import { type Database, openDatabase } from "../src/platform/db.js";
import { applyPlacement } from "../src/platform/residency/index.js";
import type { Rounds } from "../src/server.js";
import { type Client, clientFor } from "./support/auth.js";
import { type Emr, startEmr } from "./support/hl7-peer.js";
import { buildClinicNetwork, type ClinicNetwork, createPatient, optionsOn } from "./support/network.js";
import { insertAppointment } from "./support/report-fixture.js";
import { startRounds, unique } from "./support/rounds.js";

const onServer = Boolean(process.env.DATABASE_URL);
// regions of this run only (partitions are made per region; other files keep theirs)
const suffix = unique(5).toLowerCase();
const EAST = `ue-${suffix}`;
const WEST = `uw-${suffix}`;

let rounds: Rounds;
let emr: Emr;
let net: ClinicNetwork;
let admin: Client;
let physician: Client;
let day = 0;
/** The far day of the billing test's completed visits, one at each location. */
let date = "";

interface Placement {
  kind: string;
  table: string | null;
  partition: string | null;
  tablespace: string;
  placement: string;
}
interface Report {
  database: { kind: string; host: string | null; name: string };
  regions: { region: string; locations: number; tablespace: string | null; tablespaceExists: boolean }[];
  locations: { id: string; name: string; region: string; data: Placement[] }[];
}

beforeAll(async () => {
  emr = await startEmr();
  rounds = await startRounds({
    ROUNDS_HL7_TARGETS: `127.0.0.1:${emr.port}`,
    ROUNDS_HL7_REGIONS: EAST,
    ROUNDS_NOTIFICATIONS_WORKER: "false",
    ROUNDS_PHARMACY_POLL_SECONDS: "0",
    ROUNDS_TRANSPORT_POLL_SECONDS: "0",
    ROUNDS_PHARMACY_REGIONS: EAST,
    ROUNDS_TRANSPORT_REGIONS: EAST,
    ROUNDS_PAYER_REGIONS: EAST,
    ROUNDS_EMR_REGIONS: EAST,
  });
  // the cursors start at now; the test drives the senders' rounds
  await rounds.eligibility.worker.queueEvents();
  await rounds.hl7.sender.queueEvents();
  net = await buildClinicNetwork(rounds);
  admin = net.admin;
  physician = await clientFor(rounds, "physician", { physicianId: net.physicianId });
  for (const [id, region] of [
    [net.main.id, EAST],
    [net.satellite.id, WEST],
  ] as const) {
    const res = await admin.inject({
      method: "PATCH",
      url: `/api/v1/locations/${id}`,
      payload: { dataResidency: region },
    });
    expect(res.statusCode, res.body).toBe(200);
  }
});
afterAll(async () => {
  await rounds?.close();
  await emr?.close();
});

/** A new patient booked at the location, with a pharmacy chosen there, and a prescription made. */
async function prescribedAt(where: "main" | "satellite") {
  const patientId = await createPatient(admin);
  const option = (await optionsOn(net, admin, day++ % 5)).find((o) => o.locationId === net[where].id)!;
  const booked = await admin.inject({
    method: "POST",
    url: "/api/v1/appointments",
    payload: { optionId: option.id, patientId },
  });
  expect(booked.statusCode, booked.body).toBe(201);
  const appointmentId = (booked.json() as { id: string }).id;
  const chosen = await admin.inject({
    method: "PUT",
    url: `/api/v1/patients/${patientId}/pharmacies/${net[where].id}`,
    payload: { pharmacyId: "ph-central" },
  });
  expect(chosen.statusCode, chosen.body).toBe(200);
  const made = await physician.inject({
    method: "POST",
    url: `/api/v1/appointments/${appointmentId}/prescriptions`,
    payload: { medicationCode: "314076", dose: "One tablet by mouth daily", quantity: 30, refills: 0 },
  });
  expect(made.statusCode, made.body).toBe(201);
  return { patientId, appointmentId, prescriptionId: (made.json() as { id: string }).id };
}

const report = async (client: Client, query = "") => {
  const res = await client.inject({ url: `/api/v1/admin/residency${query}` });
  return { status: res.statusCode, body: res.json() as Report };
};

describe("partners limited to a region", () => {
  let east: Awaited<ReturnType<typeof prescribedAt>>;
  let west: Awaited<ReturnType<typeof prescribedAt>>;
  beforeAll(async () => {
    east = await prescribedAt("main");
    west = await prescribedAt("satellite");
  });

  it("the satellite's prescription never reaches a pharmacy network limited to the main campus's region, and says why", async () => {
    await rounds.pharmacy.loop.runOnce();
    await rounds.pharmacy.loop.runOnce();
    const sent = rounds.pharmacy.simulator!.received.filter(
      (r): r is MedicationRequest => r.resourceType === "MedicationRequest",
    );
    const ids = sent.map((r) => r.identifier?.[0]?.value);
    expect(ids).toContain(east.prescriptionId);
    expect(ids).not.toContain(west.prescriptionId);
    const list = await admin.inject({ url: `/api/v1/patients/${west.patientId}/prescriptions` });
    expect(list.json()).toMatchObject([{ id: west.prescriptionId, status: "withheld" }]);
    expect((list.json() as { lastError: string }[])[0]!.lastError).toContain("ROUNDS_PHARMACY_REGIONS");
    // the row lives in the satellite region's partition
    const where = await sql<{ partition: string }>`
      SELECT tableoid::regclass::text AS partition FROM prescriptions WHERE id = ${west.prescriptionId}`.execute(
      rounds.database.db,
    );
    expect(where.rows[0]?.partition).toBe(`prescriptions_${WEST.replace("-", "_")}`);
  });

  it("the satellite's eligibility check is withheld from a payer limited to the main campus's region; both are audited", async () => {
    await rounds.eligibility.worker.round();
    const check = async (id: string) =>
      (await admin.inject({ url: `/api/v1/appointments/${id}/eligibility` })).json() as {
        status: string;
        reason: string | null;
        nextAttemptAt: string | null;
      };
    expect(await check(west.appointmentId)).toMatchObject({ status: "withheld", nextAttemptAt: null });
    expect((await check(west.appointmentId)).reason).toContain("ROUNDS_PAYER_REGIONS");
    expect((await check(east.appointmentId)).status).not.toBe("withheld");
    const audited = await sql<{ partner: string }>`
      SELECT detail->>'partner' AS partner FROM audit_events
      WHERE action = 'residency.withheld' AND patient_id = ${west.patientId} ORDER BY partner`.execute(
      rounds.database.db,
    );
    expect(audited.rows.map((r) => r.partner)).toEqual(["payer", "pharmacy"]);
    // a location moving region takes its rows along, in the same transaction
    const MOVED = `um-${suffix}`;
    const partitionOf = async () =>
      (
        await sql<{ partition: string }>`
          SELECT tableoid::regclass::text AS partition FROM prescriptions WHERE id = ${west.prescriptionId}`.execute(
          rounds.database.db,
        )
      ).rows[0]?.partition;
    const move = (region: string) =>
      admin.inject({
        method: "PATCH",
        url: `/api/v1/locations/${net.satellite.id}`,
        payload: { dataResidency: region },
      });
    expect((await move(MOVED)).statusCode).toBe(200);
    expect(await partitionOf()).toBe(`prescriptions_${MOVED.replace("-", "_")}`);
    expect((await move(WEST)).statusCode).toBe(200);
    expect(await partitionOf()).toBe(`prescriptions_${WEST.replace("-", "_")}`);
  });

  it("the satellite's ride never reaches a transport service limited to the main campus's region", async () => {
    const ride = async (b: typeof east) => {
      const need = await admin.inject({
        method: "PUT",
        url: `/api/v1/patients/${b.patientId}/transport-need`,
        payload: { needed: true },
      });
      expect(need.statusCode, need.body).toBe(200);
      const made = await admin.inject({
        method: "POST",
        url: `/api/v1/appointments/${b.appointmentId}/rides`,
        payload: { origin: "home" },
      });
      expect(made.statusCode, made.body).toBe(201);
      return (made.json() as { id: string }).id;
    };
    const [eastRide, westRide] = [await ride(east), await ride(west)];
    await rounds.transport.loop.runOnce();
    const told = rounds.transport
      .simulator!.received.filter((r): r is Bundle => r.resourceType === "Bundle")
      .flatMap((b) => b.entry ?? [])
      .map((e) => e.resource)
      .filter((r): r is ServiceRequest => r?.resourceType === "ServiceRequest")
      .map((r) => r.identifier?.[0]?.value);
    expect(told).toContain(eastRide);
    expect(told).not.toContain(westRide);
    const rides = await admin.inject({ url: `/api/v1/patients/${west.patientId}/rides` });
    const [withheld] = (rides.json() as { rides: { id: string; status: string; lastError: string }[] }).rides;
    expect(withheld).toMatchObject({ id: westRide, status: "withheld" });
    expect(withheld!.lastError).toContain("ROUNDS_TRANSPORT_REGIONS");
  });

  it("the EMR hears of the main campus's booking over HL7 and never of the satellite's; the satellite's message says withheld", async () => {
    await rounds.hl7.sender.round();
    await rounds.hl7.sender.round();
    const told = emr.received.map((m) => m.get("SCH.2.1").toString());
    expect(told).toContain(east.appointmentId);
    expect(told).not.toContain(west.appointmentId);
    const messages = await sql<{ appointment_id: string; status: string; last_error: string | null }>`
      SELECT appointment_id, status, last_error FROM hl7_messages
      WHERE appointment_id IN (${east.appointmentId}, ${west.appointmentId})`.execute(rounds.database.db);
    const west_ = messages.rows.filter((m) => m.appointment_id === west.appointmentId);
    expect(west_.length).toBeGreaterThan(0);
    expect(west_.every((m) => m.status === "withheld" && m.last_error?.includes("ROUNDS_HL7_REGIONS"))).toBe(
      true,
    );
    expect(messages.rows.find((m) => m.appointment_id === east.appointmentId)?.status).toBe("acknowledged");
  });

  it("the records view asks an EMR limited to the main campus's region only from there, and says why not from the satellite", async () => {
    const view = async (where: "main" | "satellite") => {
      const res = await physician.inject({
        url: `/api/v1/patients/${west.patientId}/records?locationId=${net[where].id}`,
      });
      expect(res.statusCode, res.body).toBe(200);
      return res.json() as { withheld: string | null; demographics: unknown };
    };
    const fromSatellite = await view("satellite");
    expect(fromSatellite.demographics).toBeNull();
    expect(fromSatellite.withheld).toContain("ROUNDS_EMR_REGIONS");
    expect((await view("main")).withheld).toBeNull();
  });

  it("a billing range holding both regions' visits is refused without a region; with one it holds only that region's", async () => {
    date = `21${50 + Math.floor(Math.random() * 40)}-0${1 + Math.floor(Math.random() * 9)}-1${Math.floor(Math.random() * 9)}`;
    const db = rounds.database.db;
    const completed = (location: string) =>
      insertAppointment(db, net, {
        patient: net.patientId,
        location,
        start: new Date(`${date}T${location === net.main.id ? "15" : "18"}:00:00Z`),
        status: "completed",
        bookedBefore: 86_400_000,
      });
    const eastVisit = await completed(net.main.id);
    await completed(net.satellite.id);
    const batch = (payload: Record<string, string>) =>
      admin.inject({
        method: "POST",
        url: "/api/v1/billing/batches",
        payload: { format: "fhir-claim", from: date, to: date, ...payload },
      });
    const mixed = await batch({});
    expect(mixed.statusCode, mixed.body).toBe(422);
    expect(mixed.json()).toMatchObject({ code: "regions_mixed", errors: [{ field: "body.region" }] });
    // no billing identity here: nothing is billable, and what was skipped is the main campus's alone
    const one = await batch({ region: EAST });
    expect(one.statusCode, one.body).toBe(409);
    expect(
      (one.json() as { skipped: { appointmentId: string }[] }).skipped.map((s) => s.appointmentId),
    ).toEqual([eastVisit]);
    expect((await batch({ region: "Nowhere" })).json()).toMatchObject({ errors: [{ field: "body.region" }] });
  });
});

describe("exports by region", () => {
  it("a location's backup names its region, so the file can be kept on that region's storage", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "rounds-residency-")), "satellite");
    try {
      const manifest = await backupLocation(rounds.database, {
        out,
        locationId: net.satellite.id,
        auditKey: trailKey(rounds.database.db),
        roundsVersion: "test",
      });
      expect(manifest.scope).toMatchObject({ kind: "location", locationId: net.satellite.id, region: WEST });
    } finally {
      rmSync(join(out, ".."), { recursive: true, force: true });
    }
  });

  it("a report and its CSV export limited to a region hold only that region's locations", async () => {
    await rounds.reports.projector.rebuild();
    const url = `/api/v1/analytics/reports/utilisation?from=${date}&to=${date}`;
    const rows = async (query: string) =>
      ((await admin.inject({ url: `${url}${query}` })).json() as { rows: { locationId: string }[] }).rows.map(
        (r) => r.locationId,
      );
    // the worker's database holds other files' locations too: this network's two are among them
    expect(await rows("")).toEqual(expect.arrayContaining([net.main.id, net.satellite.id]));
    // the regions are this file's own, so the filtered report holds exactly its location there
    expect(await rows(`&region=${WEST}`)).toEqual([net.satellite.id]);
    const csv = await admin.inject({ url: `${url}&region=${EAST}&format=csv` });
    expect(csv.statusCode, csv.body).toBe(200);
    expect(csv.body).toContain(net.main.id);
    expect(csv.body).not.toContain(net.satellite.id);
  });
});

describe("the residency report", () => {
  it("administrators and compliance officers see each location's region and where each kind of its data lives", async () => {
    const compliance = await clientFor(rounds, "compliance");
    for (const who of [admin, compliance]) {
      const { status, body } = await report(who, `?region=${WEST}`);
      expect(status).toBe(200);
      const satellite = body.locations.find((l) => l.id === net.satellite.id)!;
      expect(satellite.region).toBe(WEST);
      expect(body.locations.every((l) => l.region === WEST)).toBe(true);
      expect(satellite.data.map((d) => d.kind)).toEqual([
        "appointments",
        "notes",
        "eligibility",
        "prescriptions",
        "rides",
        "audit",
        "notifications",
        "backups",
      ]);
      const rx = satellite.data.find((d) => d.kind === "prescriptions")!;
      expect(rx.partition).toBe(`prescriptions_${WEST.replace("-", "_")}`);
      expect(satellite.data.find((d) => d.kind === "appointments")!.placement).toMatch(/^shared: /);
      expect(body.regions).toEqual([
        { region: WEST, locations: 1, tablespace: null, tablespaceExists: false },
      ]);
      expect(body.database.kind).toBe(onServer ? "postgres" : "embedded");
      if (!onServer) expect(rx.placement).toContain("embedded");
    }
    const audited = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM audit_events WHERE action = 'residency.report.read'
        AND detail->>'region' = ${WEST}`.execute(rounds.database.db);
    expect(audited.rows[0]?.n).toBe(2);
  });

  it("staff, physicians and patients may not read it; a bad query is refused naming the field", async () => {
    const staff = await clientFor(rounds, "location_staff", { locationIds: [net.main.id] });
    const patient = await clientFor(rounds, "patient", { patientId: net.patientId });
    for (const who of [staff, physician, patient]) expect((await report(who)).status).toBe(403);
    for (const query of ["?region=US%20EAST", "?locationId=x"]) {
      const res = await admin.inject({ url: `/api/v1/admin/residency${query}` });
      expect(res.statusCode, res.body).toBe(400);
      expect((res.json() as { errors: { field: string }[] }).errors[0]!.field).toMatch(/^query/);
    }
  });
});

describe.skipIf(!onServer)("placement in tablespaces (PostgreSQL server)", () => {
  const dirs: string[] = [];
  const spaces = { [EAST]: `rounds_t_${suffix}_e`, [WEST]: `rounds_t_${suffix}_w` };
  let owner: Database;

  beforeAll(async () => {
    // as the server's superuser: the application's role may not create tablespaces
    owner = await openDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir: "memory://" });
    for (const name of Object.values(spaces)) {
      const dir = mkdtempSync(join(tmpdir(), `${name}-`));
      execFileSync("chown", ["postgres", dir]);
      dirs.push(dir);
      await sql.raw(`CREATE TABLESPACE ${name} LOCATION '${dir}'`).execute(owner.db);
    }
  });
  afterAll(async () => {
    if (owner) {
      await applyPlacement(owner, {}); // everything back to the default tablespace
      for (const name of Object.values(spaces))
        await sql.raw(`DROP TABLESPACE IF EXISTS ${name}`).execute(owner.db);
      await owner.close();
    }
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("a us-west location's prescriptions live in the us-west tablespace, and the report says placed", async () => {
    const first = await applyPlacement(owner, spaces);
    expect(first.missing).toEqual([]);
    expect(first.moved.map((m) => m.relation)).toContain(`prescriptions_${WEST.replace("-", "_")}`);
    // idempotent: nothing left to move
    expect((await applyPlacement(owner, spaces)).moved).toEqual([]);
    const tables = await sql<{ tablename: string; tablespace: string | null }>`
      SELECT tablename, tablespace FROM pg_tables
      WHERE tablename IN (${`prescriptions_${WEST.replace("-", "_")}`}, ${`eligibility_checks_${EAST.replace("-", "_")}`})
      ORDER BY tablename`.execute(owner.db);
    expect(tables.rows).toEqual([
      { tablename: `eligibility_checks_${EAST.replace("-", "_")}`, tablespace: spaces[EAST] },
      { tablename: `prescriptions_${WEST.replace("-", "_")}`, tablespace: spaces[WEST] },
    ]);
    const { body } = await report(admin, `?region=${WEST}`);
    const rx = body.locations
      .find((l) => l.id === net.satellite.id)!
      .data.find((d) => d.kind === "prescriptions")!;
    expect(rx).toMatchObject({ tablespace: spaces[WEST], placement: "placed" });
    expect(body.regions).toEqual([
      { region: WEST, locations: 1, tablespace: spaces[WEST], tablespaceExists: true },
    ]);
    // a location created in the region later gets its rows there too: the partition is already placed
    const where = await sql<{ tablespace: string }>`
      SELECT t.spcname AS tablespace FROM prescriptions p
      JOIN pg_class c ON c.oid = p.tableoid JOIN pg_tablespace t ON t.oid = c.reltablespace
      WHERE p.location_id = ${net.satellite.id} LIMIT 1`.execute(owner.db);
    expect(where.rows[0]?.tablespace).toBe(spaces[WEST]);
  });
});
