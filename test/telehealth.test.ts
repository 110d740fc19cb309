/**
 * Telehealth as an alternative: a physician who offers video visits works an evening block at the
 * network's video clinic; a search that accepts video offers those visits beside the in-person
 * ones; booking one gives it a join link of its own from the built-in provider, shown to the
 * people who may read the appointment; moving it keeps the link, cancelling it revokes it, and the
 * link's page says which visit it is and when the room opens.
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtInProvider } from "../src/integrations/telehealth/index.js";
import type { Rounds } from "../src/server.js";
import { type Client, clientFor } from "./support/auth.js";
import { createLocation } from "./support/fixtures.js";
import { buildClinicNetwork, type ClinicNetwork, createPatient } from "./support/network.js";
import { startRounds, unique } from "./support/rounds.js";

const PUBLIC_URL = "https://rounds.example.test";
const LINK = /^https:\/\/rounds\.example\.test\/visit\/([A-Za-z0-9_-]{43})$/;

interface Option {
  id: string;
  locationId: string;
  roomId: string | null;
  start: string;
  telehealth: boolean;
  distanceKm: number | null;
  reasons: string[];
}
interface Appointment {
  id: string;
  patientId: string;
  locationId: string;
  start: string;
  status: string;
  telehealth: boolean;
  joinUrl: string | null;
}

let rounds: Rounds;
let net: ClinicNetwork;
let admin: Client;
let videoClinic: string;
let dayOffset = 0;

beforeAll(async () => {
  rounds = await startRounds({ ROUNDS_PUBLIC_URL: PUBLIC_URL });
  net = await buildClinicNetwork(rounds);
  admin = net.admin;
  const patch = async (url: string, payload: object) => {
    const res = await admin.inject({ method: "PATCH", url, payload });
    expect(res.statusCode, res.body).toBe(200);
  };
  await patch(`/api/v1/appointment-types/${net.appointmentTypeId}`, { telehealthAllowed: true });
  await patch(`/api/v1/physicians/${net.physicianId}`, { offersTelehealth: true });
  const clinic = await admin.inject({
    method: "POST",
    url: "/api/v1/locations",
    payload: {
      code: `V${unique(8)}`,
      name: `Video Care ${unique(4)}`,
      kind: "virtual",
      timeZone: "America/New_York",
    },
  });
  expect(clinic.statusCode, clinic.body).toBe(201);
  videoClinic = (clinic.json() as { id: string }).id;
  // after the satellite's afternoon, every weekday: video visits from the video clinic
  for (const weekday of [1, 2, 3, 4, 5]) {
    const res = await admin.inject({
      method: "POST",
      url: `/api/v1/physicians/${net.physicianId}/templates`,
      payload: {
        locationId: videoClinic,
        weekday,
        startTime: "17:00",
        endTime: "19:00",
        effectiveFrom: "2020-01-01",
      },
    });
    expect(res.statusCode, res.body).toBe(201);
  }
}, 120_000);
afterAll(() => rounds.close());

/** The options of one weekday (each test takes a day of its own). */
async function search(day: number, telehealth: boolean, client: Client = admin): Promise<Option[]> {
  const res = await client.inject({
    url:
      `/api/v1/availability?appointmentTypeId=${net.appointmentTypeId}&physicianId=${net.physicianId}` +
      `&from=${encodeURIComponent(net.at("00:00", day))}&to=${encodeURIComponent(net.at("23:59", day))}` +
      `&limit=200&telehealth=${telehealth}`,
  });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { options: Option[] }).options;
}

async function book(optionId: string, patientId: string, client: Client = admin): Promise<Appointment> {
  const res = await client.inject({
    method: "POST",
    url: "/api/v1/appointments",
    payload: { optionId, patientId },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as Appointment;
}

/** A video visit booked on a day of its own, for a new patient. */
async function videoVisit(): Promise<{ appt: Appointment; day: number; options: Option[] }> {
  const day = dayOffset++ % 5;
  const options = (await search(day, true)).filter((o) => o.telehealth);
  const patientId = await createPatient(admin);
  // each test books its own slot: later slots stay free for the next tests of the same day
  const option = options[Math.floor(Math.random() * options.length)]!;
  return { appt: await book(option.id, patientId), day, options };
}

const visitPage = (joinUrl: string) => rounds.app.inject({ url: `/api/v1/visits/${LINK.exec(joinUrl)![1]}` });

describe("finding a video visit", () => {
  it("a search that accepts video offers video visits beside in-person ones, marked, with no room and no travel", async () => {
    const options = await search(0, true);
    const video = options.filter((o) => o.telehealth);
    const inPerson = options.filter((o) => !o.telehealth);
    expect(video.length).toBeGreaterThan(0);
    expect(inPerson.length).toBeGreaterThan(0);
    for (const o of video) {
      expect(o.locationId).toBe(videoClinic);
      expect(o.roomId).toBeNull();
      expect(o.distanceKm).toBeNull();
      expect(o.reasons).toContain("video visit, no travel");
    }
    expect(new Set(inPerson.map((o) => o.locationId))).toEqual(new Set([net.main.id, net.satellite.id]));
    expect(inPerson.every((o) => o.roomId !== null)).toBe(true);
  });

  it("a search that does not accept video offers only in-person visits", async () => {
    const options = await search(0, false);
    expect(options.length).toBeGreaterThan(0);
    expect(options.some((o) => o.telehealth || o.locationId === videoClinic)).toBe(false);
  });

  it("an option id whose video flag was changed by the client is refused, and nothing is booked", async () => {
    const inPerson = (await search(0, true)).find((o) => !o.telehealth)!;
    const [payload, mac] = inPerson.id.split(".") as [string, string];
    const fields = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as unknown[];
    expect(fields[8]).toBe(0);
    fields[8] = 1;
    const tampered = `${Buffer.from(JSON.stringify(fields)).toString("base64url")}.${mac}`;
    const patientId = await createPatient(admin);
    const res = await admin.inject({
      method: "POST",
      url: "/api/v1/appointments",
      payload: { optionId: tampered, patientId },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: "option_invalid", errors: [{ field: "body.optionId" }] });
    const list = await admin.inject({ url: `/api/v1/appointments?patientId=${patientId}` });
    expect((list.json() as { total: number }).total).toBe(0);
  });
});

describe("the join link", () => {
  it("booking a video visit gives it a link of its own under the public address; an in-person visit has none", async () => {
    const first = await videoVisit();
    const second = await videoVisit();
    expect(first.appt.telehealth).toBe(true);
    expect(first.appt.joinUrl).toMatch(LINK);
    expect(second.appt.joinUrl).toMatch(LINK);
    expect(second.appt.joinUrl).not.toBe(first.appt.joinUrl);
    // the link names no appointment: it is a token of its own, not the id
    expect(first.appt.joinUrl).not.toContain(first.appt.id);

    const inPerson = (await search(first.day, true)).find((o) => !o.telehealth)!;
    const booked = await book(inPerson.id, await createPatient(admin));
    expect(booked.telehealth).toBe(false);
    expect(booked.joinUrl).toBeNull();
  });

  it("a held video visit gets its link when the hold is booked", async () => {
    const day = dayOffset++ % 5;
    const option = (await search(day, true)).filter((o) => o.telehealth).at(-1)!;
    const patientId = await createPatient(admin);
    const hold = await admin.inject({
      method: "POST",
      url: "/api/v1/holds",
      payload: { optionId: option.id, patientId },
    });
    expect(hold.statusCode, hold.body).toBe(201);
    expect((hold.json() as Appointment).joinUrl).toBeNull();
    const booked = await admin.inject({
      method: "POST",
      url: "/api/v1/appointments",
      payload: { holdId: (hold.json() as Appointment).id, patientId },
    });
    expect(booked.statusCode, booked.body).toBe(201);
    expect((booked.json() as Appointment).joinUrl).toMatch(LINK);
  });

  it("the patient, their physician and the video clinic's staff see the link; other staff and patients are refused", async () => {
    const { appt } = await videoVisit();
    const readers: Array<[string, Client]> = [
      ["patient", await clientFor(rounds, "patient", { patientId: appt.patientId })],
      ["physician", await clientFor(rounds, "physician", { physicianId: net.physicianId })],
      ["video clinic staff", await clientFor(rounds, "location_staff", { locationIds: [videoClinic] })],
    ];
    for (const [who, client] of readers) {
      const res = await client.inject({ url: `/api/v1/appointments/${appt.id}` });
      expect(res.statusCode, who).toBe(200);
      expect((res.json() as Appointment).joinUrl, who).toBe(appt.joinUrl);
    }
    const elsewhere = await createLocation(rounds);
    const refused: Array<[string, Client]> = [
      ["main campus staff", await clientFor(rounds, "location_staff", { locationIds: [net.main.id] })],
      [
        "staff of another location",
        await clientFor(rounds, "location_staff", { locationIds: [elsewhere.id] }),
      ],
      ["another patient", await clientFor(rounds, "patient", { patientId: await createPatient(admin) })],
    ];
    for (const [who, client] of refused) {
      const res = await client.inject({ url: `/api/v1/appointments/${appt.id}` });
      expect(res.statusCode, who).toBe(404);
      expect(res.body, who).not.toContain(appt.joinUrl!);
    }
    // the physician's schedule carries it too; another physician's view of it shows only "busy"
    const physician = readers[1]![1];
    const schedule = await physician.inject({
      url: `/api/v1/physicians/${net.physicianId}/schedule?from=${appt.start.slice(0, 10)}&to=${appt.start.slice(0, 10)}`,
    });
    expect(schedule.statusCode, schedule.body).toBe(200);
    const entry = (
      schedule.json() as { entries: Array<{ id?: string | null; telehealth?: boolean; joinUrl?: string }> }
    ).entries.find((e) => e.id === appt.id);
    expect(entry).toMatchObject({ telehealth: true, joinUrl: appt.joinUrl });
  });

  it("the link's page says which visit it is and when the room opens, names no patient, and its opening is audited", async () => {
    const { appt } = await videoVisit();
    const res = await visitPage(appt.joinUrl!);
    expect(res.statusCode, res.body).toBe(200);
    const page = res.json() as Record<string, unknown>;
    expect(page).toMatchObject({
      state: "waiting",
      appointmentType: "Consultation",
      start: new Date(appt.start).toISOString(),
      opensAt: new Date(Date.parse(appt.start) - 15 * 60_000).toISOString(),
      timeZone: "America/New_York",
    });
    expect(page.physicianName).toMatch(/^Ada Rotor/);
    expect(Object.keys(page)).not.toContain("patientId");
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM audit_events
      WHERE action = 'telehealth.visit_opened' AND resource_id = ${appt.id} AND patient_id = ${appt.patientId}`.execute(
      rounds.database.db,
    );
    expect(rows[0]!.n).toBe(1);

    const unknown = await rounds.app.inject({ url: `/api/v1/visits/${"A".repeat(43)}` });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ errors: [{ field: "params.token" }] });
  });

  it("cancelling a video visit revokes its link: the appointment no longer shows it and its page says it was cancelled", async () => {
    const { appt } = await videoVisit();
    const patient = await clientFor(rounds, "patient", { patientId: appt.patientId });
    const cancelled = await patient.inject({
      method: "POST",
      url: `/api/v1/appointments/${appt.id}/cancel`,
      payload: { reason: "feeling better" },
    });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect((cancelled.json() as Appointment).joinUrl).toBeNull();
    const page = await visitPage(appt.joinUrl!);
    expect(page.statusCode).toBe(200);
    expect(page.json()).toMatchObject({ state: "cancelled" });
  });

  it("moving a video visit to another video time keeps its link; moving it in person revokes it", async () => {
    const { appt, day } = await videoVisit();
    const later = (await search(day + 7, true)).filter((o) => o.telehealth);
    const moved = await admin.inject({
      method: "POST",
      url: `/api/v1/appointments/${appt.id}/reschedule`,
      payload: { optionId: later[0]!.id },
    });
    expect(moved.statusCode, moved.body).toBe(201);
    const movedAppt = moved.json() as Appointment;
    expect(movedAppt.id).not.toBe(appt.id);
    expect(movedAppt.joinUrl).toBe(appt.joinUrl);
    const page = await visitPage(appt.joinUrl!);
    expect(page.json()).toMatchObject({ state: "waiting", start: new Date(movedAppt.start).toISOString() });

    const inPerson = (await search(day + 7, true)).find((o) => !o.telehealth)!;
    const again = await admin.inject({
      method: "POST",
      url: `/api/v1/appointments/${movedAppt.id}/reschedule`,
      payload: { optionId: inPerson.id },
    });
    expect(again.statusCode, again.body).toBe(201);
    expect((again.json() as Appointment).joinUrl).toBeNull();
    expect((await visitPage(appt.joinUrl!)).json()).toMatchObject({ state: "cancelled" });
  });
});

describe("the built-in provider", () => {
  it("issues 256-bit tokens that never repeat, under the public address with or without a trailing slash", async () => {
    const provider = builtInProvider("https://rounds.example.test/");
    const visit = { key: "a", start: new Date(), end: new Date() };
    const tokens = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const { joinUrl, token } = await provider.issue(visit);
      expect(joinUrl).toBe(`https://rounds.example.test/visit/${token}`);
      expect(Buffer.from(token, "base64url")).toHaveLength(32);
      tokens.add(token);
    }
    expect(tokens.size).toBe(2000);
  });
});
