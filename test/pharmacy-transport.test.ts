/**
 * Pharmacy and transport over real HTTP to the built-in simulators: a physician's prescription
 * reaches the patient's pharmacy as a valid MedicationRequest and its status comes back to "ready
 * for pickup"; a patient who needs transport gets a ride (a valid ServiceRequest and Task) picked
 * up travel time plus margin before the start, moved and cancelled with the appointment; a
 * partner that fails leaves the visit and the booking intact and is retried; staff stop at their
 * location's door. The background passes are run by the test (no worker in this process).
 */
import type { Bundle, MedicationRequest, ServiceRequest, Task } from "@medplum/fhirtypes";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Rounds } from "../src/server.js";
import { estimateTravelMinutes } from "../src/services/locations/index.js";
import { type Client, clientFor } from "./support/auth.js";
import { validateFhir } from "./support/fhir.js";
import { buildClinicNetwork, type ClinicNetwork, createPatient, optionsOn } from "./support/network.js";
import { startRounds } from "./support/rounds.js";

let rounds: Rounds;
let net: ClinicNetwork;
let admin: Client;
let physician: Client;
let mainStaff: Client;
let satelliteStaff: Client;
let used = 0;

interface Prescription {
  id: string;
  status: string;
  lastError: string | null;
  pharmacy: { id: string; name: string };
}
interface Ride {
  id: string;
  appointmentId: string;
  status: string;
  pickupAt: string;
  travelMinutes: number;
  lastError: string | null;
}

beforeAll(async () => {
  rounds = await startRounds({
    ROUNDS_NOTIFICATIONS_WORKER: "false",
    ROUNDS_PHARMACY_POLL_SECONDS: "0",
    ROUNDS_TRANSPORT_POLL_SECONDS: "0",
    ROUNDS_PHARMACY_TIMEOUT_MS: "1500",
    ROUNDS_TRANSPORT_TIMEOUT_MS: "1500",
  });
  net = await buildClinicNetwork(rounds);
  admin = net.admin;
  physician = await clientFor(rounds, "physician", { physicianId: net.physicianId });
  mainStaff = await clientFor(rounds, "location_staff", { locationIds: [net.main.id] });
  satelliteStaff = await clientFor(rounds, "location_staff", { locationIds: [net.satellite.id] });
});
afterAll(async () => {
  await rounds?.close();
});

/** A new patient with their own sign-in, booked at main campus (morning) on a day of their own. */
async function bookedPatient(
  where: "main" | "satellite" = "main",
  dayOffset = used++ % 5,
  patientId?: string,
) {
  const id = patientId ?? (await createPatient(admin));
  const options = (await optionsOn(net, admin, dayOffset)).filter((o) => o.locationId === net[where].id);
  const option = options[Math.floor(Math.random() * Math.min(4, options.length))]!;
  const res = await admin.inject({
    method: "POST",
    url: "/api/v1/appointments",
    payload: { optionId: option.id, patientId: id },
  });
  expect(res.statusCode, res.body).toBe(201);
  const appt = res.json() as { id: string; start: string; end: string };
  const patient = patientId ? admin : await clientFor(rounds, "patient", { patientId: id });
  return { patientId: id, appt, patient, dayOffset };
}

/**
 * Time passes: every back-off has run out. A second back, not `now()`: the database's clock counts
 * microseconds, the sender's milliseconds, so a pass in the same millisecond would find it not yet due.
 */
const fastForward = async () => {
  await sql`UPDATE prescriptions SET next_attempt_at = now() - interval '1 second' WHERE pending IS NOT NULL`.execute(
    rounds.database.db,
  );
  await sql`UPDATE rides SET next_attempt_at = now() - interval '1 second' WHERE pending IS NOT NULL`.execute(
    rounds.database.db,
  );
};

async function prescriptionsOf(client: Client, patientId: string): Promise<Prescription[]> {
  const res = await client.inject({ url: `/api/v1/patients/${patientId}/prescriptions` });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as Prescription[];
}
async function ridesOf(client: Client, patientId: string): Promise<Ride[]> {
  const res = await client.inject({ url: `/api/v1/patients/${patientId}/rides` });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { rides: Ride[] }).rides;
}
const prescribe = (appointmentId: string, client = physician) =>
  client.inject({
    method: "POST",
    url: `/api/v1/appointments/${appointmentId}/prescriptions`,
    payload: {
      medicationCode: "314076",
      dose: "One tablet by mouth daily",
      quantity: 30,
      refills: 2,
      notes: "Check blood pressure in 2 weeks",
    },
  });

describe("prescriptions to the pharmacy network", () => {
  it("the physician prescribes; the patient's pharmacy gets a valid MedicationRequest and the patient sees it ready for pickup", async () => {
    const { patientId, appt, patient } = await bookedPatient();
    // no pharmacy chosen yet: the physician is told, nothing is stored
    expect((await prescribe(appt.id)).json()).toMatchObject({ status: 409, code: "no_pharmacy" });
    const list = await patient.inject({ url: "/api/v1/pharmacies" });
    expect(list.statusCode, list.body).toBe(200);
    expect((list.json() as Array<{ id: string }>).map((p) => p.id)).toContain("ph-central");
    const chosen = await patient.inject({
      method: "PUT",
      url: `/api/v1/patients/${patientId}/pharmacies/${net.main.id}`,
      payload: { pharmacyId: "ph-central" },
    });
    expect(chosen.statusCode, chosen.body).toBe(200);
    const made = await prescribe(appt.id);
    expect(made.statusCode, made.body).toBe(201);
    expect(made.json()).toMatchObject({
      status: "not_sent",
      pharmacy: { id: "ph-central", name: "Central Apothecary" },
    });

    await rounds.pharmacy.loop.runOnce();
    const sent = rounds.pharmacy.simulator!.received.filter(
      (r): r is MedicationRequest => r.resourceType === "MedicationRequest",
    );
    const mr = sent.find((r) => r.identifier?.[0]?.value === (made.json() as Prescription).id)!;
    validateFhir(mr);
    expect(mr).toMatchObject({
      status: "active",
      intent: "order",
      medicationCodeableConcept: {
        coding: [{ system: "http://www.nlm.nih.gov/research/umls/rxnorm", code: "314076" }],
      },
      dispenseRequest: {
        numberOfRepeatsAllowed: 2,
        quantity: { value: 30 },
        performer: { reference: "Organization/ph-central" },
      },
    });
    expect(mr.requester?.identifier?.system).toBe("http://hl7.org/fhir/sid/us-npi");
    expect((await prescriptionsOf(physician, patientId))[0]?.status).toBe("accepted");

    rounds.pharmacy.simulator!.advance();
    await rounds.pharmacy.loop.runOnce();
    expect((await prescriptionsOf(patient, patientId))[0]?.status).toBe("filled");
    rounds.pharmacy.simulator!.advance();
    await rounds.pharmacy.loop.runOnce();
    expect((await prescriptionsOf(patient, patientId))[0]).toMatchObject({
      status: "ready",
      pharmacy: { name: "Central Apothecary" },
    });
  });

  it("a pharmacy network that fails (500, no answer in time, not FHIR) never fails the prescribing; the prescription is sent once, when it answers", async () => {
    const { patientId, appt } = await bookedPatient();
    await admin.inject({
      method: "PUT",
      url: `/api/v1/patients/${patientId}/pharmacies/${net.main.id}`,
      payload: { pharmacyId: "ph-harbour" },
    });
    const sim = rounds.pharmacy.simulator!;
    sim.failNext("server_error", 1, "POST");
    sim.failNext("timeout", 1, "POST");
    sim.failNext("malformed", 1, "POST");
    const made = await prescribe(appt.id);
    expect(made.statusCode, made.body).toBe(201);
    const id = (made.json() as Prescription).id;
    for (const failure of ["server_error", "timeout", "malformed"]) {
      await rounds.pharmacy.loop.runOnce();
      const [p] = await prescriptionsOf(physician, patientId);
      expect(p).toMatchObject({ status: "not_sent" });
      expect(p?.lastError).toContain(failure);
      await fastForward();
    }
    await rounds.pharmacy.loop.runOnce();
    expect((await prescriptionsOf(physician, patientId))[0]).toMatchObject({
      status: "accepted",
      lastError: null,
    });
    expect(
      sim.received.filter(
        (r) =>
          r.resourceType === "MedicationRequest" && (r as MedicationRequest).identifier?.[0]?.value === id,
      ),
    ).toHaveLength(1);
  });

  it("only the visit's physician prescribes, and staff of another location cannot see the patient's pharmacies", async () => {
    const { patientId, appt } = await bookedPatient();
    expect((await prescribe(appt.id, mainStaff)).statusCode).toBe(403);
    const other = await clientFor(rounds, "physician", { physicianId: await createOtherPhysician() });
    expect((await prescribe(appt.id, other)).statusCode).toBe(404);
    expect(
      (await satelliteStaff.inject({ url: `/api/v1/patients/${patientId}/pharmacies` })).statusCode,
    ).toBe(404);
    expect((await mainStaff.inject({ url: `/api/v1/patients/${patientId}/pharmacies` })).statusCode).toBe(
      200,
    );
  });
});

async function createOtherPhysician(): Promise<string> {
  const res = await admin.inject({
    method: "POST",
    url: "/api/v1/physicians",
    payload: {
      npi: `8${String(Math.floor(Math.random() * 1e9)).padStart(9, "0")}`,
      givenName: "Other",
      familyName: "Doctor",
      primarySpecialty: net.specialty,
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  return (res.json() as { id: string }).id;
}

describe("rides with the transport service", () => {
  it("a patient who needs transport gets a ride from home, picked up travel time plus margin before the start; its status comes back", async () => {
    const { patientId, appt, patient } = await bookedPatient();
    const ask = () =>
      patient.inject({
        method: "POST",
        url: `/api/v1/appointments/${appt.id}/rides`,
        payload: { origin: "home" },
      });
    expect((await ask()).json()).toMatchObject({ status: 409, code: "transport_not_needed" });
    const need = await patient.inject({
      method: "PUT",
      url: `/api/v1/patients/${patientId}/transport-need`,
      payload: { needed: true },
    });
    expect(need.json()).toMatchObject({ needed: true, source: "patient" });
    const made = await ask();
    expect(made.statusCode, made.body).toBe(201);
    const ride = made.json() as Ride;
    const travel = estimateTravelMinutes(
      { kind: "home", latitude: 40.74, longitude: -73.98 },
      { kind: "main_campus", latitude: 40.75, longitude: -73.99 },
    )!;
    expect(ride).toMatchObject({ status: "not_sent", travelMinutes: travel });
    const lead = (Date.parse(appt.start) - Date.parse(ride.pickupAt)) / 60_000;
    expect(lead).toBeGreaterThanOrEqual(travel + 15);
    expect(lead).toBeLessThan(travel + 20);

    await rounds.transport.loop.runOnce();
    const sim = rounds.transport.simulator!;
    const bundle = sim.received.findLast((r): r is Bundle => r.resourceType === "Bundle")!;
    const sr = bundle.entry?.[0]?.resource as ServiceRequest;
    const task = bundle.entry?.[1]?.resource as Task;
    validateFhir(bundle);
    validateFhir(sr);
    validateFhir(task);
    expect(sr).toMatchObject({ status: "active", intent: "order", occurrenceDateTime: ride.pickupAt });
    expect(task).toMatchObject({
      status: "requested",
      intent: "order",
      focus: { reference: bundle.entry?.[0]?.fullUrl },
    });
    expect((await ridesOf(patient, patientId))[0]?.status).toBe("requested");
    sim.advance();
    await rounds.transport.loop.runOnce();
    expect((await ridesOf(mainStaff, patientId))[0]?.status).toBe("scheduled");

    // staff of main campus see it on the day's list; staff of the satellite do not reach it
    const day = ride.pickupAt.slice(0, 10);
    const atMain = await mainStaff.inject({ url: `/api/v1/locations/${net.main.id}/rides?date=${day}` });
    expect((atMain.json() as Ride[]).map((r) => r.id)).toContain(ride.id);
    expect(
      (await satelliteStaff.inject({ url: `/api/v1/locations/${net.main.id}/rides?date=${day}` })).statusCode,
    ).toBe(404);
    expect((await satelliteStaff.inject({ url: `/api/v1/patients/${patientId}/rides` })).statusCode).toBe(
      404,
    );
  });

  it("moving the appointment moves the ride, and cancelling it cancels the ride", async () => {
    const { patientId, appt } = await bookedPatient();
    await mainStaff.inject({
      method: "PUT",
      url: `/api/v1/patients/${patientId}/transport-need`,
      payload: { needed: true, note: "wheelchair" },
    });
    const made = await mainStaff.inject({
      method: "POST",
      url: `/api/v1/appointments/${appt.id}/rides`,
      payload: { origin: "home" },
    });
    expect(made.statusCode, made.body).toBe(201);
    await rounds.transport.loop.runOnce();
    const first = (await ridesOf(admin, patientId))[0]!;
    const later = (await optionsOn(net, admin, used++ % 5))
      .filter((o) => o.locationId === net.satellite.id)
      .at(-1)!;
    const moved = await admin.inject({
      method: "POST",
      url: `/api/v1/appointments/${appt.id}/reschedule`,
      payload: { optionId: later.id },
    });
    expect(moved.statusCode, moved.body).toBe(201);
    const newId = (moved.json() as { id: string }).id;
    await rounds.transport.loop.runOnce();
    const after = (await ridesOf(admin, patientId))[0]!;
    expect(after).toMatchObject({ id: first.id, appointmentId: newId, status: "requested" });
    expect(Date.parse(after.pickupAt)).toBeLessThan(Date.parse(later.start));
    expect(after.pickupAt).not.toBe(first.pickupAt);
    const held = [...rounds.transport.simulator!.rides.values()].find(
      (r) => r.serviceRequest.identifier?.[0]?.value === first.id,
    )!;
    expect(held.serviceRequest.occurrenceDateTime).toBe(after.pickupAt);
    validateFhir(held.serviceRequest);

    const cancelled = await admin.inject({
      method: "POST",
      url: `/api/v1/appointments/${newId}/cancel`,
      payload: { reason: "feeling better" },
    });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    await rounds.transport.loop.runOnce();
    expect((await ridesOf(admin, patientId))[0]?.status).toBe("cancelled");
    expect(held.task.status).toBe("cancelled");
    expect(held.serviceRequest.status).toBe("revoked");
  });

  it("a transport service that refuses leaves the booking intact; the ride is retried until it is taken", async () => {
    const { patientId, appt } = await bookedPatient();
    await admin.inject({
      method: "PUT",
      url: `/api/v1/patients/${patientId}/transport-need`,
      payload: { needed: true },
    });
    rounds.transport.simulator!.failNext("rejected", 1, "POST");
    const made = await admin.inject({
      method: "POST",
      url: `/api/v1/appointments/${appt.id}/rides`,
      payload: { origin: "home" },
    });
    expect(made.statusCode, made.body).toBe(201);
    await rounds.transport.loop.runOnce();
    expect((await ridesOf(admin, patientId))[0]).toMatchObject({
      status: "not_sent",
      lastError: expect.stringContaining("rejected"),
    });
    expect((await admin.inject({ url: `/api/v1/appointments/${appt.id}` })).json()).toMatchObject({
      status: "booked",
    });
    await fastForward();
    await rounds.transport.loop.runOnce();
    expect((await ridesOf(admin, patientId))[0]).toMatchObject({ status: "requested", lastError: null });
  });

  it("a ride between two network locations the same day leaves when the first visit ends", async () => {
    const morning = await bookedPatient("main");
    const afternoon = await bookedPatient("satellite", morning.dayOffset, morning.patientId);
    await admin.inject({
      method: "PUT",
      url: `/api/v1/patients/${morning.patientId}/transport-need`,
      payload: { needed: true },
    });
    expect(
      (
        await satelliteStaff.inject({
          method: "POST",
          url: `/api/v1/appointments/${morning.appt.id}/rides`,
          payload: { origin: "home" },
        })
      ).statusCode,
    ).toBe(404);
    const made = await morning.patient.inject({
      method: "POST",
      url: `/api/v1/appointments/${afternoon.appt.id}/rides`,
      payload: { origin: "location", fromAppointmentId: morning.appt.id },
    });
    expect(made.statusCode, made.body).toBe(201);
    const ride = made.json() as Ride & { fromLocationId: string };
    expect(ride).toMatchObject({ fromLocationId: net.main.id, travelMinutes: 30 });
    expect(Date.parse(ride.pickupAt)).toBeGreaterThanOrEqual(Date.parse(morning.appt.end));
    expect(Date.parse(ride.pickupAt)).toBeLessThan(Date.parse(afternoon.appt.start));
  });
});
