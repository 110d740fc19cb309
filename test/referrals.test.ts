/**
 * Referrals across locations: the front desk of the main campus refers a patient of theirs to the
 * satellite; the satellite's staff see it in their queue, reach the patient through it while it is
 * open, accept it and book it through the normal search and booking path; the referrer follows
 * its state; the patient can book their own from the link.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Rounds } from "../src/server.js";
import { type Client, clientFor } from "./support/auth.js";
import { createLocation } from "./support/fixtures.js";
import { buildClinicNetwork, type ClinicNetwork, createPatient, type OptionDto } from "./support/network.js";
import { startRounds, unique } from "./support/rounds.js";

let rounds: Rounds;
let net: ClinicNetwork;
let mainDesk: Client;
let satelliteDesk: Client;
let elsewhereDesk: Client;
let dayOffset = 0;

interface Referral {
  id: string;
  patientId: string;
  patientName: string;
  status: string;
  appointmentId: string | null;
  toLocationId: string;
  fromLocationId: string | null;
  bookingPath: string;
  attachments: string[];
  urgency: string;
}
const fieldsOf = (body: string) =>
  (JSON.parse(body) as { errors: Array<{ field: string }> }).errors.map((e) => e.field);

beforeAll(async () => {
  rounds = await startRounds();
  net = await buildClinicNetwork(rounds);
  mainDesk = await clientFor(rounds, "location_staff", { locationIds: [net.main.id] });
  satelliteDesk = await clientFor(rounds, "location_staff", { locationIds: [net.satellite.id] });
  const elsewhere = await createLocation(rounds);
  elsewhereDesk = await clientFor(rounds, "location_staff", { locationIds: [elsewhere.id] });
}, 120_000);
afterAll(() => rounds.close());

/** A patient the main campus's desk registered (so within its scope, and nobody else's). */
async function mainPatient(): Promise<string> {
  const res = await mainDesk.inject({
    method: "POST",
    url: "/api/v1/patients",
    payload: {
      mrn: `R-${unique(10)}`,
      givenName: "Rhea",
      familyName: `Referred${unique(4)}`,
      birthDate: "1971-03-04",
      sex: "female",
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  return (res.json() as { id: string }).id;
}

async function refer(client: Client, patientId: string, extra: Record<string, unknown> = {}) {
  return client.inject({
    method: "POST",
    url: "/api/v1/referrals",
    payload: {
      patientId,
      specialty: net.specialty,
      toLocationId: net.satellite.id,
      reason: "Persistent palpitations; please assess",
      urgency: "soon",
      attachments: ["https://records.example.org/ecg/123", "DOC-2026-0042"],
      ...extra,
    },
  });
}
async function referred(patientId: string, extra: Record<string, unknown> = {}): Promise<Referral> {
  const res = await refer(mainDesk, patientId, extra);
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as Referral;
}

/** Options of the network's physician for a patient on a fresh day (each test its own day). */
async function optionsFor(client: Client, patientId: string, locationId: string): Promise<OptionDto[]> {
  dayOffset += 1;
  // the physician works on weekdays (offsets from a Monday)
  while (dayOffset % 7 >= 5) dayOffset += 1;
  const res = await client.inject({
    url: `/api/v1/availability?appointmentTypeId=${net.appointmentTypeId}&physicianId=${net.physicianId}&from=${encodeURIComponent(net.at("00:00", dayOffset))}&to=${encodeURIComponent(net.at("23:59", dayOffset))}&limit=200&patientId=${patientId}&locationIds=${locationId}`,
  });
  expect(res.statusCode, res.body).toBe(200);
  const options = (res.json() as { options: OptionDto[] }).options;
  expect(options.length).toBeGreaterThan(0);
  return options;
}

const appointmentsOf = async (patientId: string) =>
  (
    (await net.admin.inject({ url: `/api/v1/appointments?patientId=${patientId}` })).json() as {
      items: Array<{ id: string; status: string }>;
    }
  ).items.filter((a) => a.status === "booked");

describe("referrals across locations", () => {
  it("the satellite's desk sees a referral to it in its queue, accepts it and books it for the patient", async () => {
    const patientId = await mainPatient();
    // before the referral the satellite's desk does not reach the patient
    expect((await satelliteDesk.inject({ url: `/api/v1/patients/${patientId}` })).statusCode).toBe(404);

    const r = await referred(patientId);
    expect(r).toMatchObject({
      status: "sent",
      fromLocationId: net.main.id,
      toLocationId: net.satellite.id,
      urgency: "soon",
      attachments: ["https://records.example.org/ecg/123", "DOC-2026-0042"],
      bookingPath: `/patient/referrals/${r.id}`,
    });
    expect(r.patientName).toMatch(/^Rhea Referred/);

    const queue = (
      await satelliteDesk.inject({ url: "/api/v1/referrals?direction=incoming&status=sent,accepted" })
    ).json() as { items: Referral[] };
    expect(queue.items.map((i) => i.id)).toContain(r.id);
    // the open referral puts the patient within the receiving desk's reach
    expect((await satelliteDesk.inject({ url: `/api/v1/patients/${patientId}` })).statusCode).toBe(200);

    const accepted = await satelliteDesk.inject({
      method: "POST",
      url: `/api/v1/referrals/${r.id}/accept`,
      payload: { note: "We will call the patient" },
    });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect((accepted.json() as Referral).status).toBe("accepted");

    const [option] = await optionsFor(satelliteDesk, patientId, net.satellite.id);
    const booked = await satelliteDesk.inject({
      method: "POST",
      url: `/api/v1/referrals/${r.id}/book`,
      payload: { optionId: option!.id },
    });
    expect(booked.statusCode, booked.body).toBe(200);
    const done = booked.json() as Referral;
    expect(done.status).toBe("booked");
    const appointments = await appointmentsOf(patientId);
    expect(appointments.map((a) => a.id)).toEqual([done.appointmentId]);

    // the referrer follows its state
    const mine = (await mainDesk.inject({ url: "/api/v1/referrals?direction=sent" })).json() as {
      items: Referral[];
    };
    expect(mine.items.find((i) => i.id === r.id)?.status).toBe("booked");

    // the link used twice gets a clear answer and books nothing more
    const [again] = await optionsFor(satelliteDesk, patientId, net.satellite.id);
    const twice = await satelliteDesk.inject({
      method: "POST",
      url: `/api/v1/referrals/${r.id}/book`,
      payload: { optionId: again!.id },
    });
    expect(twice.statusCode).toBe(409);
    expect((twice.json() as { code: string }).code).toBe("referral_booked");
    expect((await appointmentsOf(patientId)).length).toBe(1);
  });

  it("the patient books their own referral from the link", async () => {
    const patientId = await createPatient(net.admin);
    const patient = await clientFor(rounds, "patient", { patientId });
    const made = await refer(net.admin, patientId);
    expect(made.statusCode, made.body).toBe(201);
    const r = made.json() as Referral;
    const own = await patient.inject({ url: `/api/v1/referrals/${r.id}` });
    expect(own.statusCode, own.body).toBe(200);
    const list = (await patient.inject({ url: "/api/v1/referrals" })).json() as { items: Referral[] };
    expect(list.items.map((i) => i.id)).toEqual([r.id]);

    const [option] = await optionsFor(patient, patientId, net.satellite.id);
    const booked = await patient.inject({
      method: "POST",
      url: `/api/v1/referrals/${r.id}/book`,
      payload: { optionId: option!.id },
    });
    expect(booked.statusCode, booked.body).toBe(200);
    expect((booked.json() as Referral).status).toBe("booked");

    // another patient neither sees nor books it
    const stranger = await clientFor(rounds, "patient", { patientId: await createPatient(net.admin) });
    expect((await stranger.inject({ url: `/api/v1/referrals/${r.id}` })).statusCode).toBe(404);
    expect(((await stranger.inject({ url: "/api/v1/referrals" })).json() as { total: number }).total).toBe(0);
  });

  it("an option at another location than the one referred to is refused and books nothing", async () => {
    const patientId = await mainPatient();
    const r = await referred(patientId);
    const [atMain] = await optionsFor(mainDesk, patientId, net.main.id);
    const res = await satelliteDesk.inject({
      method: "POST",
      url: `/api/v1/referrals/${r.id}/book`,
      payload: { optionId: atMain!.id },
    });
    expect(res.statusCode, res.body).toBe(422);
    expect(fieldsOf(res.body)).toEqual(["body.optionId"]);
    expect(await appointmentsOf(patientId)).toEqual([]);
    expect(((await net.admin.inject({ url: `/api/v1/referrals/${r.id}` })).json() as Referral).status).toBe(
      "sent",
    );
  });

  it("a declined referral no longer gives the satellite's desk the patient", async () => {
    const patientId = await mainPatient();
    const r = await referred(patientId);
    const declined = await satelliteDesk.inject({
      method: "POST",
      url: `/api/v1/referrals/${r.id}/decline`,
      payload: { note: "Not offered here; please refer to the cardiology centre" },
    });
    expect(declined.statusCode, declined.body).toBe(200);
    expect(declined.json()).toMatchObject({
      status: "declined",
      statusNote: expect.stringContaining("centre"),
    });
    expect((await satelliteDesk.inject({ url: `/api/v1/patients/${patientId}` })).statusCode).toBe(404);
    const twice = await satelliteDesk.inject({
      method: "POST",
      url: `/api/v1/referrals/${r.id}/accept`,
      payload: {},
    });
    expect(twice.statusCode).toBe(409);
    expect((twice.json() as { code: string }).code).toBe("referral_declined");
  });

  it("only the referrer withdraws a referral, and a withdrawn one cannot be booked", async () => {
    const patientId = await mainPatient();
    const r = await referred(patientId);
    const byReceiver = await satelliteDesk.inject({
      method: "POST",
      url: `/api/v1/referrals/${r.id}/cancel`,
      payload: { reason: "not ours to withdraw" },
    });
    expect(byReceiver.statusCode).toBe(404);
    const cancelled = await mainDesk.inject({
      method: "POST",
      url: `/api/v1/referrals/${r.id}/cancel`,
      payload: { reason: "patient moved away" },
    });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect((cancelled.json() as Referral).status).toBe("cancelled");
    const [option] = await optionsFor(net.admin, patientId, net.satellite.id);
    const book = await satelliteDesk.inject({
      method: "POST",
      url: `/api/v1/referrals/${r.id}/book`,
      payload: { optionId: option!.id },
    });
    expect(book.statusCode).toBe(409);
    expect((book.json() as { code: string }).code).toBe("referral_cancelled");
    expect(await appointmentsOf(patientId)).toEqual([]);
  });

  it("staff of an uninvolved location neither see a referral nor reach its patient, and the refusal is audited", async () => {
    const patientId = await mainPatient();
    const r = await referred(patientId);
    const res = await elsewhereDesk.inject({ url: `/api/v1/referrals/${r.id}` });
    expect(res.statusCode).toBe(404);
    expect(fieldsOf(res.body)).toEqual(["params.id"]);
    const list = (await elsewhereDesk.inject({ url: "/api/v1/referrals" })).json() as { items: Referral[] };
    expect(list.items.map((i) => i.id)).not.toContain(r.id);
    expect((await elsewhereDesk.inject({ url: `/api/v1/patients/${patientId}` })).statusCode).toBe(404);
    const trail = (await net.admin.inject({ url: `/api/v1/audit-events?patientId=${patientId}` })).json() as {
      items: Array<{ action: string; resourceType: string }>;
    };
    expect(trail.items.some((e) => e.action === "access.refused" && e.resourceType === "referral")).toBe(
      true,
    );
    expect(trail.items.some((e) => e.action === "referral.create")).toBe(true);
  });

  it("a physician refers a patient they have seen, and not one they have never met", async () => {
    const physician = await clientFor(rounds, "physician", { physicianId: net.physicianId });
    const stranger = await createPatient(net.admin);
    const refused = await refer(physician, stranger);
    expect(refused.statusCode).toBe(404);
    expect(fieldsOf(refused.body)).toEqual(["body.patientId"]);

    const seen = await createPatient(net.admin);
    const [option] = await optionsFor(net.admin, seen, net.main.id);
    const booked = await net.admin.inject({
      method: "POST",
      url: "/api/v1/appointments",
      payload: { optionId: option!.id, patientId: seen },
    });
    expect(booked.statusCode, booked.body).toBe(201);
    const made = await refer(physician, seen, { toPhysicianId: net.physicianId, urgency: "urgent" });
    expect(made.statusCode, made.body).toBe(201);
    const r = made.json() as Referral;
    const listed = (await physician.inject({ url: "/api/v1/referrals?direction=sent" })).json() as {
      items: Referral[];
    };
    expect(listed.items.map((i) => i.id)).toContain(r.id);
  });

  it("bad input names the field at fault and stores nothing", async () => {
    const patientId = await mainPatient();
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ reason: "" }, 400, "body.reason"],
      [{ urgency: "yesterday" }, 400, "body.urgency"],
      [{ attachments: ["javascript:alert(1)"] }, 400, "body.attachments.0"],
      [{ specialty: "no_such_specialty_here" }, 422, "body.specialty"],
      [{ toLocationId: "00000000-0000-4000-8000-000000000000" }, 422, "body.toLocationId"],
      [{ toPhysicianId: "00000000-0000-4000-8000-000000000000" }, 422, "body.toPhysicianId"],
    ];
    for (const [extra, status, field] of cases) {
      const res = await refer(mainDesk, patientId, extra);
      expect(res.statusCode, `${JSON.stringify(extra)}: ${res.body}`).toBe(status);
      expect(fieldsOf(res.body)).toEqual([field]);
    }
    const list = (await mainDesk.inject({ url: `/api/v1/referrals?patientId=${patientId}` })).json() as {
      total: number;
    };
    expect(list.total).toBe(0);
  });
});
