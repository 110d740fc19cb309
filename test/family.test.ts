/**
 * Family scheduling: a guardian searches for their children together and gets trips (one
 * location, one day, the visits side by side or back to back), holds a trip's appointments
 * together and books them, all or none, through the normal booking path; nobody else's child can
 * be named; bad input names its field.
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Rounds } from "../src/server.js";
import { type Client, clientFor } from "./support/auth.js";
import { addPhysician, buildClinicNetwork, type ClinicNetwork, createPatient } from "./support/network.js";
import { startRounds } from "./support/rounds.js";

let rounds: Rounds;
let net: ClinicNetwork;
/** The second physician of the specialty, at the main campus in the mornings. */
let other: string;

interface Option {
  id: string;
  physicianId: string;
  locationId: string;
  start: string;
  end: string;
  local: { date: string; time: string };
}
interface Trip {
  id: string;
  locationId: string;
  start: string;
  end: string;
  local: { date: string; time: string };
  minutesAtLocation: number;
  members: Array<{ patientId: string; option: Option }>;
}
interface Appointment {
  id: string;
  patientId: string;
  status: string;
  start: string;
  physicianId: string;
}
interface Family {
  guardian: string;
  children: [string, string];
  client: Client;
}

const fieldsOf = (body: string) =>
  (JSON.parse(body) as { errors: Array<{ field: string }> }).errors.map((e) => e.field);

/** A guardian with two children, signed in as the guardian. */
async function family(): Promise<Family> {
  const guardian = await createPatient(net.admin);
  const children: [string, string] = [
    await createPatient(net.admin, { birthDate: "2016-04-04" }),
    await createPatient(net.admin, { birthDate: "2019-09-09" }),
  ];
  for (const dependentId of children) {
    const res = await net.admin.inject({
      method: "POST",
      url: `/api/v1/patients/${guardian}/dependents`,
      payload: { dependentId, relationship: "parent" },
    });
    expect(res.statusCode, res.body).toBe(201);
  }
  return { guardian, children, client: await clientFor(rounds, "patient", { patientId: guardian }) };
}

/** Weekdays only, one per test, so no test books another's times. */
let days = 0;
const nextDay = () => {
  const n = days++;
  return Math.floor(n / 5) * 7 + (n % 5);
};

const search = (client: Client, patientIds: string[], day: number, extra: Record<string, unknown> = {}) =>
  client.inject({
    method: "POST",
    url: "/api/v1/family-searches",
    payload: {
      members: patientIds.map((patientId) => ({ patientId, appointmentTypeId: net.appointmentTypeId })),
      from: net.at("00:00", day),
      to: net.at("23:59", day),
      ...extra,
    },
  });

async function tripsFor(client: Client, patientIds: string[], day: number, extra = {}): Promise<Trip[]> {
  const res = await search(client, patientIds, day, extra);
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { trips: Trip[] }).trips;
}

const tripBody = (t: Trip) => ({
  tripId: t.id,
  members: t.members.map((m) => ({ patientId: m.patientId, optionId: m.option.id })),
});

/** The patient's active (held or booked) appointments that day. */
async function activeOn(patientId: string, day: number): Promise<string[]> {
  const rows = await sql<{ id: string }>`
    SELECT id FROM appointments WHERE patient_id = ${patientId} AND active
      AND starts_at >= ${new Date(net.at("00:00", day))} AND starts_at < ${new Date(net.at("23:59", day))}`.execute(
    rounds.database.db,
  );
  return rows.rows.map((r) => r.id);
}

beforeAll(async () => {
  rounds = await startRounds();
  net = await buildClinicNetwork(rounds);
  other = await addPhysician(net.admin, net.specialty, [
    { locationId: net.main.id, startTime: "08:00", endTime: "12:00" },
  ]);
}, 120_000);
afterAll(() => rounds.close());

describe("a guardian finds one trip for the family", () => {
  it("two children are seen side by side by two physicians, and the earliest trip comes first", async () => {
    const f = await family();
    const day = nextDay();
    const trips = await tripsFor(f.client, f.children, day);
    expect(trips.length).toBeGreaterThan(1);
    const [first] = trips;
    expect(first!.locationId).toBe(net.main.id);
    expect(first!.local.time).toBe("08:00");
    expect(first!.minutesAtLocation).toBe(30);
    expect(first!.members.map((m) => m.patientId)).toEqual(f.children);
    expect(new Set(first!.members.map((m) => m.option.physicianId))).toEqual(
      new Set([net.physicianId, other]),
    );
    for (const t of trips) {
      expect(new Set(t.members.map((m) => m.option.locationId))).toEqual(new Set([t.locationId]));
      expect(new Set(t.members.map((m) => m.option.local.date)).size).toBe(1);
    }
    expect(trips.map((t) => t.start)).toEqual([...trips.map((t) => t.start)].sort());
  });

  it("where one physician works, the children are seen one after the other, within the allowed wait", async () => {
    const f = await family();
    const day = nextDay();
    const trips = await tripsFor(f.client, f.children, day, { locationIds: [net.satellite.id] });
    const [first] = trips;
    expect(first!.local.time).toBe("13:00");
    expect(first!.minutesAtLocation).toBe(60);
    const [a, b] = [...first!.members].sort((x, y) => x.option.start.localeCompare(y.option.start));
    expect(a!.option.physicianId).toBe(b!.option.physicianId);
    expect(b!.option.start).toBe(a!.option.end);
  });

  it("a member for whom nothing is offered leaves no trip, and the answer says who", async () => {
    const f = await family();
    const day = nextDay();
    const res = await search(f.client, f.children, day, {
      members: [
        { patientId: f.children[0], appointmentTypeId: net.appointmentTypeId },
        { patientId: f.children[1], appointmentTypeId: net.appointmentTypeId, physicianId: other },
      ],
      locationIds: [net.satellite.id],
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as {
      trips: Trip[];
      searched: { members: Array<{ patientId: string; options: number }> };
    };
    expect(body.trips).toEqual([]);
    expect(body.searched.members.find((m) => m.patientId === f.children[1])!.options).toBe(0);
  });
});

describe("holding and booking a trip: all or none", () => {
  it("holds both children's times together, then books both holds; each is audited and announced", async () => {
    const f = await family();
    const day = nextDay();
    const [trip] = await tripsFor(f.client, f.children, day);
    const held = await f.client.inject({
      method: "POST",
      url: "/api/v1/family-holds",
      payload: tripBody(trip!),
    });
    expect(held.statusCode, held.body).toBe(201);
    const holds = (held.json() as { appointments: Appointment[] }).appointments;
    expect(holds.map((a) => [a.patientId, a.status])).toEqual(f.children.map((c) => [c, "held"]));

    const booked = await f.client.inject({
      method: "POST",
      url: "/api/v1/family-bookings",
      payload: {
        members: holds.map((h) => ({ patientId: h.patientId, holdId: h.id })),
        reason: "school check-ups",
      },
    });
    expect(booked.statusCode, booked.body).toBe(201);
    const appointments = (booked.json() as { appointments: Appointment[] }).appointments;
    expect(appointments.map((a) => [a.id, a.status])).toEqual(holds.map((h) => [h.id, "booked"]));

    for (const a of appointments) {
      const trail = await net.admin.inject({ url: `/api/v1/audit-events?patientId=${a.patientId}` });
      const actions = (trail.json() as { items: Array<{ action: string; resourceId: string }> }).items
        .filter((e) => e.resourceId === a.id)
        .map((e) => e.action);
      expect(actions).toEqual(expect.arrayContaining(["appointment.hold", "appointment.book"]));
      const events = await sql<{ type: string }>`
        SELECT type FROM schedule_events WHERE appointment_id = ${a.id} ORDER BY seq`.execute(
        rounds.database.db,
      );
      expect(events.rows.map((e) => e.type)).toEqual(["appointment.held", "appointment.booked"]);
    }
    // the guardian sees both in their children's appointments
    const mine = await f.client.inject({ url: `/api/v1/appointments?patientId=${f.children[1]}` });
    expect((mine.json() as { items: Appointment[] }).items.map((a) => a.id)).toContain(appointments[1]!.id);
  });

  it("books a trip straight from its options", async () => {
    const f = await family();
    const day = nextDay();
    const [trip] = await tripsFor(f.client, f.children, day);
    const res = await f.client.inject({
      method: "POST",
      url: "/api/v1/family-bookings",
      payload: tripBody(trip!),
    });
    expect(res.statusCode, res.body).toBe(201);
    const appointments = (res.json() as { appointments: Appointment[] }).appointments;
    expect(appointments.map((a) => a.status)).toEqual(["booked", "booked"]);
    expect(appointments.map((a) => a.start)).toEqual(trip!.members.map((m) => m.option.start));
  });

  it("when one child's time is taken meanwhile, nothing is held for either, and the 409 names that child's option", async () => {
    const f = await family();
    const day = nextDay();
    const [trip] = await tripsFor(f.client, f.children, day);
    // the front desk books the second child's time for someone else first
    const desk = await net.admin.inject({
      method: "POST",
      url: "/api/v1/appointments",
      payload: { optionId: trip!.members[1]!.option.id, patientId: await createPatient(net.admin) },
    });
    expect(desk.statusCode, desk.body).toBe(201);

    for (const url of ["/api/v1/family-holds", "/api/v1/family-bookings"]) {
      const res = await f.client.inject({ method: "POST", url, payload: tripBody(trip!) });
      expect(res.statusCode, res.body).toBe(409);
      const body = res.json() as { code: string; member: number; patientId: string };
      expect(body.code).toBe("conflict_physician");
      expect(body.member).toBe(1);
      expect(body.patientId).toBe(f.children[1]);
      expect(fieldsOf(res.body)).toEqual(["body.members.1.optionId"]);
      // the first child's time, placed before the conflict in the same transaction, was rolled back
      expect(await activeOn(f.children[0], day)).toEqual([]);
      expect(await activeOn(f.children[1], day)).toEqual([]);
    }
  });

  it("an expired hold books none of the family's holds", async () => {
    const f = await family();
    const day = nextDay();
    const [trip] = await tripsFor(f.client, f.children, day);
    const held = await f.client.inject({
      method: "POST",
      url: "/api/v1/family-holds",
      payload: tripBody(trip!),
    });
    const holds = (held.json() as { appointments: Appointment[] }).appointments;
    await sql`UPDATE appointments SET hold_expires_at = now() - interval '1 second' WHERE id = ${holds[1]!.id}`.execute(
      rounds.database.db,
    );
    const res = await f.client.inject({
      method: "POST",
      url: "/api/v1/family-bookings",
      payload: { members: holds.map((h) => ({ patientId: h.patientId, holdId: h.id })) },
    });
    expect(res.statusCode, res.body).toBe(409);
    expect((res.json() as { code: string }).code).toBe("conflict_hold_expired");
    expect(fieldsOf(res.body)).toEqual(["body.members.1.holdId"]);
    const first = await f.client.inject({ url: `/api/v1/appointments/${holds[0]!.id}` });
    expect((first.json() as Appointment).status).toBe("held");
  });
});

describe("only the family's own guardian acts for its children", () => {
  it("a guardian cannot search for, hold or book someone else's child: 404 naming that member", async () => {
    const mine = await family();
    const theirs = await family();
    const day = nextDay();
    const res = await search(mine.client, [mine.children[0], theirs.children[0]], day);
    expect(res.statusCode, res.body).toBe(404);
    expect(fieldsOf(res.body)).toEqual(["body.members.1.patientId"]);

    // their guardian's trip, replayed by another account, and the same with a child swapped in
    const [trip] = await tripsFor(theirs.client, theirs.children, day);
    for (const url of ["/api/v1/family-holds", "/api/v1/family-bookings"]) {
      const replayed = await mine.client.inject({ method: "POST", url, payload: tripBody(trip!) });
      expect(replayed.statusCode, replayed.body).toBe(404);
      expect(fieldsOf(replayed.body)).toEqual(["body.members.0.patientId"]);
    }
    expect(await activeOn(theirs.children[0], day)).toEqual([]);
  });

  it("a trip's options cannot be handed to other members or mixed: the trip id is refused", async () => {
    const f = await family();
    const day = nextDay();
    const [first, second] = await tripsFor(f.client, f.children, day);
    const swapped = {
      tripId: first!.id,
      members: [
        { patientId: f.children[0], optionId: first!.members[1]!.option.id },
        { patientId: f.children[1], optionId: first!.members[0]!.option.id },
      ],
    };
    const mixed = {
      tripId: first!.id,
      members: [
        { patientId: f.children[0], optionId: first!.members[0]!.option.id },
        { patientId: f.children[1], optionId: second!.members[1]!.option.id },
      ],
    };
    const forged = { ...tripBody(first!), tripId: `${first!.id.split(".")[0]}.${"A".repeat(43)}` };
    for (const payload of [swapped, mixed, forged]) {
      const res = await f.client.inject({ method: "POST", url: "/api/v1/family-holds", payload });
      expect(res.statusCode, res.body).toBe(422);
      expect((res.json() as { code: string }).code).toBe("trip_invalid");
      expect(fieldsOf(res.body)).toEqual(["body.tripId"]);
    }
    expect(await activeOn(f.children[0], day)).toEqual([]);
  });
});

describe("bad input is refused naming the field", () => {
  it("answers 400/422 problem+json naming the member's field, never a 500", async () => {
    const f = await family();
    const day = nextDay();
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [
        {
          members: [f.children[0], f.children[0]].map((patientId) => ({
            patientId,
            appointmentTypeId: net.appointmentTypeId,
          })),
        },
        400,
        "body.members.1.patientId",
      ],
      [
        { members: [{ patientId: f.children[0], appointmentTypeId: net.appointmentTypeId }] },
        400,
        "body.members",
      ],
      [
        {
          members: [
            { patientId: f.children[0], appointmentTypeId: net.appointmentTypeId },
            { patientId: f.children[1], appointmentTypeId: "00000000-0000-4000-8000-000000000000" },
          ],
        },
        422,
        "body.members.1.appointmentTypeId",
      ],
      [{ to: net.at("23:59", day + 20) }, 422, "body.to"],
      [{ maxGapMinutes: 500 }, 400, "body.maxGapMinutes"],
    ];
    for (const [extra, status, field] of cases) {
      const res = await search(f.client, f.children, day, extra);
      expect(res.statusCode, `${JSON.stringify(extra)}: ${res.body}`).toBe(status);
      expect(res.headers["content-type"]).toContain("application/problem+json");
      expect(fieldsOf(res.body)).toContain(field);
    }
    const [trip] = await tripsFor(f.client, f.children, day);
    const bookings: Array<[Record<string, unknown>, number, string]> = [
      [{ members: tripBody(trip!).members }, 400, "body.tripId"],
      [
        {
          tripId: trip!.id,
          members: [
            { patientId: f.children[0], optionId: trip!.members[0]!.option.id },
            { patientId: f.children[1], holdId: "00000000-0000-4000-8000-000000000000" },
          ],
        },
        400,
        "body.members.1.holdId",
      ],
      [
        {
          ...tripBody(trip!),
          members: [
            { ...tripBody(trip!).members[0], optionId: "not-an-option-id" },
            tripBody(trip!).members[1],
          ],
        },
        422,
        "body.tripId",
      ],
    ];
    for (const [payload, status, field] of bookings) {
      const res = await f.client.inject({ method: "POST", url: "/api/v1/family-bookings", payload });
      expect(res.statusCode, `${JSON.stringify(payload)}: ${res.body}`).toBe(status);
      expect(fieldsOf(res.body)).toContain(field);
    }
    expect(await activeOn(f.children[0], day)).toEqual([]);
  });
});
