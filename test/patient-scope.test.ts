/**
 * The patient scope of location staff on every path, not only the record URL: the findings of the
 * trust review, each a way staff learned about patients outside their location.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { policy, rolesFor } from "../src/platform/policy.js";
import type { Rounds } from "../src/server.js";
import { type Client, clientFor } from "./support/auth.js";
import { buildClinicNetwork, type ClinicNetwork, createPatient, optionsOn } from "./support/network.js";
import { startRounds, unique } from "./support/rounds.js";

let rounds: Rounds;
let net: ClinicNetwork;
/** Front desk of the main campus (A); the network's physician also works at the satellite (B). */
let staffA: Client;
let staffB: Client;

beforeAll(async () => {
  rounds = await startRounds();
  net = await buildClinicNetwork(rounds);
  staffA = await clientFor(rounds, "location_staff", { locationIds: [net.main.id] });
  staffB = await clientFor(rounds, "location_staff", { locationIds: [net.satellite.id] });
});
afterAll(() => rounds.close());

const home = {
  line: "1 Quiet Lane",
  city: "Elmsford",
  region: "NY",
  postalCode: "10523",
  latitude: 41.05,
  longitude: -73.82,
};

/** A patient with a home address and a past visit with the network's physician at satellite B. */
async function patientSeenAtB(): Promise<string> {
  const id = await createPatient(net.admin, { address: home });
  const option = (await optionsOn(net, net.admin, 1)).find((o) => o.locationId === net.satellite.id)!;
  const res = await net.admin.inject({
    method: "POST",
    url: "/api/v1/appointments",
    payload: { optionId: option.id, patientId: id },
  });
  expect(res.statusCode).toBe(201);
  return id;
}

async function refusalsOf(client: Client, patientId: string) {
  const res = await net.admin.inject({
    url: `/api/v1/audit-events?patientId=${patientId}&limit=100`,
  });
  expect(res.statusCode).toBe(200);
  const events = (
    res.json() as {
      items: Array<{ action: string; userId: string; outcome: string; detail: Record<string, unknown> }>;
    }
  ).items;
  return events.filter((e) => e.action === "access.refused" && e.userId === client.user.userId);
}

describe("patient scope on every path", () => {
  it("staff searching availability for a patient of another location learn nothing of their follow-ups or home", async () => {
    const patient = await patientSeenAtB();
    const url = `/api/v1/availability?appointmentTypeId=${net.appointmentTypeId}&physicianId=${net.physicianId}&from=${encodeURIComponent(net.at("00:00", 2))}&to=${encodeURIComponent(net.at("23:59", 2))}&patientId=${patient}`;
    const refused = await staffA.inject({ url });
    expect(refused.statusCode).toBe(404);
    expect(refused.json().errors[0].field).toBe("query.patientId");
    expect(refused.body).not.toContain("distanceKm");
    // the satellite's front desk, where the patient was seen, searches for them as before
    const allowed = await staffB.inject({ url });
    expect(allowed.statusCode).toBe(200);
    expect(
      (allowed.json() as { options: Array<{ distanceKm: number | null }> }).options[0]?.distanceKm,
    ).not.toBeNull();
  });

  it("a family listing shows staff only the relatives within their scope, without MRN or birth date of others", async () => {
    const guardian = await patientSeenAtB();
    const hiddenRelative = await createPatient(net.admin);
    const hiddenMrn = (
      (await net.admin.inject({ url: `/api/v1/patients/${hiddenRelative}` })).json() as { mrn: string }
    ).mrn;
    const link = await net.admin.inject({
      method: "POST",
      url: `/api/v1/patients/${guardian}/dependents`,
      payload: { dependentId: hiddenRelative, relationship: "parent" },
    });
    expect(link.statusCode).toBe(201);
    const family = await staffB.inject({ url: `/api/v1/patients/${guardian}/family` });
    expect(family.statusCode).toBe(200);
    expect(family.body).not.toContain(hiddenRelative);
    expect(family.body).not.toContain(hiddenMrn);
    // administrators still see the whole family
    expect((await net.admin.inject({ url: `/api/v1/patients/${guardian}/family` })).body).toContain(
      hiddenMrn,
    );
  });

  it("staff cannot link a patient outside their scope as a dependent, and nothing is written", async () => {
    const guardian = await patientSeenAtB();
    const stranger = await createPatient(net.admin);
    const res = await staffB.inject({
      method: "POST",
      url: `/api/v1/patients/${guardian}/dependents`,
      payload: { dependentId: stranger, relationship: "caregiver" },
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().errors[0].field).toBe("body.dependentId");
    const family = (await net.admin.inject({ url: `/api/v1/patients/${guardian}/family` })).json() as {
      dependents: Array<{ patientId: string }>;
    };
    expect(family.dependents.map((d) => d.patientId)).not.toContain(stranger);
  });

  it("a booking its author cancels a minute later does not open the record to the location's staff", async () => {
    const stranger = await createPatient(net.admin);
    const option = (await optionsOn(net, net.admin, 3)).find((o) => o.locationId === net.main.id)!;
    const booked = await net.admin.inject({
      method: "POST",
      url: "/api/v1/appointments",
      payload: { optionId: option.id, patientId: stranger },
    });
    expect(booked.statusCode).toBe(201);
    // while it stands, A's front desk has the patient in its scope
    expect((await staffA.inject({ url: `/api/v1/patients/${stranger}` })).statusCode).toBe(200);
    const cancel = await net.admin.inject({
      method: "POST",
      url: `/api/v1/appointments/${booked.json().id}/cancel`,
      payload: { reason: "booked in error" },
    });
    expect(cancel.statusCode).toBe(200);
    expect((await staffA.inject({ url: `/api/v1/patients/${stranger}` })).statusCode).toBe(404);
  });

  it("an appointment the patient cancels themselves keeps the record within reach of that location's staff", async () => {
    const patientId = await createPatient(net.admin);
    const patient = await clientFor(rounds, "patient", { patientId });
    const option = (await optionsOn(net, patient, 4)).find((o) => o.locationId === net.main.id)!;
    const booked = await net.admin.inject({
      method: "POST",
      url: "/api/v1/appointments",
      payload: { optionId: option.id, patientId },
    });
    expect(booked.statusCode).toBe(201);
    const cancel = await patient.inject({
      method: "POST",
      url: `/api/v1/appointments/${booked.json().id}/cancel`,
      payload: { reason: "feeling better" },
    });
    expect(cancel.statusCode).toBe(200);
    expect((await staffA.inject({ url: `/api/v1/patients/${patientId}` })).statusCode).toBe(200);
  });

  it("staff cannot book or hold a patient outside their scope, at their own location or any other", async () => {
    const stranger = await createPatient(net.admin);
    const [atA, atB] = [net.main.id, net.satellite.id].map(
      (loc) => async () => (await optionsOn(net, net.admin, 2)).find((o) => o.locationId === loc)!.id,
    );
    for (const optionId of [await atA!(), await atB!()]) {
      for (const url of ["/api/v1/appointments", "/api/v1/holds"]) {
        const res = await staffA.inject({ method: "POST", url, payload: { optionId, patientId: stranger } });
        expect(res.statusCode, `${url} ${res.body}`).toBe(404);
        expect(res.json().errors[0].field).toBe("body.patientId");
      }
    }
    const list = (await net.admin.inject({ url: `/api/v1/appointments?patientId=${stranger}` })).json() as {
      total: number;
    };
    expect(list.total).toBe(0);
  });

  it("a walk-in whose MRN and birth date the front desk verified can then be booked there", async () => {
    const mrn = `W-${unique(10)}`;
    const walkIn = await createPatient(net.admin, { mrn, birthDate: "1977-07-07" });
    expect((await staffA.inject({ url: `/api/v1/patients/${walkIn}` })).statusCode).toBe(404);
    const found = await staffA.inject({ url: `/api/v1/patients?mrn=${mrn}&birthDate=1977-07-07` });
    expect((found.json() as { items: Array<{ id: string }> }).items.map((p) => p.id)).toEqual([walkIn]);
    const option = (await optionsOn(net, staffA, 0)).find((o) => o.locationId === net.main.id)!;
    const booked = await staffA.inject({
      method: "POST",
      url: "/api/v1/appointments",
      payload: { optionId: option.id, patientId: walkIn },
    });
    expect(booked.statusCode, booked.body).toBe(201);
    // the satellite's desk did not verify them and still cannot open the record
    expect((await staffB.inject({ url: `/api/v1/patients/${walkIn}` })).statusCode).toBe(404);
  });

  it("every refusal is itself in the audit trail, naming who tried, what and through which field", async () => {
    const patient = await patientSeenAtB();
    await staffA.inject({ url: `/api/v1/patients/${patient}` });
    await staffA.inject({ url: `/api/v1/appointments?patientId=${patient}` });
    await staffA.inject({ url: `/api/v1/patients/${patient.toUpperCase()}/family` });
    const refusals = await refusalsOf(staffA, patient);
    expect(refusals.map((r) => r.outcome)).toEqual(["denied", "denied", "denied"]);
    expect(refusals.map((r) => r.detail.field).sort()).toEqual(["params.id", "params.id", "query.patientId"]);
  });

  it("a room or a message behind another door is refused as that room or message, and the refusal audited", async () => {
    const roomB = net.satellite.roomIds[0]!;
    const room = await staffA.inject({ url: `/api/v1/rooms/${roomB}` });
    expect(room.statusCode).toBe(404);
    expect(room.json()).toMatchObject({
      detail: "room not found",
      errors: [{ field: "params.id", message: "no such room" }],
    });
    const trail = await net.admin.inject({
      url: `/api/v1/audit-events?userId=${staffA.user.userId}&limit=200`,
    });
    const refused = (
      trail.json() as { items: Array<{ action: string; detail: { route?: string } }> }
    ).items.filter((e) => e.action === "access.refused" && e.detail.route === "/api/v1/rooms/:id");
    expect(refused).toHaveLength(1);
  });

  it("the policy table names, for every patient action, who may do it and why", () => {
    for (const rule of policy) expect(rule.says.length).toBeGreaterThan(10);
    expect(rolesFor("patient", "read").sort()).toEqual(["admin", "location_staff", "patient", "physician"]);
    expect(rolesFor("patient", "link_family").sort()).toEqual(["admin", "location_staff"]);
    expect(rolesFor("patient", "read_access_log").sort()).toEqual(["admin", "compliance", "patient"]);
  });
});
