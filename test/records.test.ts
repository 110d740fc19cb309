/**
 * Records and lab results at any location: the network's physician, working at the main campus and
 * the satellite, opens from the satellite the EMR record of a patient booked with them there (read
 * from the built-in simulator over HTTP, merged with local lab results) and the view is audited
 * with that location; a physician the patient is not booked with gets 404 and an audited refusal;
 * a location that is not the physician's is refused; an EMR that is down is a 503 problem.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LabResult } from "../src/integrations/emr/index.js";
import { loadConfig } from "../src/platform/config.js";
import { createRounds, type Rounds } from "../src/server.js";
import { type Client, clientFor } from "./support/auth.js";
import { createLocation } from "./support/fixtures.js";
import {
  addPhysician,
  buildClinicNetwork,
  type ClinicNetwork,
  createPatient,
  optionsOn,
} from "./support/network.js";
import { startRounds, testDatabase } from "./support/rounds.js";

let rounds: Rounds;
let net: ClinicNetwork;
let physician: Client;
let otherPhysician: Client;
let patientId: string;
const localLab: LabResult = {
  id: "oru-1",
  code: "2951-2",
  name: "Sodium [Moles/volume] in Serum or Plasma",
  value: "139 mmol/L",
  referenceRange: "136–145 mmol/L",
  flag: "normal",
  effective: "2099-01-01T08:00:00Z",
  status: "final",
  source: "local",
};

interface Records {
  patientId: string;
  viewedFrom: string | null;
  source: string;
  demographics: { name: string; birthDate: string; mismatches: Array<{ field: string; emr: string }> } | null;
  problems: unknown[];
  medications: unknown[];
  encounters: unknown[];
  labResults: Array<{ id: string; source: string; flag: string | null }>;
}
interface AuditEvent {
  action: string;
  userId: string;
  outcome: string;
  locationId: string | null;
  detail: Record<string, unknown>;
}

beforeAll(async () => {
  const config = loadConfig({ ...process.env, LOG_LEVEL: "silent", ROUNDS_SEED_DEMO: "false" });
  rounds = await createRounds(config, {
    database: await testDatabase(),
    localLabResults: async (_db, id) => (id === patientId ? [localLab] : []),
  });
  net = await buildClinicNetwork(rounds);
  physician = await clientFor(rounds, "physician", { physicianId: net.physicianId });
  const other = await addPhysician(net.admin, net.specialty, [
    { locationId: net.satellite.id, startTime: "13:00", endTime: "17:00" },
  ]);
  otherPhysician = await clientFor(rounds, "physician", { physicianId: other });
  patientId = await createPatient(net.admin);
  const option = (await optionsOn(net, net.admin, 1)).find((o) => o.locationId === net.satellite.id)!;
  const booked = await net.admin.inject({
    method: "POST",
    url: "/api/v1/appointments",
    payload: { optionId: option.id, patientId },
  });
  expect(booked.statusCode, booked.body).toBe(201);
}, 120_000);
afterAll(() => rounds.close());

async function eventsOf(client: Client, action: string): Promise<AuditEvent[]> {
  const res = await net.admin.inject({ url: `/api/v1/audit-events?patientId=${patientId}&limit=100` });
  expect(res.statusCode).toBe(200);
  return (res.json() as { items: AuditEvent[] }).items.filter(
    (e) => e.action === action && e.userId === client.user.userId,
  );
}

describe("records from the EMR", () => {
  it("a physician at their second location sees the record, merged with local lab results, audited with that location", async () => {
    const res = await physician.inject({
      url: `/api/v1/patients/${patientId}/records?locationId=${net.satellite.id}`,
    });
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json() as Records;
    expect(r).toMatchObject({ patientId, viewedFrom: net.satellite.id, source: "simulator" });
    // the simulator holds Rounds' patient, found by MRN: the same person
    const patient = (await net.admin.inject({ url: `/api/v1/patients/${patientId}` })).json() as {
      givenName: string;
      familyName: string;
      birthDate: string;
    };
    expect(r.demographics).toMatchObject({
      name: `${patient.givenName} ${patient.familyName}`,
      birthDate: patient.birthDate,
      mismatches: [],
    });
    expect(r.problems.length).toBeGreaterThan(0);
    expect(r.medications.length).toBeGreaterThan(0);
    expect(r.encounters.length).toBeGreaterThan(0);
    expect(r.labResults[0]).toMatchObject({ id: "oru-1", source: "local" });
    expect(r.labResults.filter((l) => l.source === "emr").length).toBeGreaterThan(0);
    const views = await eventsOf(physician, "patient.records.view");
    expect(views).toHaveLength(1);
    expect(views[0]).toMatchObject({ outcome: "success", locationId: net.satellite.id });
    expect(views[0]!.detail).toMatchObject({ access: "care", source: "simulator" });
  });

  it("a change in Rounds that the EMR has not made shows as a mismatch", async () => {
    const changed = await net.admin.inject({
      method: "PATCH",
      url: `/api/v1/patients/${patientId}`,
      payload: { birthDate: "1960-01-02" },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    const res = await physician.inject({ url: `/api/v1/patients/${patientId}/records` });
    expect(res.statusCode, res.body).toBe(200);
    expect((res.json() as Records).demographics?.mismatches).toEqual([
      expect.objectContaining({ field: "birthDate", rounds: "1960-01-02" }),
    ]);
  });

  it("refuses a location that is not the physician's, naming the field", async () => {
    const elsewhere = await createLocation(rounds);
    const res = await physician.inject({
      url: `/api/v1/patients/${patientId}/records?locationId=${elsewhere.id}`,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([
      { field: "query.locationId", message: "is not one of your locations" },
    ]);
  });

  it("a physician the patient is not booked with gets 404 and the refusal is audited", async () => {
    const res = await otherPhysician.inject({
      url: `/api/v1/patients/${patientId}/records?locationId=${net.satellite.id}`,
    });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: "not_found", errors: [{ field: "params.id" }] });
    expect(res.body).not.toContain("labResults");
    expect(await eventsOf(otherPhysician, "patient.records.view")).toHaveLength(0);
    const refused = await eventsOf(otherPhysician, "access.refused");
    expect(refused).toHaveLength(1);
    expect(refused[0]!.detail).toMatchObject({ attempted: "read_records", field: "params.id" });
  });

  it("front-desk staff do not read clinical records", async () => {
    const desk = await clientFor(rounds, "location_staff", { locationIds: [net.satellite.id] });
    const res = await desk.inject({ url: `/api/v1/patients/${patientId}/records` });
    expect(res.statusCode).toBe(403);
    expect(res.body).not.toContain("labResults");
  });

  it("an EMR that does not answer is a 503 problem, and the failed view is audited", async () => {
    const down = await startRounds({
      ROUNDS_EMR_FHIR_URL: "http://127.0.0.1:9/fhir/R4",
      ROUNDS_EMR_TIMEOUT_MS: "2000",
    });
    try {
      const res = await down.app.inject({
        url: `/api/v1/patients/${patientId}/records`,
        headers: physician.user.headers,
      });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ code: "emr_unavailable" });
      const failed = (await eventsOf(physician, "patient.records.view")).filter(
        (e) => e.outcome === "failure",
      );
      expect(failed).toHaveLength(1);
      expect(failed[0]!.detail).toMatchObject({ error: "emr_unavailable" });
    } finally {
      await down.close();
    }
  });
});
