/**
 * Open screens change when the schedule does: server-sent events filtered by what each caller may
 * see, resumable after a dropped connection, and delivered by every replica.
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Rounds } from "../src/server.js";
import { asAdmin, clientOf, signIn } from "./support/auth.js";
import { sleep } from "./support/messaging.js";
import { buildClinicNetwork, type ClinicNetwork, createPatient, optionsOn } from "./support/network.js";
import { startRounds } from "./support/rounds.js";
import { type ServerProcess, startServerProcess } from "./support/servers.js";
import { openEventStream, type SseStream } from "./support/sse.js";

async function optionAt(net: ClinicNetwork, time: string, day = 0) {
  const option = (await optionsOn(net, net.admin, day)).find(
    (o) => o.local.time === time && o.locationId === net.main.id,
  );
  if (!option) throw new Error(`no option at ${time}`);
  return option;
}

async function book(net: ClinicNetwork, time: string, patientId?: string, day = 0): Promise<string> {
  const option = await optionAt(net, time, day);
  const res = await net.admin.inject({
    method: "POST",
    url: "/api/v1/appointments",
    payload: { optionId: option.id, patientId: patientId ?? (await createPatient(net.admin)) },
  });
  expect(res.statusCode).toBe(201);
  return (res.json() as { id: string }).id;
}

const bookedEvent = (appointmentId: string) => (m: { event: string; data: string }) =>
  m.event === "appointment.booked" &&
  (JSON.parse(m.data) as { appointmentId: string }).appointmentId === appointmentId;
const mentions = (s: SseStream, appointmentId: string) =>
  s.messages.some((m) => m.data.includes(appointmentId));

describe("live schedule events in one process", () => {
  let rounds: Rounds;
  let base: string;
  const streams: SseStream[] = [];
  const open = async (headers: Record<string, string>, query = "") => {
    const s = await openEventStream(`${base}/api/v1/events${query}`, headers);
    streams.push(s);
    return s;
  };

  beforeAll(async () => {
    rounds = await startRounds();
    base = await rounds.app.listen({ port: 0, host: "127.0.0.1" });
  });
  afterAll(async () => {
    for (const s of streams) s.close();
    await rounds?.close();
  });

  it("staff of one location see its bookings as they happen, and nothing of another location's", async () => {
    const here = await buildClinicNetwork(rounds);
    const elsewhere = await buildClinicNetwork(rounds);
    const staff = await signIn(rounds, "location_staff", { locationIds: [here.main.id] });
    const stream = await open(staff.headers);
    expect(stream.status).toBe(200);
    expect(stream.contentType).toBe("text/event-stream; charset=utf-8");

    const away = await book(elsewhere, "09:00");
    const mine = await book(here, "09:00");
    const event = await stream.next(bookedEvent(mine));
    expect(Number(event.id)).toBeGreaterThan(0);
    expect(event.json()).toMatchObject({
      seq: Number(event.id),
      type: "appointment.booked",
      appointmentId: mine,
      locationId: here.main.id,
      physicianId: here.physicianId,
      status: "booked",
    });
    expect(event.json().patientId).toEqual(expect.any(String));
    // events arrive in order: the other location's booking came first and was not shown
    expect(mentions(stream, away)).toBe(false);
  });

  it("a screen that reconnects with Last-Event-ID is first replayed what it missed, then continues live", async () => {
    const net = await buildClinicNetwork(rounds);
    const staff = await signIn(rounds, "location_staff", { locationIds: [net.main.id] });
    const first = await open(staff.headers);
    const seen = await first.next(bookedEvent(await book(net, "08:00")));
    first.close();

    const missed = await book(net, "08:30");
    const resumed = await open({ ...staff.headers, "last-event-id": seen.id! });
    const replayed = await resumed.next(bookedEvent(missed));
    expect(Number(replayed.id)).toBeGreaterThan(Number(seen.id));
    expect(resumed.messages.filter((m) => m.id === seen.id)).toHaveLength(0);
    const live = await book(net, "09:30");
    await resumed.next(bookedEvent(live));
    expect(resumed.messages.map((m) => m.json().appointmentId)).toEqual([missed, live]);

    // the query parameter works too (an EventSource cannot set headers on its first request)
    const byQuery = await open(staff.headers, `?lastEventId=${seen.id}`);
    await byQuery.next(bookedEvent(live));
    expect(byQuery.messages.map((m) => m.json().appointmentId)).toEqual([missed, live]);
  });

  it("physicians see their own schedule, patients their own appointments, department heads their specialty without patient details", async () => {
    const net = await buildClinicNetwork(rounds);
    const department = await net.admin.inject({
      method: "POST",
      url: `/api/v1/locations/${net.main.id}/departments`,
      payload: { specialty: net.specialty, name: "Test department" },
    });
    expect(department.statusCode).toBe(201);
    const physician = await open(
      (await signIn(rounds, "physician", { physicianId: net.physicianId })).headers,
    );
    const patient = await open((await signIn(rounds, "patient", { patientId: net.patientId })).headers);
    const otherPatient = await open(
      (await signIn(rounds, "patient", { patientId: await createPatient(net.admin) })).headers,
    );
    const head = await open(
      (await signIn(rounds, "department_head", { departmentIds: [department.json().id] })).headers,
    );
    const otherNet = await buildClinicNetwork(rounds);
    const otherPhysician = await open(
      (await signIn(rounds, "physician", { physicianId: otherNet.physicianId })).headers,
    );

    const option = await optionAt(net, "10:00");
    const booked = await net.admin.inject({
      method: "POST",
      url: "/api/v1/appointments",
      payload: { optionId: option.id, patientId: net.patientId, reason: "Chest pain when climbing stairs" },
    });
    expect(booked.statusCode).toBe(201);
    const id = booked.json().id as string;
    for (const s of [physician, patient]) {
      const e = await s.next(bookedEvent(id));
      expect(e.json()).toMatchObject({ patientId: net.patientId, reason: "Chest pain when climbing stairs" });
    }
    const planned = await head.next(bookedEvent(id));
    expect(planned.json()).toMatchObject({ appointmentId: id, physicianId: net.physicianId });
    expect(planned.json()).not.toHaveProperty("patientId");
    expect(planned.json()).not.toHaveProperty("reason");
    // a later booking for the other physician proves the earlier one was filtered, not just slow
    const later = await book(otherNet, "11:00");
    await otherPhysician.next(bookedEvent(later));
    expect(mentions(otherPhysician, id)).toBe(false);
    await sleep(1500);
    expect(mentions(otherPatient, id)).toBe(false);

    const compliance = await open((await signIn(rounds, "compliance")).headers);
    expect(compliance.status).toBe(403);
  });

  it("closing the server ends open event streams instead of waiting for them", async () => {
    const other = await startRounds();
    const url = await other.app.listen({ port: 0, host: "127.0.0.1" });
    const admin = clientOf(other, await asAdmin(other));
    const stream = await openEventStream(`${url}/api/v1/events`, admin.user.headers);
    expect(stream.status).toBe(200);
    const started = Date.now();
    await other.close();
    await stream.ended;
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe.skipIf(!process.env.DATABASE_URL)("live schedule events across two server processes", () => {
  let rounds: Rounds;
  let servers: ServerProcess[] = [];

  beforeAll(async () => {
    rounds = await startRounds();
    servers = await Promise.all(
      [0, 1].map(() => startServerProcess({ DATABASE_URL: process.env.DATABASE_URL! })),
    );
  }, 120_000);
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await rounds?.close();
  });

  it("a booking made through one server reaches a screen open on the other within a second, and staff of another location receive nothing", async () => {
    const here = await buildClinicNetwork(rounds);
    const elsewhere = await buildClinicNetwork(rounds);
    const admin = await asAdmin(rounds);
    const latest = await sql<{ seq: number | null }>`SELECT max(seq) AS seq FROM schedule_events`.execute(
      rounds.database.db,
    );
    const from = `?lastEventId=${Number(latest.rows[0]?.seq ?? 0)}`;
    const [screen, otherScreen] = await Promise.all([
      openEventStream(
        `${servers[0]!.url}/api/v1/events${from}`,
        (await signIn(rounds, "location_staff", { locationIds: [here.main.id] })).headers,
      ),
      openEventStream(
        `${servers[0]!.url}/api/v1/events${from}`,
        (await signIn(rounds, "location_staff", { locationIds: [elsewhere.main.id] })).headers,
      ),
    ]);
    try {
      expect(screen.status).toBe(200);
      await sleep(500); // both streams are live before the first booking
      const fromSent: number[] = [];
      const fromAnswer: number[] = [];
      const booked: string[] = [];
      for (const time of ["08:00", "08:45", "09:30", "10:15", "11:00"]) {
        const option = await optionAt(here, time);
        const patientId = await createPatient(here.admin);
        const sent = Date.now();
        const res = await fetch(`${servers[1]!.url}/api/v1/appointments`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${admin.token}` },
          body: JSON.stringify({ optionId: option.id, patientId }),
        });
        const answered = Date.now();
        expect(res.status).toBe(201);
        const id = ((await res.json()) as { id: string }).id;
        booked.push(id);
        const event = await screen.next(bookedEvent(id), 5000);
        fromSent.push(event.receivedAt - sent);
        fromAnswer.push(event.receivedAt - answered);
      }
      const summary = (xs: number[]) => {
        const s = [...xs].sort((a, b) => a - b);
        return `min ${s[0]} ms, median ${s[2]} ms, max ${s[4]} ms`;
      };
      // negative "after the answer": the event reached server A before server B finished its reply
      console.log(
        `booking on server B → SSE on server A, 5 bookings: ${summary(fromSent)} after the booking request was sent; ${summary(fromAnswer)} after its answer arrived`,
      );
      // the other location's screen sees its own booking, and none of the five before it
      const theirs = await book(elsewhere, "08:00");
      await otherScreen.next(bookedEvent(theirs), 5000);
      for (const id of booked) expect(mentions(otherScreen, id)).toBe(false);
    } finally {
      screen.close();
      otherScreen.close();
    }
  });
});
