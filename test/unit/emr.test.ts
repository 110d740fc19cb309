/**
 * The built-in EMR simulator and the records view's mapping: every resource it serves is valid R4
 * (structure and required bindings), its content is a function of the patient id, and the view
 * flattens it (lab flags, newest first, local results merged).
 */
import type { Observation } from "@medplum/fhirtypes";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createEmrClient } from "../../src/integrations/emr/client.js";
import type { LabResult } from "../../src/integrations/emr/schema.js";
import { simulatedIdOf, simulatedRecord, startEmrSimulator } from "../../src/integrations/emr/simulator.js";
import { labOf, mismatchesOf, recordsView } from "../../src/integrations/emr/view.js";
import { validateFhir } from "../support/fhir.js";

const today = new Date("2026-12-04T12:00:00Z");

describe("the EMR simulator", () => {
  it("serves only valid R4 resources, the same ones for the same patient", () => {
    fc.assert(
      fc.property(fc.uuid(), (id) => {
        const record = simulatedRecord(id, today);
        for (const r of record) validateFhir(r);
        expect(simulatedRecord(id, today)).toEqual(record);
        const types = new Set(record.map((r) => r.resourceType));
        for (const t of ["Patient", "Condition", "MedicationRequest", "Encounter", "Observation"])
          expect(types).toContain(t);
      }),
      { numRuns: 15 },
    );
  });

  it("answers over HTTP only with its token, finds Rounds' patient by MRN, and the client reads a whole record by the EMR's id", async () => {
    const person = {
      mrn: "AB-1234",
      givenName: "Ngozi",
      familyName: "Okafor",
      birthDate: "1975-03-12",
      sex: "female" as const,
    };
    const sim = await startEmrSimulator({
      now: () => today,
      patientByMrn: async (mrn) => (mrn === person.mrn ? person : undefined),
    });
    const client = createEmrClient({ baseUrl: sim.url, token: sim.token, timeoutMs: 5000 });
    const ref = { id: "0b6a3c1e-4f7d-4d8a-9c2e-1f2a3b4c5d6e", mrn: person.mrn };
    try {
      const denied = await fetch(`${sim.url}/Patient?identifier=urn:rounds:mrn|${person.mrn}`);
      expect(denied.status).toBe(401);
      const record = await client.read(ref);
      const emrId = simulatedIdOf(person.mrn);
      expect(record.patient).toMatchObject({
        id: emrId,
        name: [{ family: "Okafor", given: ["Ngozi"] }],
        birthDate: "1975-03-12",
        gender: "female",
      });
      expect(record.patient?.identifier).toContainEqual(
        expect.objectContaining({ system: "urn:rounds:mrn", value: person.mrn }),
      );
      validateFhir(record.patient!);
      expect(record.labs.length).toBeGreaterThan(0);
      expect(record.labs.every((o) => o.category?.[0]?.coding?.[0]?.code === "laboratory")).toBe(true);
      expect(record.conditions.every((c) => c.subject.reference === `Patient/${emrId}`)).toBe(true);
      const served = simulatedRecord(emrId, today);
      expect(record.encounters.length).toBe(served.filter((r) => r.resourceType === "Encounter").length);
      // an MRN the EMR does not know: no record, not an error
      expect(await client.read({ ...ref, mrn: "ZZ-0000" })).toMatchObject({ patient: undefined, labs: [] });
      // a wrong token: the EMR's refusal is a 502 problem, not a crash
      await expect(
        createEmrClient({ baseUrl: sim.url, token: "wrong", timeoutMs: 5000 }).read(ref),
      ).rejects.toMatchObject({ status: 502, code: "emr_error" });
    } finally {
      await sim.close();
    }
    // stopped: unavailable
    await expect(
      createEmrClient({ baseUrl: sim.url, token: sim.token, timeoutMs: 2000 }).read(ref),
    ).rejects.toMatchObject({ status: 503, code: "emr_unavailable" });
  });
});

describe("the records view", () => {
  const lab = (over: Partial<Observation>): Observation => ({
    resourceType: "Observation",
    id: "o",
    status: "final",
    code: { coding: [{ system: "http://loinc.org", code: "2345-7", display: "Glucose" }] },
    valueQuantity: { value: 140, unit: "mg/dL" },
    referenceRange: [{ low: { value: 70 }, high: { value: 99, unit: "mg/dL" } }],
    interpretation: [{ coding: [{ code: "H" }] }],
    effectiveDateTime: "2026-11-01T09:30:00Z",
    ...over,
  });

  it("reads value, range and flag of a lab result", () => {
    expect(labOf(lab({}))).toMatchObject({
      code: "2345-7",
      name: "Glucose",
      value: "140 mg/dL",
      referenceRange: "70–99 mg/dL",
      flag: "high",
      source: "emr",
    });
    expect(
      labOf(lab({ interpretation: undefined, valueQuantity: undefined, valueString: "negative" })),
    ).toMatchObject({
      value: "negative",
      flag: null,
    });
  });

  it("merges local lab results with the EMR's, newest first", () => {
    const local: LabResult = {
      ...labOf(lab({ id: "local-1", effectiveDateTime: "2026-12-01T08:00:00Z" })),
      source: "local",
    };
    const view = recordsView(
      {
        patient: undefined,
        conditions: [],
        allergies: [],
        medications: [],
        encounters: [],
        labs: [
          lab({ id: "a", effectiveDateTime: "2026-10-01" }),
          lab({ id: "b", effectiveDateTime: "2026-11-15" }),
        ],
      },
      [local],
    );
    expect(view.demographics).toBeNull();
    expect(view.labResults.map((l) => [l.id, l.source])).toEqual([
      ["local-1", "local"],
      ["b", "emr"],
      ["a", "emr"],
    ]);
  });

  it("shows where the EMR's demographics differ from Rounds' record", () => {
    const rounds = { givenName: "Ngozi", familyName: "Okafor", birthDate: "1975-03-12", sex: "female" };
    const emr = {
      resourceType: "Patient" as const,
      name: [{ family: "OKAFOR", given: ["Ngozi"] }],
      birthDate: "1975-03-12",
      gender: "female" as const,
    };
    expect(mismatchesOf(emr, rounds)).toEqual([]);
    expect(
      mismatchesOf({ ...emr, name: [{ family: "Okafor-Bello", given: ["Ngozi"] }], gender: "male" }, rounds),
    ).toEqual([
      { field: "name", rounds: "Ngozi Okafor", emr: "Ngozi Okafor-Bello" },
      { field: "sex", rounds: "female", emr: "male" },
    ]);
  });
});
