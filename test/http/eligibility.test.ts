/**
 * Insurance eligibility over real HTTP: each booking's X12 270 goes to the built-in payer
 * simulator on its loopback port, which answers real 271s (active, inactive, member not found),
 * nothing (timeout) or a broken document; every case leaves the booking as it was. A check that
 * could not be made is retried and then verified; staff check on demand at their own location
 * only; coverage is the patient's to edit, and a bad member id is refused naming the field.
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Rounds } from "../../src/server.js";
import { type Client, clientFor } from "../support/auth.js";
import { buildClinicNetwork, type ClinicNetwork, createPatient, optionsOn } from "../support/network.js";
import { startRounds, unique } from "../support/rounds.js";

let rounds: Rounds;
let net: ClinicNetwork;
let admin: Client;
let staffMain: Client;
let staffSatellite: Client;
let day = 0;

interface EligibilityDto {
  status: string;
  reason: string | null;
  serviceType: string | null;
  copayCents: number | null;
  deductibleCents: number | null;
  nextAttemptAt: string | null;
  attempts: number;
  planName: string | null;
}

beforeAll(async () => {
  // the worker is driven round by round here; the payer is the built-in simulator
  rounds = await startRounds({ ROUNDS_NOTIFICATIONS_WORKER: "false", ROUNDS_PAYER_TIMEOUT_MS: "1500" });
  await rounds.eligibility.worker.queueEvents(); // starts the cursor at now
  net = await buildClinicNetwork(rounds);
  admin = net.admin;
  staffMain = await clientFor(rounds, "location_staff", { locationIds: [net.main.id] });
  staffSatellite = await clientFor(rounds, "location_staff", { locationIds: [net.satellite.id] });
});

afterAll(async () => {
  await rounds?.close();
});

const coverage = (memberNumber: string) => ({
  payerCode: "SIMHLTH",
  payerName: "Simulated Health",
  memberNumber,
  groupNumber: "G-100",
});

/** A new patient with this member id on file, booked at the main campus. */
async function booked(memberNumber: string): Promise<{ patientId: string; appointmentId: string }> {
  const patientId = await createPatient(admin);
  const put = await admin.inject({
    method: "PUT",
    url: `/api/v1/patients/${patientId}/coverage`,
    payload: coverage(memberNumber),
  });
  expect(put.statusCode, put.body).toBe(200);
  const option = (await optionsOn(net, admin, day++ % 5)).find((o) => o.locationId === net.main.id)!;
  const res = await admin.inject({
    method: "POST",
    url: "/api/v1/appointments",
    payload: { optionId: option.id, patientId },
  });
  expect(res.statusCode, res.body).toBe(201);
  return { patientId, appointmentId: (res.json() as { id: string }).id };
}

async function eligibilityOf(appointmentId: string, client: Client = admin): Promise<EligibilityDto> {
  const res = await client.inject({ url: `/api/v1/appointments/${appointmentId}/eligibility` });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as EligibilityDto;
}

async function appointmentStatus(id: string): Promise<string> {
  const res = await admin.inject({ url: `/api/v1/appointments/${id}` });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { status: string }).status;
}

describe("coverage on record", () => {
  it("a patient records their own coverage, and a bad member id is refused naming the field", async () => {
    const patientId = await createPatient(admin);
    const patient = await clientFor(rounds, "patient", { patientId });
    const url = `/api/v1/patients/${patientId}/coverage`;
    const bad = await patient.inject({ method: "PUT", url, payload: coverage("AB*12~") });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ errors: [{ field: "body.memberNumber" }] });
    expect((await patient.inject({ url })).json()).toEqual({ coverage: null });

    const put = await patient.inject({
      method: "PUT",
      url,
      payload: { ...coverage("W123456789"), planName: "Gold PPO" },
    });
    expect(put.statusCode, put.body).toBe(200);
    expect((await patient.inject({ url })).json()).toMatchObject({
      coverage: {
        payerCode: "SIMHLTH",
        memberNumber: "W123456789",
        groupNumber: "G-100",
        planName: "Gold PPO",
      },
    });
    // staff who do not reach the patient see no such patient
    expect((await staffSatellite.inject({ url })).statusCode).toBe(404);
    expect((await staffSatellite.inject({ method: "PUT", url, payload: coverage("W1") })).statusCode).toBe(
      404,
    );
  });
});

describe("checks at booking, against the payer simulator over HTTP", () => {
  it("each answer is stored with its booking, and none of them undoes the booking", async () => {
    const cases = {
      active: await booked(`ACT-${unique()}`),
      inactive: await booked(`INACTIVE-${unique()}`),
      notFound: await booked(`NOTFOUND-${unique()}`),
      timeout: await booked(`TIMEOUT-${unique()}`),
      malformed: await booked(`MALFORMED-${unique()}`),
    };
    // booked before the payer was asked: the booking never waits on it
    expect((await eligibilityOf(cases.active.appointmentId)).status).toBe("pending");

    await rounds.eligibility.worker.round();

    const active = await eligibilityOf(cases.active.appointmentId);
    expect(active).toMatchObject({ status: "verified_active", serviceType: "98", reason: null });
    expect(active.copayCents).toBeGreaterThan(0);
    expect(active.deductibleCents).toBeGreaterThan(0);
    expect(await eligibilityOf(cases.inactive.appointmentId)).toMatchObject({
      status: "inactive",
      copayCents: null,
    });
    expect(await eligibilityOf(cases.notFound.appointmentId)).toMatchObject({
      status: "not_found",
      nextAttemptAt: null,
    });
    const timeout = await eligibilityOf(cases.timeout.appointmentId);
    expect(timeout).toMatchObject({
      status: "not_verified",
      reason: "the payer did not answer within 1500 ms",
    });
    expect(timeout.nextAttemptAt).not.toBeNull();
    const malformed = await eligibilityOf(cases.malformed.appointmentId);
    expect(malformed.status).toBe("not_verified");
    expect(malformed.reason).toMatch(/incomplete|not valid X12/);
    for (const c of Object.values(cases)) expect(await appointmentStatus(c.appointmentId)).toBe("booked");

    // the patient sees the answer on their appointment, and the copay before booking again
    const patient = await clientFor(rounds, "patient", { patientId: cases.active.patientId });
    expect(await eligibilityOf(cases.active.appointmentId, patient)).toMatchObject({
      status: "verified_active",
      copayCents: active.copayCents,
    });
    const copay = await patient.inject({
      url: `/api/v1/patients/${cases.active.patientId}/insurer-copay?appointmentTypeId=${net.appointmentTypeId}`,
    });
    expect(copay.json()).toMatchObject({ copay: { copayCents: active.copayCents, serviceType: "98" } });

    const audited = await sql<{ n: number | string }>`
      SELECT count(*) AS n FROM audit_events
      WHERE action = 'appointment.eligibility.checked'
        AND resource_id IN (${sql.join(Object.values(cases).map((c) => c.appointmentId))})`.execute(
      rounds.database.db,
    );
    expect(Number(audited.rows[0]?.n)).toBe(5);
  });

  it("a check the payer could not answer is retried with back-off and then verified", async () => {
    const { appointmentId } = await booked(`FLAKY-${unique()}`);
    await rounds.eligibility.worker.round();
    const first = await eligibilityOf(appointmentId);
    expect(first).toMatchObject({
      status: "not_verified",
      reason: "the payer answered HTTP 503",
      attempts: 1,
    });
    // not due yet: nothing happens
    await rounds.eligibility.worker.round();
    expect((await eligibilityOf(appointmentId)).attempts).toBe(1);

    await rounds.eligibility.worker.round(new Date(Date.parse(first.nextAttemptAt!) + 1000));
    expect(await eligibilityOf(appointmentId)).toMatchObject({
      status: "verified_active",
      attempts: 2,
      nextAttemptAt: null,
    });
    expect(await appointmentStatus(appointmentId)).toBe("booked");
  });
});

describe("staff check on demand", () => {
  it("staff of the appointment's location check now; staff of another location cannot check or read", async () => {
    const { patientId, appointmentId } = await booked(`INACTIVE-${unique()}`);
    const url = `/api/v1/appointments/${appointmentId}/eligibility-checks`;
    expect((await staffSatellite.inject({ method: "POST", url })).statusCode).toBe(404);
    expect(
      (await staffSatellite.inject({ url: `/api/v1/appointments/${appointmentId}/eligibility` })).statusCode,
    ).toBe(404);
    const patient = await clientFor(rounds, "patient", { patientId });
    expect((await patient.inject({ method: "POST", url })).statusCode).toBe(403);

    const first = await staffMain.inject({ method: "POST", url });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({ status: "inactive" });
    // the front desk corrects the member id; the appointment is checked again
    const put = await staffMain.inject({
      method: "PUT",
      url: `/api/v1/patients/${patientId}/coverage`,
      payload: coverage(`ACT-${unique()}`),
    });
    expect(put.statusCode, put.body).toBe(200);
    expect((await eligibilityOf(appointmentId, staffMain)).status).toBe("pending");
    const again = await staffMain.inject({ method: "POST", url });
    expect(again.json()).toMatchObject({ status: "verified_active" });
  });
});
