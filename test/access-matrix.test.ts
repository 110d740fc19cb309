/**
 * The access matrix of Rounds: every endpoint × every kind of caller, asserting allow or deny and
 * 404 (existence hidden) vs 403 (not admitted). Adding an endpoint means adding a row here; the
 * guard test fails until it has one.
 *
 * The world (built once): main campus A and satellite B; physician X works at both and has seen
 * patient P1 (appointment at B); P1 is guardian of dependent D; patient P2 has an appointment at A
 * with physician Y (another specialty), whom X never saw. Callers: patient = P1, physician = X,
 * location_staff = staff of A only, department_head = head of a department at A with X's
 * specialty, admin, compliance, and anonymous.
 */
import { randomUUID } from "node:crypto";
import type { InjectOptions } from "fastify";
import { sql } from "kysely";
import { Temporal } from "temporal-polyfill";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Role } from "../src/platform/access.js";
import type { Rounds } from "../src/server.js";
import { type Client, clientFor, clientOf, signIn, TEST_PASSWORD } from "./support/auth.js";
import { createLocation } from "./support/fixtures.js";
import { buildClinicNetwork, type ClinicNetwork, createPatient, type OptionDto } from "./support/network.js";
import { insertAppointment } from "./support/report-fixture.js";
import { startRounds, unique } from "./support/rounds.js";

const CALLERS = [
  "anonymous",
  "patient",
  "physician",
  "location_staff",
  "department_head",
  "admin",
  "compliance",
] as const;
type Caller = (typeof CALLERS)[number];
/** "ok" is any 2xx. */
type Outcome = "ok" | 401 | 403 | 404;
type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** A coverage the built-in payer simulator answers as active. */
const COVERAGE = { payerCode: "SIMHLTH", payerName: "Simulated Health", memberNumber: "MATRIX-1" };

const LABEL: Record<Caller, string> = {
  anonymous: "anonymous",
  patient: "patient P1",
  physician: "physician X",
  location_staff: "location_staff of main campus A",
  department_head: "department_head of X's specialty",
  admin: "admin",
  compliance: "compliance",
};

interface Req {
  url: string;
  payload?: Record<string, unknown>;
  headers?: Record<string, string>;
  /** Named ids this answer must not contain, besides the caller's usual hidden ones. */
  hidden?: Record<string, string>;
}
type Build = (f: Fixture, who: Caller) => Req | Promise<Req>;
/** A named case beyond the row's default target, e.g. a physician outside the head's specialty. */
interface Scenario {
  who: Role;
  target: string;
  request: Build;
  expect: Outcome;
}
interface Row {
  /** Method and route pattern exactly as in `app.apiRoutes`. */
  route: string;
  target: string;
  request: Build;
  expect: Record<Caller, Outcome>;
  also?: Scenario[];
  /** Server-sent events: asked over a real socket, read until the replay falls quiet. */
  stream?: true;
}

/** One outcome per caller, in CALLERS order: anon patient physician staff head admin compliance. */
function cells(line: string): Record<Caller, Outcome> {
  const parts = line.trim().split(/\s+/);
  if (parts.length !== CALLERS.length || parts.some((p) => !["ok", "401", "403", "404"].includes(p)))
    throw new Error(`a matrix row needs ${CALLERS.length} outcomes (ok/401/403/404): "${line}"`);
  return Object.fromEntries(
    CALLERS.map((c, i) => [c, parts[i] === "ok" ? "ok" : Number(parts[i])]),
  ) as Record<Caller, Outcome>;
}
//                             anon pat  phys staff head admin compl
const PUBLIC = cells("         ok   ok   ok   ok    ok   ok    ok ");
const SIGNED_IN = cells("      401  ok   ok   ok    ok   ok    ok ");
const ADMIN_ONLY = cells("     401  403  403  403   403  ok    403");
const AUDITORS = cells("       401  403  403  403   403  ok    ok ");

/** Billing helpers: main campus A's billing identity, and a completed billable visit there on a far day of its own. */
const billingIdentity = {
  placeOfService: "22",
  facilityNpi: "1234567893",
  ein: "123456789",
  billingName: "Main Campus A",
  addressLine: "1 Test Way",
  city: "Riverton",
  region: "NY",
  postalCode: "10001",
};
let billable: Promise<string> | undefined;
function billableDay(g: Fixture): Promise<string> {
  billable ??= (async () => {
    const day = `20${70 + Math.floor(Math.random() * 25)}-03-0${1 + Math.floor(Math.random() * 9)}`;
    const type = `/api/v1/appointment-types/${g.net.appointmentTypeId}`;
    await g.admin.inject({ method: "PATCH", url: type, payload: { billingCode: "99213" } });
    await g.admin.inject({
      method: "PUT",
      url: `/api/v1/analytics/fee-schedules/${g.net.main.id}/${g.net.appointmentTypeId}`,
      payload: { feeCents: 9000, billingCode: "99213" },
    });
    await g.admin.inject({
      method: "PUT",
      url: `/api/v1/billing/identities/${g.net.main.id}`,
      payload: billingIdentity,
    });
    await insertAppointment(rounds.database.db, g.net, {
      patient: g.p2,
      location: g.net.main.id,
      start: new Date(`${day}T15:00:00Z`),
      status: "completed",
      bookedBefore: 86_400_000,
    });
    return day;
  })();
  return billable;
}

/** Pricing and capacity helpers: a rule at A, X's contract, a tiny proposal in a far-future week. */
let quoted: string | undefined;
/** One option with X at B for every quote (a quote books nothing, so it need not use up the pool). */
const quoteOption = (g: Fixture) => {
  quoted ??= g.optionB();
  return quoted;
};
const pricingRule = (g: Fixture) => ({
  locationId: g.net.main.id,
  kind: "off_peak_discount",
  weekdays: [1],
  startTime: "08:00",
  endTime: "09:00",
  utilisationThreshold: 0.2,
  percent: 5,
});
async function newPricingRule(g: Fixture): Promise<string> {
  const res = await g.admin.inject({ method: "POST", url: "/api/v1/pricing-rules", payload: pricingRule(g) });
  return (res.json() as { id: string }).id;
}
const contractOf = (g: Fixture) => ({
  homeLocationId: g.net.main.id,
  locationIds: [g.net.main.id, g.net.satellite.id],
  hoursPerWeek: 8,
  weekdays: [3],
});
const capacityProposal = (g: Fixture) => ({
  specialty: g.net.specialty,
  startDate: g.week().monday,
  weeks: 1,
  weekdays: [3],
  demand: [{ locationId: g.net.main.id, hoursPerWeek: 8 }],
});
async function newCapacityPlan(g: Fixture): Promise<string> {
  await g.admin.inject({
    method: "PUT",
    url: `/api/v1/capacity-plans/contracts/${g.x}`,
    payload: contractOf(g),
  });
  const res = await g.admin.inject({
    method: "POST",
    url: "/api/v1/capacity-plans",
    payload: capacityProposal(g),
  });
  return (res.json() as { id: string }).id;
}

interface Fixture {
  net: ClinicNetwork;
  admin: Client;
  as: Record<Role, Client>;
  p1: string;
  p2: string;
  dependent: string;
  x: string;
  y: string;
  yType: string;
  apptB: string;
  apptA: string;
  dayB: string;
  roomA: string;
  roomB: string;
  spare: string;
  spareType: string;
  staffUser: string;
  spareUser: string;
  /** Per caller, named ids and private text no 2xx answer may contain unless the caller sent them. */
  hidden: Record<Caller, Record<string, string>>;
  /** P1 booked (or held) with X at B, in a slot no other request uses. */
  appointmentB(status?: "booked" | "held"): Promise<string>;
  /** A hold with X at B for this patient, placed by an administrator. */
  hold(patientId: string): Promise<string>;
  /** P2 booked with Y at A. */
  appointmentA(): Promise<string>;
  /** An unused bookable option: X at B, or Y at A. */
  optionB(): string;
  optionA(): string;
  patient(): Promise<string>;
  /** A far-future week nobody else uses, so schedule writes never touch bookable time. */
  week(): { monday: string; friday: string };
  token(who: Caller): Promise<string | undefined>;
  grant(): Promise<string>;
  /** An in-app message to this patient (the confirmation the notification worker delivers). */
  message(patientId: string): Promise<string>;
  /** The schedule event of P1's booking at B: live streams replay everything after it. */
  firstEvent(): Promise<number>;
  /** A waitlist entry of this patient for X, far ahead (no slot is ever offered for it). */
  entry(patientId: string): Promise<string>;
  /** An open waitlist offer to this patient: a slot with X at B freed and offered to them. */
  offer(patientId: string): Promise<string>;
  /** An open reschedule offer to this patient: their appointment with X at B, a later time held for them. */
  rescheduleOffer(patientId: string): Promise<string>;
  /** A physician of X's specialty who works at main campus A every day, all day (so "today" is always a working day). */
  z: string;
}

let rounds: Rounds;
let f: Fixture;

const call = (c: Client, method: Method, url: string, payload?: Record<string, unknown>) =>
  c.inject({ method, url, ...(payload ? { payload } : {}) });
async function created(res: { statusCode: number; body: string; json(): unknown }): Promise<string> {
  if (res.statusCode !== 201) throw new Error(`fixture: ${res.statusCode} ${res.body}`);
  return (res.json() as { id: string }).id;
}

/** Non-overlapping bookable options of one physician at one location, over local days [first, last]. */
async function options(
  admin: Client,
  net: ClinicNetwork,
  type: string,
  physician: string,
  location: string,
  [first, last]: [number, number],
): Promise<OptionDto[]> {
  const from = encodeURIComponent(net.at("00:00", first));
  const to = encodeURIComponent(net.at("23:59", last));
  const res = await admin.inject({
    url: `/api/v1/availability?appointmentTypeId=${type}&physicianId=${physician}&locationIds=${location}&from=${from}&to=${to}&limit=200`,
  });
  if (res.statusCode !== 200) throw new Error(`availability: ${res.statusCode} ${res.body}`);
  const all = (res.json() as { options: OptionDto[] }).options;
  // half-hour starts only, so no two options overlap for the physician or the patient
  return all.filter((o) => /:(00|30)$/.test(o.local.time)).sort((a, b) => a.start.localeCompare(b.start));
}

async function buildFixture(): Promise<Fixture> {
  const net = await buildClinicNetwork(rounds);
  const admin = net.admin;
  const [A, B] = [net.main.id, net.satellite.id];
  const otherSpecialty = `spec_${unique(8).toLowerCase()}`;
  await call(admin, "POST", "/api/v1/specialties", { code: otherSpecialty, name: `Other ${otherSpecialty}` });
  const y = await created(
    await call(admin, "POST", "/api/v1/physicians", {
      npi: `8${String(Math.floor(Math.random() * 1e9)).padStart(9, "0")}`,
      givenName: "Yan",
      familyName: `Other${unique(4)}`,
      primarySpecialty: otherSpecialty,
    }),
  );
  const typeBody = (specialty: string) => ({
    code: `T${unique(8)}`,
    name: "Consultation",
    specialty,
    durationMinutes: 30,
    roomKind: "exam",
    visitKind: "new",
  });
  const yType = await created(
    await call(admin, "POST", "/api/v1/appointment-types", typeBody(otherSpecialty)),
  );
  const spareType = await created(
    await call(admin, "POST", "/api/v1/appointment-types", typeBody(otherSpecialty)),
  );
  for (const weekday of [1, 2, 3, 4, 5])
    await created(
      await call(admin, "POST", `/api/v1/physicians/${y}/templates`, {
        locationId: A,
        weekday,
        startTime: "08:00",
        endTime: "12:00",
        effectiveFrom: "2020-01-01",
      }),
    );
  const department = await created(
    await call(admin, "POST", `/api/v1/locations/${A}/departments`, {
      specialty: net.specialty,
      name: "Matrix",
    }),
  );
  const spare = (await createLocation(rounds, { latitude: 40.6, longitude: -73.9 })).id;
  const z = await created(
    await call(admin, "POST", "/api/v1/physicians", {
      npi: `7${String(Math.floor(Math.random() * 1e9)).padStart(9, "0")}`,
      givenName: "Zia",
      familyName: `Always${unique(4)}`,
      primarySpecialty: net.specialty,
    }),
  );
  for (const weekday of [1, 2, 3, 4, 5, 6, 7])
    await created(
      await call(admin, "POST", `/api/v1/physicians/${z}/templates`, {
        locationId: A,
        weekday,
        startTime: "00:00",
        endTime: "23:59",
        effectiveFrom: "2020-01-01",
      }),
    );

  const poolB = await options(admin, net, net.appointmentTypeId, net.physicianId, B, [0, 11]);
  // reschedule offers take two options each (the appointment and the time held): a pool of their own, later
  const poolOffers = await options(admin, net, net.appointmentTypeId, net.physicianId, B, [14, 32]);
  const poolA = await options(admin, net, yType, y, A, [0, 2]);
  const take = (pool: OptionDto[]) => {
    const o = pool.shift();
    if (!o) throw new Error("fixture: the option pool ran dry");
    return o.id;
  };
  const book = async (optionId: string, patientId: string) =>
    created(await call(admin, "POST", "/api/v1/appointments", { optionId, patientId }));

  const p1 = net.patientId;
  const p2 = await createPatient(admin);
  const dependent = await createPatient(admin, { birthDate: "2015-03-03" });
  const link = await call(admin, "POST", `/api/v1/patients/${p1}/dependents`, {
    dependentId: dependent,
    relationship: "parent",
  });
  if (link.statusCode !== 201) throw new Error(`fixture: ${link.statusCode} ${link.body}`);
  if (poolB[0]?.local.date !== net.monday) throw new Error("fixture: X is not bookable at B on Monday");
  const apptB = await book(take(poolB), p1);
  const apptA = await book(take(poolA), p2);
  // X's private time off that day, before work: only X, their department head and admins may read it
  const secret = `medical leave ${unique(8)}`;
  const timeOff = await created(
    await call(admin, "POST", `/api/v1/physicians/${net.physicianId}/time-off`, {
      startsAt: net.at("06:00"),
      endsAt: net.at("07:00"),
      reason: secret,
      status: "requested",
    }),
  );

  const staff = await clientFor(rounds, "location_staff", { locationIds: [A] });
  const as: Record<Role, Client> = {
    admin,
    patient: await clientFor(rounds, "patient", { patientId: p1 }),
    physician: await clientFor(rounds, "physician", { physicianId: net.physicianId }),
    location_staff: staff,
    department_head: await clientFor(rounds, "department_head", { departmentIds: [department] }),
    compliance: await clientFor(rounds, "compliance"),
  };
  const spareUser = await created(
    await call(admin, "POST", "/api/v1/users", {
      email: `spare.${unique(10).toLowerCase()}@test.rounds.invalid`,
      displayName: "Spare User",
      role: "compliance",
    }),
  );
  // holds are limited per user: setup holds come from helpers, a new one every three holds
  const holders: Client[] = [];
  let holds = 0;
  const glassBreaker = await clientFor(rounds, "location_staff", { locationIds: [spare] });
  let weeks = 0;
  const patient = () => createPatient(admin);
  const hold = async (patientId: string) => {
    if (holds++ % 3 === 0) holders.push(clientOf(rounds, await signIn(rounds, "admin")));
    return created(
      await call(holders.at(-1)!, "POST", "/api/v1/holds", { optionId: take(poolB), patientId }),
    );
  };

  return {
    net,
    admin,
    as,
    p1,
    p2,
    dependent,
    x: net.physicianId,
    y,
    z,
    yType,
    apptB,
    apptA,
    dayB: net.monday,
    roomA: net.main.roomIds[0]!,
    roomB: net.satellite.roomIds[0]!,
    spare,
    spareType,
    staffUser: staff.user.userId,
    spareUser,
    hidden: ((): Record<Caller, Record<string, string>> => {
      const patients = { P1: p1, "dependent D": dependent, "P1's appointment at B": apptB };
      const others = { P2: p2, "P2's appointment with Y": apptA };
      const leave = { "X's time-off id": timeOff, "X's time-off reason": secret };
      return {
        anonymous: { ...patients, ...others, ...leave },
        patient: { ...others, ...leave },
        physician: others,
        location_staff: { ...patients, ...leave },
        // heads see appointments of their physicians as redacted events: ids, never patients
        department_head: { P1: p1, "dependent D": dependent, P2: p2 },
        admin: {},
        compliance: leave,
      };
    })(),
    appointmentB: (status = "booked") => (status === "booked" ? book(take(poolB), p1) : hold(p1)),
    hold,
    appointmentA: () => book(take(poolA), p2),
    optionB: () => take(poolB),
    optionA: () => take(poolA),
    patient,
    week() {
      const monday = Temporal.PlainDate.from("2090-01-02").add({ days: 7 * weeks++ });
      return { monday: monday.toString(), friday: monday.add({ days: 4 }).toString() };
    },
    async token(who) {
      if (who === "anonymous") return undefined;
      const res = await rounds.app.inject({
        method: "POST",
        url: "/api/v1/auth/login",
        payload: { email: as[who].user.email, password: TEST_PASSWORD },
      });
      if (res.statusCode !== 200) throw new Error(`login: ${res.statusCode} ${res.body}`);
      return (res.json() as { token: string }).token;
    },
    async message(patientId) {
      for (let tries = 0; tries < 150; tries++) {
        const res = await admin.inject({ url: `/api/v1/notifications?patientId=${patientId}` });
        const first = (res.json() as { items?: Array<{ id: string }> }).items?.[0];
        if (first) return first.id;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error("fixture: no in-app message arrived");
    },
    async firstEvent() {
      const { rows } = await sql<{ seq: string }>`
        SELECT seq FROM schedule_events WHERE appointment_id = ${apptB} ORDER BY seq LIMIT 1`.execute(
        rounds.database.db,
      );
      return Number(rows[0]!.seq);
    },
    entry: async (patientId) =>
      created(
        await call(admin, "POST", "/api/v1/waitlist/entries", {
          patientId,
          appointmentTypeId: net.appointmentTypeId,
          physicianId: net.physicianId,
          from: "2090-01-02T00:00:00Z",
          to: "2090-01-03T00:00:00Z",
        }),
      ),
    async offer(patientId) {
      const taken = (
        await call(admin, "POST", "/api/v1/appointments", {
          optionId: take(poolB),
          patientId: await patient(),
        })
      ).json() as {
        id: string;
        start: string;
        end: string;
      };
      const entryId = await created(
        await call(admin, "POST", "/api/v1/waitlist/entries", {
          patientId,
          appointmentTypeId: net.appointmentTypeId,
          physicianId: net.physicianId,
          from: taken.start,
          to: taken.end,
        }),
      );
      await call(admin, "POST", `/api/v1/appointments/${taken.id}/cancel`, {
        reason: "freed for the waitlist",
      });
      for (let tries = 0; tries < 150; tries++) {
        await rounds.waitlist.filler.runOnce();
        const res = await admin.inject({ url: "/api/v1/waitlist/offers?status=offered&limit=200" });
        const made = (res.json() as { items: Array<{ id: string; entryId: string }> }).items.find(
          (o) => o.entryId === entryId,
        );
        if (made) return made.id;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error("fixture: the freed slot was not offered");
    },
    async rescheduleOffer(patientId) {
      const appointmentId = await book(take(poolOffers), patientId);
      if (holds++ % 3 === 0) holders.push(clientOf(rounds, await signIn(rounds, "admin")));
      const holdId = await created(
        await call(holders.at(-1)!, "POST", "/api/v1/holds", { optionId: take(poolOffers), patientId }),
      );
      const a = (await call(admin, "GET", `/api/v1/appointments/${appointmentId}`)).json() as {
        start: string;
        end: string;
        appointmentTypeId: string;
      };
      const item = {
        appointmentId,
        patientId,
        locationId: B,
        appointmentTypeId: a.appointmentTypeId,
        start: a.start,
        end: a.end,
        alternatives: [],
      };
      const change = {
        change: "time_off",
        physicianId: net.physicianId,
        startsAt: a.start,
        endsAt: a.end,
        reason: null,
      };
      // an applied plan whose offer is still open, as applying with the offer policy leaves it
      const { rows } = await sql<{ id: string }>`
        WITH plan AS (
          INSERT INTO reschedule_plans (physician_id, change, plan_stamp, items, created_by, expires_at, status, applied_by, applied_at)
          VALUES (${net.physicianId}, ${JSON.stringify(change)}::jsonb, gen_random_uuid(), ${JSON.stringify([item])}::jsonb,
            ${admin.user.userId}, now() + interval '30 minutes', 'applied', ${admin.user.userId}, now())
          RETURNING id
        )
        INSERT INTO reschedule_outcomes (plan_id, appointment_id, location_id, patient_id, starts_at, policy, state, hold_id, offer_expires_at)
        SELECT plan.id, ${appointmentId}, ${B}, ${patientId}, ${a.start}::timestamptz, 'offer', 'offered', ${holdId}, now() + interval '1 hour'
        FROM plan RETURNING id`.execute(rounds.database.db);
      return rows[0]!.id;
    },
    async grant() {
      const body = { patientId: await patient(), reason: "patient collapsed in the lobby" };
      return created(await call(glassBreaker, "POST", "/api/v1/break-glass", body));
    },
  };
}

const schedule = (g: Fixture, physician: string) =>
  `/api/v1/physicians/${physician}/schedule?from=${g.dayB}&to=${g.dayB}`;
const templateBody = (g: Fixture) => {
  const w = g.week();
  const body = { locationId: g.net.satellite.id, weekday: 1, startTime: "06:00", endTime: "07:00" };
  return { ...body, effectiveFrom: w.monday, effectiveTo: w.friday };
};
const overrideBody = (g: Fixture) => {
  const w = g.week();
  const body = { locationId: g.net.satellite.id, kind: "temporary", startTime: "06:00", endTime: "07:00" };
  return { ...body, startDate: w.monday, endDate: w.friday };
};
const timeOffBody = (g: Fixture) => {
  const w = g.week();
  return { startsAt: `${w.monday}T06:00:00Z`, endsAt: `${w.monday}T07:00:00Z`, reason: "conference" };
};
const availability = (g: Fixture, patientId: string) => {
  const from = encodeURIComponent(g.net.at("00:00"));
  const to = encodeURIComponent(g.net.at("23:59"));
  return `/api/v1/availability?appointmentTypeId=${g.net.appointmentTypeId}&physicianId=${g.x}&locationIds=${g.net.satellite.id}&from=${from}&to=${to}&patientId=${patientId}`;
};
const suggestions = (g: Fixture, patientId: string) =>
  availability(g, patientId).replace("/availability?", "/availability/suggestions?");
/** A family search for these patients with X at main campus A, on a day two weeks on that nothing else books. */
const familySearch = (g: Fixture, patientIds: string[], dayOffset: number) => ({
  members: patientIds.map((patientId) => ({
    patientId,
    appointmentTypeId: g.net.appointmentTypeId,
    physicianId: g.x,
  })),
  locationIds: [g.net.main.id],
  from: g.net.at("00:00", dayOffset),
  to: g.net.at("23:59", dayOffset),
  limit: 50,
});
let tripDays = 0;
/**
 * A trip of P1 and a fresh dependent of P1's, found by an administrator on a weekday of its own
 * (a booking gives X and A's desk a standing appointment with whom it books: a fresh dependent
 * keeps each request's outcome the table's).
 */
async function familyTrip(g: Fixture): Promise<Record<string, unknown>> {
  const n = tripDays++;
  const dayOffset = 21 + Math.floor(n / 5) * 7 + (n % 5);
  const dependent = await linkFresh(g, g.p1);
  const res = await call(
    g.admin,
    "POST",
    "/api/v1/family-searches",
    familySearch(g, [g.p1, dependent], dayOffset),
  );
  if (res.statusCode !== 200) throw new Error(`fixture: ${res.statusCode} ${res.body}`);
  const trips = (
    res.json() as {
      trips: Array<{ id: string; members: Array<{ patientId: string; option: { id: string } }> }>;
    }
  ).trips;
  if (!trips[0]) throw new Error("fixture: no family trip");
  return {
    tripId: trips[0].id,
    members: trips[0].members.map((m) => ({ patientId: m.patientId, optionId: m.option.id })),
  };
}
async function setup(c: Client, url: string, payload: Record<string, unknown>): Promise<string> {
  return created(await call(c, "POST", url, payload));
}
/** A fresh mobile item of equipment at a location (inactive: out of service until put back). */
const freshItem = (g: Fixture, locationId: string, active = true) =>
  setup(g.admin, `/api/v1/locations/${locationId}/equipment`, {
    kind: "ecg",
    name: "ECG cart",
    assetTag: `AT-${unique(8)}`,
    mobile: true,
    active,
  });
/** A fresh room at a location, out of service until put back. */
const idleRoom = (g: Fixture, locationId: string) =>
  setup(g.admin, `/api/v1/locations/${locationId}/rooms`, {
    code: `R${unique(6)}`,
    name: "Exam",
    kind: "exam",
    active: false,
  });
/** A fresh "what if" of time off for a physician, made by an administrator. */
const reschedulePlan = (g: Fixture, physicianId: string) =>
  setup(g.admin, "/api/v1/reschedule-plans", { change: "time_off", physicianId, ...timeOffBody(g) });
const linkFresh = async (g: Fixture, guardian: string, dependent?: string) => {
  const dependentId = dependent ?? (await g.patient());
  await setup(g.admin, `/api/v1/patients/${guardian}/dependents`, { dependentId, relationship: "caregiver" });
  return dependentId;
};

/** A patient registered by the front desk of main campus A (so in A's scope, and only A's). */
const staffPatient = (g: Fixture) =>
  setup(g.as.location_staff, "/api/v1/patients", {
    mrn: `R-${unique(10)}`,
    givenName: "Walk",
    familyName: `In${unique(4)}`,
    birthDate: "1985-05-05",
    sex: "female",
  });

const CHANNELS = { channels: { email: false, sms: false, inApp: true } };
const referralBody = (g: Fixture, patientId: string, toLocationId: string) => ({
  patientId,
  toLocationId,
  specialty: g.net.specialty,
  reason: "Matrix referral",
});
/** A referral of this patient to this location, made by this client. */
const referralOf = async (g: Fixture, by: Client, patientId: string, toLocationId: string) =>
  created(await call(by, "POST", "/api/v1/referrals", referralBody(g, patientId, toLocationId)));

// biome-ignore format: the matrix reads as a table
const matrix: Row[] = [
  // ── identity ──────────────────────────────────────────────────────────── anon pat  phys staff head admin compl
  { route: "POST /api/v1/auth/logout", target: "of a fresh session of their own",
    request: async (g, who) => {
      const token = await g.token(who);
      return { url: "/api/v1/auth/logout", ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}) };
    },
    expect: SIGNED_IN },
  { route: "GET /api/v1/auth/me", target: "", request: () => ({ url: "/api/v1/auth/me" }), expect: SIGNED_IN },
  { route: "GET /api/v1/users", target: "", request: () => ({ url: "/api/v1/users" }), expect: ADMIN_ONLY },
  { route: "POST /api/v1/users", target: "creating a compliance officer",
    request: () => ({ url: "/api/v1/users", payload: {
      email: `new.${unique(10).toLowerCase()}@test.rounds.invalid`, displayName: "New Officer", role: "compliance" } }),
    expect: ADMIN_ONLY },
  { route: "GET /api/v1/users/:id", target: "of the staff user", request: (g) => ({ url: `/api/v1/users/${g.staffUser}` }),
    expect: ADMIN_ONLY },
  { route: "PATCH /api/v1/users/:id", target: "renaming a spare user",
    request: (g) => ({ url: `/api/v1/users/${g.spareUser}`, payload: { displayName: "Renamed Spare" } }), expect: ADMIN_ONLY },
  { route: "GET /api/v1/fhir-clients", target: "", request: () => ({ url: "/api/v1/fhir-clients" }), expect: ADMIN_ONLY },
  { route: "POST /api/v1/fhir-clients", target: "registering a system client",
    request: (g) => ({ url: "/api/v1/fhir-clients", payload: { name: "Matrix portal", authMethod: "client_secret",
      scopes: ["system/Slot.read"], locationIds: [g.net.main.id] } }), expect: ADMIN_ONLY },
  { route: "PATCH /api/v1/fhir-clients/:id", target: "renaming a system client",
    request: async (g) => {
      const made = await g.admin.inject({ method: "POST", url: "/api/v1/fhir-clients", payload: { name: "Matrix client",
        authMethod: "client_secret", scopes: ["system/Slot.read"], locationIds: [g.net.main.id] } });
      return { url: `/api/v1/fhir-clients/${(made.json() as { client: { id: string } }).client.id}`,
        payload: { name: "Renamed client" } };
    },
    expect: ADMIN_ONLY },
  { route: "POST /api/v1/break-glass", target: "for a patient outside their scope",
    request: async (g) => ({ url: "/api/v1/break-glass",
      payload: { patientId: await g.patient(), reason: "unconscious patient, no record here" } }),
    expect: cells("                                                           401  403  ok   ok    403  403   403") },
  { route: "GET /api/v1/break-glass", target: "", request: () => ({ url: "/api/v1/break-glass" }), expect: AUDITORS },
  // reviewing break-the-glass is compliance's duty: the one write compliance is admitted to
  { route: "POST /api/v1/break-glass/:id/review", target: "of an unreviewed grant",
    request: async (g) => ({ url: `/api/v1/break-glass/${await g.grant()}/review`, payload: { note: "justified" } }),
    expect: AUDITORS },
  { route: "GET /api/v1/audit-events", target: "", request: () => ({ url: "/api/v1/audit-events" }), expect: AUDITORS },
  { route: "GET /api/v1/patients/:id/access-log", target: "of P1",
    request: (g) => ({ url: `/api/v1/patients/${g.p1}/access-log` }),
    expect: cells("                                                           401  ok   403  403   403  ok    ok "),
    also: [{ who: "patient", target: "of another patient P2", expect: 404,
      request: (g) => ({ url: `/api/v1/patients/${g.p2}/access-log` }) }] },

  // ── locations ─────────────────────────────────────────────────────────── anon pat  phys staff head admin compl
  { route: "GET /api/v1/locations", target: "", request: () => ({ url: "/api/v1/locations" }), expect: PUBLIC },
  { route: "POST /api/v1/locations", target: "creating a clinic",
    request: () => ({ url: "/api/v1/locations", payload: { code: `M${unique(8)}`, name: "Matrix Clinic", kind: "satellite",
      latitude: 40.7, longitude: -73.9, timeZone: "America/New_York" } }),
    expect: ADMIN_ONLY },
  { route: "GET /api/v1/locations/:id", target: "of satellite B",
    request: (g) => ({ url: `/api/v1/locations/${g.net.satellite.id}` }), expect: PUBLIC },
  { route: "PATCH /api/v1/locations/:id", target: "of a spare clinic",
    request: (g) => ({ url: `/api/v1/locations/${g.spare}`, payload: { phone: "+1 212 555 0100" } }), expect: ADMIN_ONLY },
  { route: "GET /api/v1/locations/:id/departments", target: "of main campus A",
    request: (g) => ({ url: `/api/v1/locations/${g.net.main.id}/departments` }), expect: PUBLIC },
  { route: "POST /api/v1/locations/:id/departments", target: "at a spare clinic",
    request: (g) => ({ url: `/api/v1/locations/${g.spare}/departments`, payload: { specialty: g.net.specialty, name: `Dept ${unique(4)}` } }),
    expect: ADMIN_ONLY },
  { route: "GET /api/v1/locations/:id/rooms", target: "of satellite B",
    request: (g) => ({ url: `/api/v1/locations/${g.net.satellite.id}/rooms` }),
    expect: cells("                                                           401  403  403  404   403  ok    403"),
    also: [{ who: "location_staff", target: "of their own main campus A", expect: "ok",
      request: (g) => ({ url: `/api/v1/locations/${g.net.main.id}/rooms` }) }] },
  { route: "GET /api/v1/locations/:id/overbooking-rule", target: "of satellite B",
    request: (g) => ({ url: `/api/v1/locations/${g.net.satellite.id}/overbooking-rule` }),
    expect: cells("                                                           401  403  403  404   403  ok    403"),
    also: [{ who: "location_staff", target: "of their own main campus A", expect: "ok",
      request: (g) => ({ url: `/api/v1/locations/${g.net.main.id}/overbooking-rule` }) }] },
  { route: "GET /api/v1/locations/:id/extra-seats", target: "of satellite B",
    request: (g) => ({ url: `/api/v1/locations/${g.net.satellite.id}/extra-seats?from=2030-01-01T00:00:00Z&to=2030-01-02T00:00:00Z` }),
    expect: cells("                                                           401  403  403  404   403  ok    403"),
    also: [{ who: "location_staff", target: "of their own main campus A", expect: "ok",
      request: (g) => ({ url: `/api/v1/locations/${g.net.main.id}/extra-seats?from=2030-01-01T00:00:00Z&to=2030-01-02T00:00:00Z` }) }] },
  { route: "PUT /api/v1/locations/:id/overbooking-rule", target: "of a spare clinic (left off)",
    request: (g) => ({ url: `/api/v1/locations/${g.spare}/overbooking-rule`, payload: { enabled: false, threshold: 2 } }),
    expect: cells("                                                           401  403  403  404   403  ok    403"),
    also: [{ who: "location_staff", target: "of their own main campus A (left off)", expect: "ok",
      request: (g) => ({ url: `/api/v1/locations/${g.net.main.id}/overbooking-rule`, payload: { enabled: false, threshold: 2 } }) }] },
  { route: "POST /api/v1/locations/:id/rooms", target: "at a spare clinic",
    request: (g) => ({ url: `/api/v1/locations/${g.spare}/rooms`, payload: { code: `R${unique(6)}`, name: "Exam", kind: "exam" } }),
    expect: ADMIN_ONLY },
  { route: "GET /api/v1/rooms/:id", target: "of a room at satellite B",
    request: (g) => ({ url: `/api/v1/rooms/${g.roomB}` }),
    expect: cells("                                                           401  403  403  404   403  ok    403"),
    also: [{ who: "location_staff", target: "of a room at their own main campus A", expect: "ok",
      request: (g) => ({ url: `/api/v1/rooms/${g.roomA}` }) }] },
  { route: "PATCH /api/v1/rooms/:id", target: "of a room at satellite B",
    request: (g) => ({ url: `/api/v1/rooms/${g.roomB}`, payload: { name: "Exam 1" } }),
    expect: cells("                                                           401  403  403  404   403  ok    403"),
    also: [{ who: "location_staff", target: "of a room at their own main campus A", expect: "ok",
      request: (g) => ({ url: `/api/v1/rooms/${g.roomA}`, payload: { name: "Exam 1" } }) }] },
  { route: "POST /api/v1/rooms/:id/out-of-service", target: "a room at satellite B",
    request: (g) => ({ url: `/api/v1/rooms/${g.roomB}/out-of-service`, payload: {} }),
    expect: cells("                                                           401  403  403  404   403  ok    403"),
    also: [{ who: "location_staff", target: "a room at their own main campus A", expect: "ok",
      request: (g) => ({ url: `/api/v1/rooms/${g.roomA}/out-of-service`, payload: {} }) }] },
  { route: "POST /api/v1/rooms/:id/back-in-service", target: "a room at satellite B",
    request: async (g) => ({ url: `/api/v1/rooms/${await idleRoom(g, g.net.satellite.id)}/back-in-service` }),
    expect: cells("                                                           401  403  403  404   403  ok    403"),
    also: [{ who: "location_staff", target: "a room at their own main campus A", expect: "ok",
      request: async (g) => ({ url: `/api/v1/rooms/${await idleRoom(g, g.net.main.id)}/back-in-service` }) }] },
  { route: "GET /api/v1/equipment/:id", target: "an item at satellite B",
    request: async (g) => ({ url: `/api/v1/equipment/${await freshItem(g, g.net.satellite.id)}` }),
    expect: cells("                                                           401  403  403  404   403  ok    403"),
    also: [{ who: "location_staff", target: "an item at their own main campus A", expect: "ok",
      request: async (g) => ({ url: `/api/v1/equipment/${await freshItem(g, g.net.main.id)}` }) }] },
  { route: "PATCH /api/v1/equipment/:id", target: "an item at satellite B",
    request: async (g) => ({ url: `/api/v1/equipment/${await freshItem(g, g.net.satellite.id)}`, payload: { name: "ECG 2" } }),
    expect: cells("                                                           401  403  403  404   403  ok    403"),
    also: [{ who: "location_staff", target: "an item at their own main campus A", expect: "ok",
      request: async (g) => ({ url: `/api/v1/equipment/${await freshItem(g, g.net.main.id)}`, payload: { name: "ECG 2" } }) }] },
  { route: "POST /api/v1/equipment/:id/out-of-service", target: "an item at satellite B",
    request: async (g) => ({ url: `/api/v1/equipment/${await freshItem(g, g.net.satellite.id)}/out-of-service`, payload: {} }),
    expect: cells("                                                           401  403  403  404   403  ok    403"),
    also: [{ who: "location_staff", target: "an item at their own main campus A", expect: "ok",
      request: async (g) => ({ url: `/api/v1/equipment/${await freshItem(g, g.net.main.id)}/out-of-service`, payload: {} }) }] },
  { route: "POST /api/v1/equipment/:id/back-in-service", target: "an item out of service at satellite B",
    request: async (g) => ({ url: `/api/v1/equipment/${await freshItem(g, g.net.satellite.id, false)}/back-in-service` }),
    expect: cells("                                                           401  403  403  404   403  ok    403"),
    also: [{ who: "location_staff", target: "an item out of service at their own main campus A", expect: "ok",
      request: async (g) => ({ url: `/api/v1/equipment/${await freshItem(g, g.net.main.id, false)}/back-in-service` }) }] },
  { route: "PUT /api/v1/locations/:id/map", target: "of a spare clinic",
    request: (g) => ({ url: `/api/v1/locations/${g.spare}/map`, payload: { type: "FeatureCollection", features: [
      { type: "Feature", id: "door", geometry: { type: "Point", coordinates: [-73.9, 40.6] }, properties: { kind: "entrance", floor: 0 } }] } }),
    expect: ADMIN_ONLY },
  { route: "GET /api/v1/locations/:id/map", target: "of satellite B",
    request: (g) => ({ url: `/api/v1/locations/${g.net.satellite.id}/map` }),
    expect: cells("                                                           401  403  403  404   403  ok    403"),
    also: [{ who: "location_staff", target: "of their own main campus A", expect: "ok",
      request: (g) => ({ url: `/api/v1/locations/${g.net.main.id}/map` }) }] },
  { route: "GET /api/v1/locations/:id/equipment", target: "of satellite B",
    request: (g) => ({ url: `/api/v1/locations/${g.net.satellite.id}/equipment` }),
    expect: cells("                                                           401  403  403  404   403  ok    403"),
    also: [{ who: "location_staff", target: "of their own main campus A", expect: "ok",
      request: (g) => ({ url: `/api/v1/locations/${g.net.main.id}/equipment` }) }] },
  { route: "POST /api/v1/locations/:id/equipment", target: "at a spare clinic",
    request: (g) => ({ url: `/api/v1/locations/${g.spare}/equipment`,
      payload: { kind: "ecg", name: "ECG cart", assetTag: `AT-${unique(8)}`, mobile: true } }),
    expect: ADMIN_ONLY },
  { route: "GET /api/v1/travel-times", target: "", request: () => ({ url: "/api/v1/travel-times" }), expect: SIGNED_IN },
  { route: "PUT /api/v1/travel-times", target: "between a spare clinic and A",
    request: (g) => ({ url: "/api/v1/travel-times", payload: { fromLocationId: g.spare, toLocationId: g.net.main.id, minutes: 25 } }),
    expect: ADMIN_ONLY },
  { route: "DELETE /api/v1/travel-times", target: "between a spare clinic and B",
    request: async (g) => {
      const put = await g.admin.inject({ method: "PUT", url: "/api/v1/travel-times",
        payload: { fromLocationId: g.spare, toLocationId: g.net.satellite.id, minutes: 40 } });
      if (put.statusCode !== 200) throw new Error(`fixture: ${put.statusCode} ${put.body}`);
      return { url: `/api/v1/travel-times?from=${g.spare}&to=${g.net.satellite.id}` };
    },
    expect: ADMIN_ONLY },

  // ── physicians ────────────────────────────────────────────────────────── anon pat  phys staff head admin compl
  { route: "GET /api/v1/specialties", target: "", request: () => ({ url: "/api/v1/specialties" }), expect: PUBLIC },
  { route: "POST /api/v1/specialties", target: "",
    request: () => ({ url: "/api/v1/specialties", payload: { code: `m_${unique(8).toLowerCase()}`, name: `Matrix medicine ${unique(6)}` } }),
    expect: ADMIN_ONLY },
  { route: "GET /api/v1/physicians", target: "", request: () => ({ url: "/api/v1/physicians" }), expect: PUBLIC },
  { route: "POST /api/v1/physicians", target: "",
    request: (g) => ({ url: "/api/v1/physicians", payload: { npi: `7${String(Math.floor(Math.random() * 1e9)).padStart(9, "0")}`,
      givenName: "New", familyName: "Doctor", primarySpecialty: g.net.specialty } }),
    expect: ADMIN_ONLY },
  { route: "GET /api/v1/physicians/:id", target: "of X", request: (g) => ({ url: `/api/v1/physicians/${g.x}` }), expect: PUBLIC },
  { route: "PATCH /api/v1/physicians/:id", target: "of X",
    request: (g) => ({ url: `/api/v1/physicians/${g.x}`, payload: { title: "MD" } }),
    expect: cells("                                                           401  403  403  403   ok   ok    403"),
    also: [{ who: "department_head", target: "of Y, outside their specialty", expect: 404,
      request: (g) => ({ url: `/api/v1/physicians/${g.y}`, payload: { title: "MD" } }) }] },
  { route: "GET /api/v1/physicians/:id/templates", target: "of X",
    request: (g) => ({ url: `/api/v1/physicians/${g.x}/templates` }), expect: SIGNED_IN },
  { route: "POST /api/v1/physicians/:id/templates", target: "of X",
    request: (g) => ({ url: `/api/v1/physicians/${g.x}/templates`, payload: templateBody(g) }),
    expect: cells("                                                           401  403  403  403   ok   ok    403"),
    also: [{ who: "department_head", target: "of Y, outside their specialty", expect: 404,
      request: (g) => ({ url: `/api/v1/physicians/${g.y}/templates`, payload: templateBody(g) }) }] },
  { route: "DELETE /api/v1/physicians/:id/templates/:templateId", target: "of X",
    request: async (g) => ({ url: `/api/v1/physicians/${g.x}/templates/${await setup(g.admin, `/api/v1/physicians/${g.x}/templates`, templateBody(g))}` }),
    expect: cells("                                                           401  403  403  403   ok   ok    403"),
    also: [{ who: "department_head", target: "of Y, outside their specialty", expect: 404,
      request: async (g) => ({ url: `/api/v1/physicians/${g.y}/templates/${await setup(g.admin, `/api/v1/physicians/${g.y}/templates`, templateBody(g))}` }) }] },
  { route: "GET /api/v1/physicians/:id/overrides", target: "of X",
    request: (g) => ({ url: `/api/v1/physicians/${g.x}/overrides` }), expect: SIGNED_IN },
  { route: "POST /api/v1/physicians/:id/overrides", target: "of X",
    request: (g) => ({ url: `/api/v1/physicians/${g.x}/overrides`, payload: overrideBody(g) }),
    expect: cells("                                                           401  403  403  403   ok   ok    403"),
    also: [{ who: "department_head", target: "of Y, outside their specialty", expect: 404,
      request: (g) => ({ url: `/api/v1/physicians/${g.y}/overrides`, payload: overrideBody(g) }) }] },
  { route: "DELETE /api/v1/physicians/:id/overrides/:overrideId", target: "of X",
    request: async (g) => ({ url: `/api/v1/physicians/${g.x}/overrides/${await setup(g.admin, `/api/v1/physicians/${g.x}/overrides`, overrideBody(g))}` }),
    expect: cells("                                                           401  403  403  403   ok   ok    403") },
  { route: "GET /api/v1/physicians/:id/time-off", target: "of X",
    request: (g) => ({ url: `/api/v1/physicians/${g.x}/time-off` }),
    expect: cells("                                                           401  403  ok   403   ok   ok    403"),
    also: [{ who: "physician", target: "of another physician Y", expect: 404,
      request: (g) => ({ url: `/api/v1/physicians/${g.y}/time-off` }) }] },
  { route: "POST /api/v1/physicians/:id/time-off", target: "of X",
    request: (g) => ({ url: `/api/v1/physicians/${g.x}/time-off`, payload: timeOffBody(g) }),
    expect: cells("                                                           401  403  ok   403   ok   ok    403"),
    also: [
      { who: "physician", target: "of another physician Y", expect: 404,
        request: (g) => ({ url: `/api/v1/physicians/${g.y}/time-off`, payload: timeOffBody(g) }) },
      { who: "department_head", target: "of Y, outside their specialty", expect: 404,
        request: (g) => ({ url: `/api/v1/physicians/${g.y}/time-off`, payload: timeOffBody(g) }) },
    ] },
  { route: "DELETE /api/v1/physicians/:id/time-off/:timeOffId", target: "of X",
    request: async (g) => ({ url: `/api/v1/physicians/${g.x}/time-off/${await setup(g.admin, `/api/v1/physicians/${g.x}/time-off`, timeOffBody(g))}` }),
    expect: cells("                                                           401  403  ok   403   ok   ok    403"),
    also: [{ who: "physician", target: "of another physician Y", expect: 404,
      request: async (g) => ({ url: `/api/v1/physicians/${g.y}/time-off/${await setup(g.admin, `/api/v1/physicians/${g.y}/time-off`, timeOffBody(g))}` }) }] },
  { route: "POST /api/v1/reschedule-plans", target: "time off of X",
    request: (g) => ({ url: "/api/v1/reschedule-plans", payload: { change: "time_off", physicianId: g.x, ...timeOffBody(g) } }),
    expect: cells("                                                           401  403  403  403   ok   ok    403"),
    also: [{ who: "department_head", target: "time off of Y, outside their specialty", expect: 404,
      request: (g) => ({ url: "/api/v1/reschedule-plans", payload: { change: "time_off", physicianId: g.y, ...timeOffBody(g) } }) }] },
  { route: "POST /api/v1/physicians/:id/unavailable-today", target: "Z, who works at main campus A today",
    request: (g) => ({ url: `/api/v1/physicians/${g.z}/unavailable-today`, payload: {} }),
    expect: cells("                                                           401  403  404  ok    ok   ok    403"),
    also: [
      { who: "physician", target: "X themself", expect: "ok",
        request: (g) => ({ url: `/api/v1/physicians/${g.x}/unavailable-today`, payload: {} }) },
      { who: "department_head", target: "Y, outside their specialty", expect: 404,
        request: (g) => ({ url: `/api/v1/physicians/${g.y}/unavailable-today`, payload: {} }) },
    ] },
  { route: "GET /api/v1/reschedule-plans", target: "of X",
    request: (g) => ({ url: `/api/v1/reschedule-plans?physicianId=${g.x}` }),
    expect: cells("                                                           401  403  403  403   ok   ok    403"),
    also: [{ who: "department_head", target: "of Y, outside their specialty", expect: 404,
      request: (g) => ({ url: `/api/v1/reschedule-plans?physicianId=${g.y}` }) }] },
  { route: "GET /api/v1/reschedule-plans/:id", target: "a plan for X (a schedule change, the department's)",
    request: async (g) => ({ url: `/api/v1/reschedule-plans/${await reschedulePlan(g, g.x)}` }),
    expect: cells("                                                           401  403  404  404   ok   ok    403"),
    also: [{ who: "department_head", target: "a plan for Y, outside their specialty", expect: 404,
      request: async (g) => ({ url: `/api/v1/reschedule-plans/${await reschedulePlan(g, g.y)}` }) }] },
  { route: "POST /api/v1/reschedule-plans/:id/apply", target: "a plan for X (a schedule change, the department's)",
    request: async (g) => ({ url: `/api/v1/reschedule-plans/${await reschedulePlan(g, g.x)}/apply`, payload: {} }),
    expect: cells("                                                           401  403  404  404   ok   ok    403"),
    also: [{ who: "department_head", target: "a plan for Y, outside their specialty", expect: 404,
      request: async (g) => ({ url: `/api/v1/reschedule-plans/${await reschedulePlan(g, g.y)}/apply`, payload: {} }) }] },
  { route: "GET /api/v1/mobile-equipment", target: "(of their locations)", request: () => ({ url: "/api/v1/mobile-equipment" }),
    expect: cells("                                                           401  403  403  ok    403  ok    403"),
    also: [{ who: "location_staff", target: "of satellite B", expect: 404,
      request: (g) => ({ url: `/api/v1/mobile-equipment?locationId=${g.net.satellite.id}` }) }] },
  { route: "GET /api/v1/reschedule-handovers", target: "at main campus A",
    request: (g) => ({ url: `/api/v1/reschedule-handovers?locationId=${g.net.main.id}` }),
    expect: cells("                                                           401  403  403  ok    403  ok    403"),
    also: [{ who: "location_staff", target: "at satellite B", expect: 404,
      request: (g) => ({ url: `/api/v1/reschedule-handovers?locationId=${g.net.satellite.id}` }) }] },
  { route: "GET /api/v1/reschedule-outcomes", target: "at main campus A",
    request: (g) => ({ url: `/api/v1/reschedule-outcomes?locationId=${g.net.main.id}` }),
    expect: cells("                                                           401  403  403  ok    403  ok    403"),
    also: [{ who: "location_staff", target: "at satellite B", expect: 404,
      request: (g) => ({ url: `/api/v1/reschedule-outcomes?locationId=${g.net.satellite.id}` }) }] },
  { route: "GET /api/v1/reschedule-offers", target: "(of the patients they reach)", request: () => ({ url: "/api/v1/reschedule-offers" }),
    expect: cells("                                                           401  ok   ok   ok    403  ok    403") },
  { route: "GET /api/v1/reschedule-offers/:id", target: "of an open offer to P1",
    request: async (g) => ({ url: `/api/v1/reschedule-offers/${await g.rescheduleOffer(g.p1)}` }),
    expect: cells("                                                           401  ok   ok   404   403  ok    403") },
  { route: "POST /api/v1/reschedule-offers/:id/accept", target: "of an open offer to P1",
    request: async (g) => ({ url: `/api/v1/reschedule-offers/${await g.rescheduleOffer(g.p1)}/accept`, payload: {} }),
    expect: cells("                                                           401  ok   ok   404   403  ok    403") },
  { route: "POST /api/v1/reschedule-offers/:id/decline", target: "of an open offer to P1",
    request: async (g) => ({ url: `/api/v1/reschedule-offers/${await g.rescheduleOffer(g.p1)}/decline` }),
    expect: cells("                                                           401  ok   ok   404   403  ok    403") },
  { route: "GET /api/v1/physicians/:id/assignments", target: "of X on a day with X's private time off",
    request: (g) => ({ url: `/api/v1/physicians/${g.x}/assignments?from=${g.dayB}&to=${g.dayB}` }), expect: SIGNED_IN },

  // ── patients ──────────────────────────────────────────────────────────── anon pat  phys staff head admin compl
  { route: "GET /api/v1/patients", target: "(their own scope)", request: () => ({ url: "/api/v1/patients" }),
    expect: cells("                                                           401  ok   ok   ok    403  ok    403"),
    also: [{ who: "physician", target: "while a stranger merely holds a slot with X", expect: "ok",
      request: async (g) => {
        const stranger = await g.patient();
        await g.hold(stranger);
        return { url: "/api/v1/patients", hidden: { "a stranger who only holds a slot with X": stranger } };
      } }] },
  { route: "POST /api/v1/patients", target: "registering a patient",
    request: () => ({ url: "/api/v1/patients", payload: { mrn: `M-${unique(10)}`, givenName: "New", familyName: "Patient",
      birthDate: "1990-01-01", sex: "male" } }),
    expect: cells("                                                           401  403  403  ok    403  ok    403") },
  // the EMR record: physicians only (their patients, at any location); no one else, not even admin
  { route: "GET /api/v1/patients/:id/records", target: "of P1, seen only at satellite B",
    request: (g) => ({ url: `/api/v1/patients/${g.p1}/records` }),
    expect: cells("                                                           401  403  ok   403   403  403   403"),
    also: [
      { who: "physician", target: "of P2, whom they never saw", expect: 404,
        request: (g) => ({ url: `/api/v1/patients/${g.p2}/records` }) },
    ] },
  { route: "GET /api/v1/patients/:id", target: "of P1, seen only at satellite B",
    request: (g) => ({ url: `/api/v1/patients/${g.p1}` }),
    expect: cells("                                                           401  ok   ok   404   403  ok    403"),
    also: [
      { who: "patient", target: "of another patient P2", expect: 404, request: (g) => ({ url: `/api/v1/patients/${g.p2}` }) },
      { who: "patient", target: "of their dependent D", expect: "ok", request: (g) => ({ url: `/api/v1/patients/${g.dependent}` }) },
      { who: "physician", target: "of P2, whom they never saw", expect: 404, request: (g) => ({ url: `/api/v1/patients/${g.p2}` }) },
      { who: "location_staff", target: "of P2, who has an appointment at A", expect: "ok",
        request: (g) => ({ url: `/api/v1/patients/${g.p2}` }) },
      // book-and-cancel must not buy access: a booking its author cancels within a day opens nothing
      { who: "location_staff", target: "of a patient new to A, after a booking for them at A that its author cancelled a minute later", expect: 404,
        request: async (g) => {
          const stranger = await g.patient();
          const booked = await setup(g.admin, "/api/v1/appointments", { optionId: g.optionA(), patientId: stranger });
          await call(g.admin, "POST", `/api/v1/appointments/${booked}/cancel`, { reason: "booked in error" });
          return { url: `/api/v1/patients/${stranger}` };
        } },
      { who: "location_staff", target: "of a patient their front desk registered at A", expect: "ok",
        request: async (g) => ({ url: `/api/v1/patients/${await staffPatient(g)}` }) },
      { who: "physician", target: "of a stranger whose only hold with X was released", expect: 404,
        request: async (g) => {
          const stranger = await g.patient();
          await g.admin.inject({ method: "DELETE", url: `/api/v1/holds/${await g.hold(stranger)}` });
          return { url: `/api/v1/patients/${stranger}` };
        } },
    ] },
  // physicians read the records of their patients; the front desk and the patient keep them
  { route: "PATCH /api/v1/patients/:id", target: "of P1's phone number",
    request: (g) => ({ url: `/api/v1/patients/${g.p1}`, payload: { phone: "+1 212 555 0199" } }),
    expect: cells("                                                           401  ok   403  404   403  ok    403"),
    also: [
      { who: "patient", target: "of another patient P2", expect: 404,
        request: (g) => ({ url: `/api/v1/patients/${g.p2}`, payload: { phone: "+1 212 555 0199" } }) },
      { who: "patient", target: "of their own date of birth", expect: 403,
        request: (g) => ({ url: `/api/v1/patients/${g.p1}`, payload: { birthDate: "1970-01-01" } }) },
      { who: "location_staff", target: "of P2, who has an appointment at A", expect: "ok",
        request: (g) => ({ url: `/api/v1/patients/${g.p2}`, payload: { phone: "+1 212 555 0199" } }) },
    ] },
  { route: "GET /api/v1/patients/:id/family", target: "of P1",
    request: (g) => ({ url: `/api/v1/patients/${g.p1}/family` }),
    expect: cells("                                                           401  ok   ok   404   403  ok    403"),
    also: [{ who: "patient", target: "of another patient P2", expect: 404,
      request: (g) => ({ url: `/api/v1/patients/${g.p2}/family` }) }] },
  { route: "POST /api/v1/patients/:id/dependents", target: "linking a new dependent to P1",
    request: async (g) => ({ url: `/api/v1/patients/${g.p1}/dependents`, payload: { dependentId: await g.patient(), relationship: "caregiver" } }),
    expect: cells("                                                           401  403  403  404   403  ok    403"),
    also: [
      { who: "location_staff", target: "linking a dependent registered at A to P2 of their location", expect: "ok",
        request: async (g) => ({ url: `/api/v1/patients/${g.p2}/dependents`, payload: { dependentId: await staffPatient(g), relationship: "caregiver" } }) },
      // linking would hand the dependent's record to P2's account
      { who: "location_staff", target: "linking a patient outside A's scope to P2 of their location", expect: 404,
        request: async (g) => ({ url: `/api/v1/patients/${g.p2}/dependents`, payload: { dependentId: await g.patient(), relationship: "caregiver" } }) },
    ] },
  { route: "DELETE /api/v1/patients/:id/dependents/:dependentId", target: "unlinking a dependent of P1",
    request: async (g) => ({ url: `/api/v1/patients/${g.p1}/dependents/${await linkFresh(g, g.p1)}` }),
    expect: cells("                                                           401  403  403  404   403  ok    403"),
    also: [{ who: "location_staff", target: "unlinking a dependent of P2 of their location", expect: "ok",
      request: async (g) => ({ url: `/api/v1/patients/${g.p2}/dependents/${await linkFresh(g, g.p2, await staffPatient(g))}` }) }] },

  // ── appointment types ─────────────────────────────────────────────────── anon pat  phys staff head admin compl
  { route: "GET /api/v1/appointment-types", target: "", request: () => ({ url: "/api/v1/appointment-types" }), expect: PUBLIC },
  { route: "POST /api/v1/appointment-types", target: "",
    request: (g) => ({ url: "/api/v1/appointment-types", payload: { code: `M${unique(8)}`, name: "Matrix visit",
      specialty: g.net.specialty, durationMinutes: 20, visitKind: "follow_up" } }),
    expect: ADMIN_ONLY },
  { route: "GET /api/v1/appointment-types/:id", target: "",
    request: (g) => ({ url: `/api/v1/appointment-types/${g.net.appointmentTypeId}` }), expect: PUBLIC },
  { route: "PATCH /api/v1/appointment-types/:id", target: "of a spare type",
    request: (g) => ({ url: `/api/v1/appointment-types/${g.spareType}`, payload: { name: "Renamed visit" } }), expect: ADMIN_ONLY },

  // ── availability, holds and appointments ──────────────────────────────── anon pat  phys staff head admin compl
  // staff search and book for patients of their scope, at any location (cross-location referrals)
  { route: "GET /api/v1/availability", target: "for P1 with X at B",
    request: (g) => ({ url: availability(g, g.p1) }),
    expect: cells("                                                           401  ok   ok   404   403  ok    403"),
    also: [
      { who: "location_staff", target: "for a patient registered at A, with X at B (a referral)", expect: "ok",
        request: async (g) => ({ url: availability(g, await staffPatient(g)) }) },
      { who: "patient", target: "for another patient P2", expect: 404, request: (g) => ({ url: availability(g, g.p2) }) },
      { who: "physician", target: "for P2, whom they never saw", expect: 404, request: (g) => ({ url: availability(g, g.p2) }) },
    ] },
  { route: "GET /api/v1/availability/suggestions", target: "for P1 with X at B",
    request: (g) => ({ url: suggestions(g, g.p1) }),
    expect: cells("                                                           401  ok   ok   404   403  ok    403"),
    also: [
      { who: "location_staff", target: "for a patient registered at A, with X at B (a referral)", expect: "ok",
        request: async (g) => ({ url: suggestions(g, await staffPatient(g)) }) },
      { who: "patient", target: "for another patient P2", expect: 404, request: (g) => ({ url: suggestions(g, g.p2) }) },
    ] },
  { route: "POST /api/v1/appointments/:id/extra-seat", target: "of an appointment that does not exist, for P1",
    request: (g) => ({ url: "/api/v1/appointments/00000000-0000-4000-8000-000000000000/extra-seat", payload: { patientId: g.p1 } }),
    expect: cells("                                                           401  403  403  404   403  404   403") },
  { route: "POST /api/v1/holds", target: "for P1 with X at B",
    request: (g) => ({ url: "/api/v1/holds", payload: { optionId: g.optionB(), patientId: g.p1 } }),
    expect: cells("                                                           401  ok   ok   404   403  ok    403"),
    also: [
      { who: "location_staff", target: "for a patient registered at A, with X at B (a referral)", expect: "ok",
        request: async (g) => ({ url: "/api/v1/holds", payload: { optionId: g.optionB(), patientId: await staffPatient(g) } }) },
      { who: "patient", target: "for another patient P2", expect: 404,
        request: (g) => ({ url: "/api/v1/holds", payload: { optionId: g.optionB(), patientId: g.p2 } }) },
    ] },
  { route: "DELETE /api/v1/holds/:id", target: "of P1's hold at satellite B",
    request: async (g) => ({ url: `/api/v1/holds/${await g.appointmentB("held")}` }),
    expect: cells("                                                           401  ok   ok   404   403  ok    403") },
  { route: "POST /api/v1/appointments", target: "for P1 with X at B",
    request: (g) => ({ url: "/api/v1/appointments", payload: { optionId: g.optionB(), patientId: g.p1 } }),
    expect: cells("                                                           401  ok   ok   404   403  ok    403"),
    also: [
      { who: "location_staff", target: "for a patient registered at A, with X at B (a referral)", expect: "ok",
        request: async (g) => ({ url: "/api/v1/appointments", payload: { optionId: g.optionB(), patientId: await staffPatient(g) } }) },
      { who: "patient", target: "for another patient P2", expect: 404,
        request: (g) => ({ url: "/api/v1/appointments", payload: { optionId: g.optionB(), patientId: g.p2 } }) },
      { who: "physician", target: "for P2, whom they never saw", expect: 404,
        request: (g) => ({ url: "/api/v1/appointments", payload: { optionId: g.optionB(), patientId: g.p2 } }) },
    ] },
  { route: "GET /api/v1/appointments", target: "(their own scope)", request: () => ({ url: "/api/v1/appointments" }),
    expect: cells("                                                           401  ok   ok   ok    403  ok    403"),
    also: [
      { who: "location_staff", target: "filtered to satellite B", expect: 404,
        request: (g) => ({ url: `/api/v1/appointments?locationId=${g.net.satellite.id}` }) },
      { who: "location_staff", target: "filtered to their own main campus A", expect: "ok",
        request: (g) => ({ url: `/api/v1/appointments?locationId=${g.net.main.id}` }) },
      { who: "patient", target: "filtered to another patient P2", expect: 404,
        request: (g) => ({ url: `/api/v1/appointments?patientId=${g.p2}` }) },
      { who: "physician", target: "filtered to another physician Y", expect: 404,
        request: (g) => ({ url: `/api/v1/appointments?physicianId=${g.y}` }) },
    ] },
  { route: "GET /api/v1/appointments/:id", target: "of P1's appointment at satellite B",
    request: (g) => ({ url: `/api/v1/appointments/${g.apptB}` }),
    expect: cells("                                                           401  ok   ok   404   403  ok    403"),
    also: [
      { who: "location_staff", target: "of P2's appointment at their main campus A", expect: "ok",
        request: (g) => ({ url: `/api/v1/appointments/${g.apptA}` }) },
      { who: "patient", target: "of another patient's appointment", expect: 404,
        request: (g) => ({ url: `/api/v1/appointments/${g.apptA}` }) },
      { who: "physician", target: "of another physician's appointment", expect: 404,
        request: (g) => ({ url: `/api/v1/appointments/${g.apptA}` }) },
    ] },
  { route: "GET /api/v1/appointments/:id/route", target: "of P1's appointment at satellite B",
    request: (g) => ({ url: `/api/v1/appointments/${g.apptB}/route` }),
    expect: cells("                                                           401  ok   ok   404   403  ok    403"),
    also: [
      { who: "location_staff", target: "of P2's appointment at their main campus A", expect: "ok",
        request: (g) => ({ url: `/api/v1/appointments/${g.apptA}/route` }) },
      { who: "patient", target: "of another patient's appointment", expect: 404,
        request: (g) => ({ url: `/api/v1/appointments/${g.apptA}/route` }) },
    ] },
  { route: "POST /api/v1/appointments/:id/cancel", target: "of P1's appointment at satellite B",
    request: async (g) => ({ url: `/api/v1/appointments/${await g.appointmentB()}/cancel`, payload: { reason: "feeling better" } }),
    expect: cells("                                                           401  ok   ok   404   403  ok    403"),
    also: [
      { who: "location_staff", target: "of P2's appointment at their main campus A", expect: "ok",
        request: async (g) => ({ url: `/api/v1/appointments/${await g.appointmentA()}/cancel`, payload: { reason: "called in" } }) },
      { who: "physician", target: "of another physician's appointment", expect: 404,
        request: async (g) => ({ url: `/api/v1/appointments/${await g.appointmentA()}/cancel`, payload: { reason: "called in" } }) },
    ] },
  { route: "POST /api/v1/appointments/:id/reschedule", target: "of P1's appointment at satellite B",
    request: async (g) => ({ url: `/api/v1/appointments/${await g.appointmentB()}/reschedule`, payload: { optionId: g.optionB() } }),
    expect: cells("                                                           401  ok   403  404   403  ok    403"),
    also: [{ who: "location_staff", target: "of P2's appointment at their main campus A", expect: "ok",
      request: async (g) => ({ url: `/api/v1/appointments/${await g.appointmentA()}/reschedule`, payload: { optionId: g.optionA() } }) }] },
  { route: "POST /api/v1/appointments/:id/status", target: "checking in P1 at satellite B",
    request: async (g) => ({ url: `/api/v1/appointments/${await g.appointmentB()}/status`, payload: { status: "checked_in" } }),
    expect: cells("                                                           401  403  ok   404   403  ok    403"),
    also: [{ who: "location_staff", target: "checking in P2 at their main campus A", expect: "ok",
      request: async (g) => ({ url: `/api/v1/appointments/${await g.appointmentA()}/status`, payload: { status: "checked_in" } }) }] },
  { route: "PUT /api/v1/appointments/:id/notes", target: "on P1's appointment at satellite B",
    // notes leave the visit as it was: the fixture's own appointments, not fresh ones from the pools
    request: (g) => ({ url: `/api/v1/appointments/${g.apptB}/notes`, payload: { notes: "bring the referral letter" } }),
    expect: cells("                                                           401  403  ok   404   403  ok    403"),
    also: [{ who: "location_staff", target: "on P2's appointment at their main campus A", expect: "ok",
      request: (g) => ({ url: `/api/v1/appointments/${g.apptA}/notes`, payload: { notes: "wheelchair at the entrance" } }) }] },
  // staff see every physician's day across the network, other locations' visits only as busy time
  { route: "GET /api/v1/physicians/:id/schedule", target: "of X on the day of P1's visit",
    request: (g) => ({ url: schedule(g, g.x) }),
    expect: cells("                                                           401  403  ok   ok    ok   ok    403"),
    also: [
      { who: "physician", target: "of another physician Y", expect: 404, request: (g) => ({ url: schedule(g, g.y) }) },
      { who: "department_head", target: "of Y, outside their specialty", expect: 404, request: (g) => ({ url: schedule(g, g.y) }) },
    ] },
  // ── referrals ─────────────────────────────────────────────────────────── anon pat  phys staff head admin compl
  { route: "POST /api/v1/referrals", target: "of P1 to satellite B",
    request: (g) => ({ url: "/api/v1/referrals", payload: referralBody(g, g.p1, g.net.satellite.id) }),
    expect: cells("                                                           401  403  ok   404   403  ok    403"),
    also: [{ who: "location_staff", target: "of P2 of their location to satellite B", expect: "ok",
      request: (g) => ({ url: "/api/v1/referrals", payload: referralBody(g, g.p2, g.net.satellite.id) }) }] },
  { route: "GET /api/v1/referrals", target: "(their own reach)", request: () => ({ url: "/api/v1/referrals" }),
    expect: cells("                                                           401  ok   ok   ok    403  ok    403") },
  { route: "GET /api/v1/referrals/:id", target: "of P1 to satellite B, made by an administrator",
    request: async (g) => ({ url: `/api/v1/referrals/${await referralOf(g, g.admin, g.p1, g.net.satellite.id)}` }),
    expect: cells("                                                           401  ok   404  404   403  ok    403"),
    also: [
      { who: "location_staff", target: "of P2, which they made", expect: "ok",
        request: async (g) => ({ url: `/api/v1/referrals/${await referralOf(g, g.as.location_staff, g.p2, g.net.satellite.id)}` }) },
      { who: "physician", target: "of P1, which they made", expect: "ok",
        request: async (g) => ({ url: `/api/v1/referrals/${await referralOf(g, g.as.physician, g.p1, g.net.satellite.id)}` }) },
    ] },
  { route: "POST /api/v1/referrals/:id/accept", target: "of P2 to main campus A",
    request: async (g) => ({ url: `/api/v1/referrals/${await referralOf(g, g.admin, g.p2, g.net.main.id)}/accept`, payload: {} }),
    expect: cells("                                                           401  403  403  ok    403  ok    403"),
    also: [{ who: "location_staff", target: "of P1 to satellite B", expect: 404,
      request: async (g) => ({ url: `/api/v1/referrals/${await referralOf(g, g.admin, g.p1, g.net.satellite.id)}/accept`, payload: {} }) }] },
  { route: "POST /api/v1/referrals/:id/decline", target: "of P2 to main campus A",
    request: async (g) => ({ url: `/api/v1/referrals/${await referralOf(g, g.admin, g.p2, g.net.main.id)}/decline`, payload: { note: "full" } }),
    expect: cells("                                                           401  403  403  ok    403  ok    403") },
  { route: "POST /api/v1/referrals/:id/cancel", target: "of P2 to satellite B, made by staff of A",
    request: async (g) => ({ url: `/api/v1/referrals/${await referralOf(g, g.as.location_staff, g.p2, g.net.satellite.id)}/cancel`, payload: { reason: "resolved" } }),
    expect: cells("                                                           401  403  404  ok    403  ok    403"),
    also: [{ who: "physician", target: "of P1, which they made", expect: "ok",
      request: async (g) => ({ url: `/api/v1/referrals/${await referralOf(g, g.as.physician, g.p1, g.net.satellite.id)}/cancel`, payload: { reason: "resolved" } }) }] },
  { route: "POST /api/v1/referrals/:id/book", target: "of P1 to satellite B, with X at B",
    request: async (g) => ({ url: `/api/v1/referrals/${await referralOf(g, g.admin, g.p1, g.net.satellite.id)}/book`, payload: { optionId: g.optionB() } }),
    expect: cells("                                                           401  ok   403  404   403  ok    403") },
  // ── notifications ─────────────────────────────────────────────────────── anon pat  phys staff head admin compl
  { route: "GET /api/v1/notifications", target: "(their own inbox)", request: () => ({ url: "/api/v1/notifications" }),
    expect: cells("                                                           401  ok   403  403   403  ok    403"),
    also: [{ who: "patient", target: "of another patient P2", expect: 404,
      request: (g) => ({ url: `/api/v1/notifications?patientId=${g.p2}` }) }] },
  { route: "POST /api/v1/notifications/:id/read", target: "of P1's confirmation",
    request: async (g) => ({ url: `/api/v1/notifications/${await g.message(g.p1)}/read` }),
    expect: cells("                                                           401  ok   403  403   403  ok    403"),
    also: [{ who: "patient", target: "of another patient P2's confirmation", expect: 404,
      request: async (g) => ({ url: `/api/v1/notifications/${await g.message(g.p2)}/read` }) }] },
  { route: "GET /api/v1/patients/:id/notification-preferences", target: "of P1",
    request: (g) => ({ url: `/api/v1/patients/${g.p1}/notification-preferences` }),
    expect: cells("                                                           401  ok   403  404   403  ok    403"),
    also: [
      { who: "patient", target: "of another patient P2", expect: 404,
        request: (g) => ({ url: `/api/v1/patients/${g.p2}/notification-preferences` }) },
      { who: "location_staff", target: "of P2 of their location", expect: "ok",
        request: (g) => ({ url: `/api/v1/patients/${g.p2}/notification-preferences` }) },
    ] },
  { route: "PUT /api/v1/patients/:id/notification-preferences", target: "of P1",
    request: (g) => ({ url: `/api/v1/patients/${g.p1}/notification-preferences`, payload: CHANNELS }),
    expect: cells("                                                           401  ok   403  404   403  ok    403"),
    also: [
      { who: "patient", target: "of another patient P2", expect: 404,
        request: (g) => ({ url: `/api/v1/patients/${g.p2}/notification-preferences`, payload: CHANNELS }) },
      { who: "location_staff", target: "of P2 of their location", expect: "ok",
        request: (g) => ({ url: `/api/v1/patients/${g.p2}/notification-preferences`, payload: CHANNELS }) },
    ] },
  { route: "GET /api/v1/notification-templates", target: "", request: () => ({ url: "/api/v1/notification-templates" }),
    expect: ADMIN_ONLY },
  { route: "GET /api/v1/notification-templates/:event", target: "previewing the confirmation",
    request: () => ({ url: "/api/v1/notification-templates/confirmation" }), expect: ADMIN_ONLY },
  { route: "GET /api/v1/notification-jobs", target: "", request: () => ({ url: "/api/v1/notification-jobs" }), expect: ADMIN_ONLY },
  // ── hl7 ──────────────────────────────────────────────────────────────── anon pat  phys staff head admin compl
  { route: "GET /api/v1/hl7/messages", target: "", request: () => ({ url: "/api/v1/hl7/messages" }), expect: ADMIN_ONLY },
  { route: "POST /api/v1/hl7/messages/:id/resend", target: "of a message that does not exist",
    request: () => ({ url: `/api/v1/hl7/messages/${randomUUID()}/resend` }),
    expect: cells("                                                           401  403  403  403   403  404   403") },
  { route: "GET /api/v1/patients/:id/lab-results", target: "of P1",
    request: (g) => ({ url: `/api/v1/patients/${g.p1}/lab-results` }),
    expect: cells("                                                           401  ok   ok   404   403  ok    403"),
    also: [{ who: "physician", target: "of P2, whom they never saw", expect: 404,
      request: (g) => ({ url: `/api/v1/patients/${g.p2}/lab-results` }) }] },
  // ── dicom ──────────────────────────────────────────────────────────────── anon pat  phys staff head admin compl
  { route: "GET /api/v1/locations/:id/imaging", target: "of satellite B",
    request: (g) => ({ url: `/api/v1/locations/${g.net.satellite.id}/imaging` }),
    expect: cells("                                                           401  403  403  404   403  ok    403"),
    also: [{ who: "location_staff", target: "of their own main campus A", expect: "ok",
      request: (g) => ({ url: `/api/v1/locations/${g.net.main.id}/imaging` }) }] },
  { route: "PUT /api/v1/locations/:id/imaging", target: "of a spare clinic (back to its default)",
    request: (g) => ({ url: `/api/v1/locations/${g.spare}/imaging`, payload: { aeTitle: null } }), expect: ADMIN_ONLY },
  { route: "PUT /api/v1/locations/:id/imaging/stations/:roomId", target: "a room of satellite B",
    request: (g) => ({ url: `/api/v1/locations/${g.net.satellite.id}/imaging/stations/${g.net.satellite.roomIds[0]}`,
      payload: { aeTitle: `ST_${unique(8)}`, modality: "US" } }),
    expect: ADMIN_ONLY },
  { route: "DELETE /api/v1/locations/:id/imaging/stations/:roomId", target: "a room of main campus A that is no station",
    request: (g) => ({ url: `/api/v1/locations/${g.net.main.id}/imaging/stations/${g.net.main.roomIds[0]}` }),
    expect: cells("                                                           401  403  403  403   403  404   403") },
  { route: "GET /api/v1/imaging/modalities", target: "", request: () => ({ url: "/api/v1/imaging/modalities" }),
    expect: cells("                                                           401  403  403  ok    403  ok    403") },
  { route: "PUT /api/v1/appointment-types/:id/modality", target: "of the network's type (none)",
    request: (g) => ({ url: `/api/v1/appointment-types/${g.net.appointmentTypeId}/modality`, payload: { modality: null } }),
    expect: ADMIN_ONLY },
  // ── eligibility ──────────────────────────────────────────────────────── anon pat  phys staff head admin compl
  { route: "GET /api/v1/patients/:id/coverage", target: "of P1",
    request: (g) => ({ url: `/api/v1/patients/${g.p1}/coverage` }),
    expect: cells("                                                           401  ok   ok   404   403  ok    403"),
    also: [{ who: "patient", target: "of another patient P2", expect: 404,
      request: (g) => ({ url: `/api/v1/patients/${g.p2}/coverage` }) }] },
  { route: "PUT /api/v1/patients/:id/coverage", target: "of P1",
    request: (g) => ({ url: `/api/v1/patients/${g.p1}/coverage`, payload: COVERAGE }),
    expect: cells("                                                           401  ok   403  404   403  ok    403"),
    also: [{ who: "location_staff", target: "of P2 of their location", expect: "ok",
      request: (g) => ({ url: `/api/v1/patients/${g.p2}/coverage`, payload: COVERAGE }) }] },
  { route: "DELETE /api/v1/patients/:id/coverage", target: "of P1 (put on file first)",
    request: async (g) => {
      await g.admin.inject({ method: "PUT", url: `/api/v1/patients/${g.p1}/coverage`, payload: COVERAGE });
      return { url: `/api/v1/patients/${g.p1}/coverage` };
    },
    expect: cells("                                                           401  ok   403  404   403  ok    403") },
  { route: "GET /api/v1/patients/:id/insurer-copay", target: "of P1 for X's appointment type",
    request: (g) => ({ url: `/api/v1/patients/${g.p1}/insurer-copay?appointmentTypeId=${g.net.appointmentTypeId}` }),
    expect: cells("                                                           401  ok   ok   404   403  ok    403") },
  { route: "GET /api/v1/appointments/:id/eligibility", target: "of P1's appointment at satellite B",
    request: (g) => ({ url: `/api/v1/appointments/${g.apptB}/eligibility` }),
    expect: cells("                                                           401  ok   ok   404   403  ok    403"),
    also: [{ who: "location_staff", target: "of P2's appointment at their main campus A", expect: "ok",
      request: (g) => ({ url: `/api/v1/appointments/${g.apptA}/eligibility` }) }] },
  { route: "POST /api/v1/appointments/:id/eligibility-checks", target: "of P1's appointment at satellite B",
    request: (g) => ({ url: `/api/v1/appointments/${g.apptB}/eligibility-checks` }),
    expect: cells("                                                           401  403  403  404   403  ok    403"),
    also: [{ who: "location_staff", target: "of P2's appointment at their main campus A", expect: "ok",
      request: (g) => ({ url: `/api/v1/appointments/${g.apptA}/eligibility-checks` }) }] },
  // ── pharmacy and transport ─────────────────────────────────────────────── anon pat  phys staff head admin compl
  { route: "GET /api/v1/medications", target: "", request: () => ({ url: "/api/v1/medications" }), expect: SIGNED_IN },
  { route: "GET /api/v1/pharmacies", target: "", request: () => ({ url: "/api/v1/pharmacies" }), expect: SIGNED_IN },
  { route: "GET /api/v1/patients/:id/pharmacies", target: "of P1",
    request: (g) => ({ url: `/api/v1/patients/${g.p1}/pharmacies` }),
    expect: cells("                                                           401  ok   ok   404   403  ok    403") },
  { route: "PUT /api/v1/patients/:id/pharmacies/:locationId", target: "of P1 at satellite B",
    request: (g) => ({ url: `/api/v1/patients/${g.p1}/pharmacies/${g.net.satellite.id}`, payload: { pharmacyId: "ph-central" } }),
    expect: cells("                                                           401  ok   403  404   403  ok    403") },
  { route: "POST /api/v1/appointments/:id/prescriptions", target: "in P1's visit with X at B",
    request: async (g) => {
      await call(g.admin, "PUT", `/api/v1/patients/${g.p1}/pharmacies/${g.net.satellite.id}`, { pharmacyId: "ph-central" });
      return { url: `/api/v1/appointments/${g.apptB}/prescriptions`, payload: { medicationCode: "314076", dose: "one daily", quantity: 30, refills: 0 } };
    },
    expect: cells("                                                           401  403  ok   403   403  403   403"),
    also: [{ who: "physician", target: "in P2's visit with Y at A", expect: 404,
      request: (g) => ({ url: `/api/v1/appointments/${g.apptA}/prescriptions`, payload: { medicationCode: "314076", dose: "one daily", quantity: 30, refills: 0 } }) }] },
  { route: "GET /api/v1/patients/:id/prescriptions", target: "of P1",
    request: (g) => ({ url: `/api/v1/patients/${g.p1}/prescriptions` }),
    expect: cells("                                                           401  ok   ok   403   403  ok    403"),
    also: [{ who: "physician", target: "of P2, whom they never saw", expect: 404,
      request: (g) => ({ url: `/api/v1/patients/${g.p2}/prescriptions` }) }] },
  { route: "PUT /api/v1/patients/:id/transport-need", target: "of P1",
    request: (g) => ({ url: `/api/v1/patients/${g.p1}/transport-need`, payload: { needed: true } }),
    expect: cells("                                                           401  ok   403  404   403  ok    403"),
    also: [{ who: "location_staff", target: "of P2, who has an appointment at A", expect: "ok",
      request: (g) => ({ url: `/api/v1/patients/${g.p2}/transport-need`, payload: { needed: true } }) }] },
  { route: "GET /api/v1/patients/:id/rides", target: "of P1",
    request: (g) => ({ url: `/api/v1/patients/${g.p1}/rides` }),
    expect: cells("                                                           401  ok   ok   404   403  ok    403") },
  { route: "POST /api/v1/appointments/:id/rides", target: "to a new booking of P1 with X at B",
    // one live ride per appointment: the patient's ride goes to a booking of its own, the others to apptB
    request: async (g, who) => {
      await call(g.admin, "PUT", `/api/v1/patients/${g.p1}/transport-need`, { needed: true });
      const appointment = who === "patient" ? await g.appointmentB() : g.apptB;
      return { url: `/api/v1/appointments/${appointment}/rides`, payload: { origin: "home" } };
    },
    expect: cells("                                                           401  ok   403  404   403  ok    403") },
  { route: "GET /api/v1/locations/:id/rides", target: "of main campus A",
    request: (g) => ({ url: `/api/v1/locations/${g.net.main.id}/rides?date=${g.dayB}` }),
    expect: cells("                                                           401  403  403  ok    403  ok    403"),
    also: [{ who: "location_staff", target: "of satellite B", expect: 404,
      request: (g) => ({ url: `/api/v1/locations/${g.net.satellite.id}/rides?date=${g.dayB}` }) }] },
  // ── waitlist ─────────────────────────────────────────────────────────── anon pat  phys staff head admin compl
  { route: "POST /api/v1/waitlist/entries", target: "for P1",
    request: (g) => ({ url: "/api/v1/waitlist/entries", payload: { patientId: g.p1, appointmentTypeId: g.net.appointmentTypeId,
      specialty: g.net.specialty, from: "2090-01-02T00:00:00Z", to: "2090-01-03T00:00:00Z" } }),
    expect: cells("                                                           401  ok   ok   404   403  ok    403") },
  { route: "GET /api/v1/waitlist/entries", target: "(of the patients they reach)", request: () => ({ url: "/api/v1/waitlist/entries" }),
    expect: cells("                                                           401  ok   ok   ok    403  ok    403"),
    also: [
      { who: "location_staff", target: "of their main campus A", expect: "ok",
        request: (g) => ({ url: `/api/v1/waitlist/entries?locationId=${g.net.main.id}` }) },
      { who: "location_staff", target: "of satellite B", expect: 404,
        request: (g) => ({ url: `/api/v1/waitlist/entries?locationId=${g.net.satellite.id}` }) },
    ] },
  { route: "PATCH /api/v1/waitlist/entries/:id", target: "of an entry of P2 (patient of A)",
    request: async (g) => ({ url: `/api/v1/waitlist/entries/${await g.entry(g.p2)}`, payload: { urgency: "soon" } }),
    expect: cells("                                                           401  403  403  ok    403  ok    403") },
  { route: "DELETE /api/v1/waitlist/entries/:id", target: "of an entry of P1",
    request: async (g) => ({ url: `/api/v1/waitlist/entries/${await g.entry(g.p1)}` }),
    expect: cells("                                                           401  ok   ok   404   403  ok    403") },
  { route: "GET /api/v1/waitlist/offers", target: "(of the patients they reach)", request: () => ({ url: "/api/v1/waitlist/offers" }),
    expect: cells("                                                           401  ok   ok   ok    403  ok    403"),
    also: [
      { who: "location_staff", target: "made at their main campus A", expect: "ok",
        request: (g) => ({ url: `/api/v1/waitlist/offers?locationId=${g.net.main.id}` }) },
      { who: "location_staff", target: "made at satellite B", expect: 404,
        request: (g) => ({ url: `/api/v1/waitlist/offers?locationId=${g.net.satellite.id}` }) },
      { who: "patient", target: "made at main campus A", expect: 404,
        request: (g) => ({ url: `/api/v1/waitlist/offers?locationId=${g.net.main.id}` }) },
    ] },
  { route: "POST /api/v1/waitlist/offers/:id/accept", target: "of an open offer to P1",
    request: async (g) => ({ url: `/api/v1/waitlist/offers/${await g.offer(g.p1)}/accept` }),
    expect: cells("                                                           401  ok   ok   404   403  ok    403") },
  { route: "POST /api/v1/waitlist/offers/:id/decline", target: "of an open offer to P1",
    request: async (g) => ({ url: `/api/v1/waitlist/offers/${await g.offer(g.p1)}/decline` }),
    expect: cells("                                                           401  ok   ok   404   403  ok    403") },
  // a link is its own credential: without the right token nobody, signed in or not, reaches an offer
  { route: "GET /api/v1/waitlist/links/:token", target: "with a link nobody was sent",
    request: () => ({ url: `/api/v1/waitlist/links/${"x".repeat(43)}` }),
    expect: cells("                                                           404  404  404  404   404  404   404") },
  { route: "POST /api/v1/waitlist/links/:token/accept", target: "with a link nobody was sent",
    request: () => ({ url: `/api/v1/waitlist/links/${"x".repeat(43)}/accept` }),
    expect: cells("                                                           404  404  404  404   404  404   404") },
  { route: "POST /api/v1/waitlist/links/:token/decline", target: "with a link nobody was sent",
    request: () => ({ url: `/api/v1/waitlist/links/${"x".repeat(43)}/decline` }),
    expect: cells("                                                           404  404  404  404   404  404   404") },
  // a video visit's join link, too: without the right token nobody reaches its page
  { route: "GET /api/v1/visits/:token", target: "with a link nobody was given",
    request: () => ({ url: `/api/v1/visits/${"x".repeat(43)}` }),
    expect: cells("                                                           404  404  404  404   404  404   404") },
  { route: "GET /api/v1/waitlist/stats", target: "(of their locations)", request: () => ({ url: "/api/v1/waitlist/stats" }),
    expect: cells("                                                           401  403  403  ok    403  ok    403"),
    also: [{ who: "location_staff", target: "of satellite B", expect: 404,
      request: (g) => ({ url: `/api/v1/waitlist/stats?locationId=${g.net.satellite.id}` }) }] },
  // ── no-show risk: staff (their locations), physicians (their own), administrators; never patients
  { route: "GET /api/v1/analytics/no-show-risk", target: "of main campus A's appointments",
    request: (g) => ({ url: `/api/v1/analytics/no-show-risk?locationId=${g.net.main.id}&from=2090-01-01T00:00:00Z&to=2090-01-08T00:00:00Z` }),
    expect: cells("                                                           401  403  404  ok    403  ok    403"),
    also: [
      { who: "location_staff", target: "of satellite B's appointments", expect: 404,
        request: (g) => ({ url: `/api/v1/analytics/no-show-risk?locationId=${g.net.satellite.id}&from=2090-01-01T00:00:00Z&to=2090-01-08T00:00:00Z` }) },
      { who: "physician", target: "of their own appointments", expect: "ok",
        request: (g) => ({ url: `/api/v1/analytics/no-show-risk?physicianId=${g.x}&from=2090-01-01T00:00:00Z&to=2090-01-08T00:00:00Z` }) },
      { who: "location_staff", target: "of physician X's appointments", expect: 404,
        request: (g) => ({ url: `/api/v1/analytics/no-show-risk?physicianId=${g.x}&from=2090-01-01T00:00:00Z&to=2090-01-08T00:00:00Z` }) },
    ] },
  { route: "GET /api/v1/analytics/no-show-model", target: "", request: () => ({ url: "/api/v1/analytics/no-show-model" }),
    expect: ADMIN_ONLY },
  // a survey link is its own credential: without the right token nobody reaches a survey
  { route: "GET /api/v1/surveys/links/:token", target: "with a link nobody was sent",
    request: () => ({ url: `/api/v1/surveys/links/${"x".repeat(43)}` }),
    expect: cells("                                                           404  404  404  404   404  404   404") },
  { route: "POST /api/v1/surveys/links/:token/answer", target: "with a link nobody was sent",
    request: () => ({ url: `/api/v1/surveys/links/${"x".repeat(43)}/answer`, payload: { rating: 3 } }),
    expect: cells("                                                           404  404  404  404   404  404   404") },
  { route: "GET /api/v1/surveys/results", target: "of main campus A",
    request: (g) => ({ url: `/api/v1/surveys/results?locationId=${g.net.main.id}&from=2020-01-01T00:00:00Z&to=2020-02-01T00:00:00Z` }),
    expect: cells("                                                           401  403  403  ok    404  ok    403"),
    also: [
      { who: "location_staff", target: "of satellite B", expect: 404,
        request: (g) => ({ url: `/api/v1/surveys/results?locationId=${g.net.satellite.id}&from=2020-01-01T00:00:00Z&to=2020-02-01T00:00:00Z` }) },
      { who: "department_head", target: "of physician X, in their specialty", expect: "ok",
        request: (g) => ({ url: `/api/v1/surveys/results?physicianId=${g.x}&from=2020-01-01T00:00:00Z&to=2020-02-01T00:00:00Z` }) },
      { who: "department_head", target: "of Y, outside their specialty", expect: 404,
        request: (g) => ({ url: `/api/v1/surveys/results?physicianId=${g.y}&from=2020-01-01T00:00:00Z&to=2020-02-01T00:00:00Z` }) },
    ] },
  { route: "GET /api/v1/analytics/compliance", target: "", request: () => ({ url: "/api/v1/analytics/compliance" }),
    expect: cells("                                                           401  403  403  403   403  ok    ok") },
  // the values test/compliance.test.ts sets too (files share a database)
  { route: "PUT /api/v1/analytics/compliance/thresholds", target: "",
    request: () => ({ url: "/api/v1/analytics/compliance/thresholds", payload: { breakGlassReviewHours: 24, refusalsPerAccount: 3, refusalWindowHours: 720 } }),
    expect: cells("                                                           401  403  403  403   403  ok    ok") },
  { route: "POST /api/v1/analytics/compliance/alerts/:id/acknowledge", target: "no such alert",
    request: () => ({ url: "/api/v1/analytics/compliance/alerts/00000000-0000-4000-8000-00000000a1e7/acknowledge" }),
    expect: cells("                                                           401  403  403  403   403  404   404") },
  { route: "POST /api/v1/analytics/compliance/alerts/:id/resolve", target: "no such alert",
    request: () => ({ url: "/api/v1/analytics/compliance/alerts/00000000-0000-4000-8000-00000000a1e7/resolve", payload: { note: "handled" } }),
    expect: cells("                                                           401  403  403  403   403  404   404") },
  // their own choice: the administrator stays opted out, the officer receives them anyway
  { route: "PUT /api/v1/analytics/compliance/subscription", target: "(their own)",
    request: () => ({ url: "/api/v1/analytics/compliance/subscription", payload: { subscribed: false, language: "en" } }),
    expect: cells("                                                           401  403  403  403   403  ok    ok") },
  { route: "GET /api/v1/staff-notifications", target: "(their own messages)", request: () => ({ url: "/api/v1/staff-notifications" }),
    expect: cells("                                                           401  403  403  403   403  ok    ok") },
  // ── incidents: compliance officers and administrators; unlocking an account is the administrator's
  { route: "GET /api/v1/admin/residency", target: "", request: () => ({ url: "/api/v1/admin/residency" }), expect: AUDITORS },
  { route: "GET /api/v1/incidents", target: "", request: () => ({ url: "/api/v1/incidents" }),
    expect: cells("                                                           401  403  403  403   403  ok    ok") },
  { route: "GET /api/v1/incidents/:id", target: "no such incident", request: () => ({ url: "/api/v1/incidents/00000000-0000-4000-8000-0000000001c1" }),
    expect: cells("                                                           401  403  403  403   403  404   404") },
  { route: "POST /api/v1/incidents/:id/acknowledge", target: "no such incident",
    request: () => ({ url: "/api/v1/incidents/00000000-0000-4000-8000-0000000001c1/acknowledge", payload: {} }),
    expect: cells("                                                           401  403  403  403   403  404   404") },
  { route: "POST /api/v1/incidents/:id/notes", target: "no such incident",
    request: () => ({ url: "/api/v1/incidents/00000000-0000-4000-8000-0000000001c1/notes", payload: { note: "seen" } }),
    expect: cells("                                                           401  403  403  403   403  404   404") },
  { route: "POST /api/v1/incidents/:id/resolve", target: "no such incident",
    request: () => ({ url: "/api/v1/incidents/00000000-0000-4000-8000-0000000001c1/resolve", payload: { outcome: "benign", note: "seen" } }),
    expect: cells("                                                           401  403  403  403   403  404   404") },
  { route: "POST /api/v1/incidents/:id/lock", target: "no such incident",
    request: () => ({ url: "/api/v1/incidents/00000000-0000-4000-8000-0000000001c1/lock", payload: {} }),
    expect: cells("                                                           401  403  403  403   403  404   404") },
  { route: "POST /api/v1/incidents/:id/unlock", target: "no such incident",
    request: () => ({ url: "/api/v1/incidents/00000000-0000-4000-8000-0000000001c1/unlock", payload: {} }),
    expect: cells("                                                           401  403  403  403   403  404   403") },
  // ── reports: staff (their locations), department heads (their specialties), physicians (their own), administrators
  { route: "GET /api/v1/analytics/reports/utilisation", target: "of main campus A",
    request: (g) => ({ url: `/api/v1/analytics/reports/utilisation?locationId=${g.net.main.id}&from=2026-11-01&to=2026-11-30` }),
    expect: cells("                                                           401  403  404  ok    ok   ok    403"),
    also: [
      { who: "location_staff", target: "of satellite B", expect: 404,
        request: (g) => ({ url: `/api/v1/analytics/reports/utilisation?locationId=${g.net.satellite.id}&from=2026-11-01&to=2026-11-30` }) },
      { who: "physician", target: "of their own appointments", expect: "ok",
        request: (g) => ({ url: `/api/v1/analytics/reports/utilisation?physicianId=${g.x}&from=2026-11-01&to=2026-11-30` }) },
    ] },
  { route: "GET /api/v1/analytics/reports/revenue", target: "of main campus A",
    request: (g) => ({ url: `/api/v1/analytics/reports/revenue?locationId=${g.net.main.id}&from=2026-11-01&to=2026-11-30` }),
    expect: cells("                                                           401  403  404  ok    ok   ok    403") },
  { route: "GET /api/v1/analytics/reports/efficiency", target: "of main campus A",
    request: (g) => ({ url: `/api/v1/analytics/reports/efficiency?locationId=${g.net.main.id}&from=2026-11-01&to=2026-11-30` }),
    expect: cells("                                                           401  403  404  ok    ok   ok    403") },
  { route: "GET /api/v1/analytics/reports/flow", target: "of main campus A",
    request: (g) => ({ url: `/api/v1/analytics/reports/flow?locationId=${g.net.main.id}&from=2026-11-01&to=2026-11-30` }),
    expect: cells("                                                           401  403  404  ok    ok   ok    403") },
  { route: "GET /api/v1/analytics/fee-schedules", target: "of main campus A", request: (g) => ({ url: `/api/v1/analytics/fee-schedules?locationId=${g.net.main.id}` }),
    expect: cells("                                                           401  403  403  ok    ok   ok    403"),
    also: [{ who: "location_staff", target: "of satellite B", expect: 404,
      request: (g) => ({ url: `/api/v1/analytics/fee-schedules?locationId=${g.net.satellite.id}` }) }] },
  { route: "PUT /api/v1/analytics/fee-schedules/:locationId/:appointmentTypeId", target: "of main campus A",
    request: (g) => ({ url: `/api/v1/analytics/fee-schedules/${g.net.main.id}/${g.net.appointmentTypeId}`, payload: { feeCents: 9000, billingCode: "99212" } }),
    expect: ADMIN_ONLY },
  // ── billing: administrators keep the coding and export; whoever reads a visit sees its export state
  { route: "GET /api/v1/billing/identities", target: "", request: () => ({ url: "/api/v1/billing/identities" }), expect: ADMIN_ONLY },
  { route: "PUT /api/v1/billing/identities/:locationId", target: "of main campus A",
    request: (g) => ({ url: `/api/v1/billing/identities/${g.net.main.id}`, payload: billingIdentity }), expect: ADMIN_ONLY },
  { route: "PUT /api/v1/billing/appointment-types/:appointmentTypeId/modifiers", target: "of the network's type",
    request: (g) => ({ url: `/api/v1/billing/appointment-types/${g.net.appointmentTypeId}/modifiers`, payload: { modifiers: [] } }),
    expect: ADMIN_ONLY },
  { route: "POST /api/v1/billing/batches", target: "of a day with a completed visit at A",
    request: async (g) => {
      const day = await billableDay(g);
      return { url: "/api/v1/billing/batches", payload: { format: "fhir-claim", from: day, to: day } };
    },
    expect: ADMIN_ONLY },
  { route: "GET /api/v1/billing/batches", target: "", request: () => ({ url: "/api/v1/billing/batches" }), expect: ADMIN_ONLY },
  { route: "GET /api/v1/billing/batches/:id", target: "of a batch that does not exist",
    request: () => ({ url: `/api/v1/billing/batches/${randomUUID()}` }),
    expect: cells("                                                           401  403  403  403   403  404   403") },
  { route: "GET /api/v1/billing/batches/:id/document", target: "of a batch that does not exist",
    request: () => ({ url: `/api/v1/billing/batches/${randomUUID()}/document` }),
    expect: cells("                                                           401  403  403  403   403  404   403") },
  { route: "GET /api/v1/appointments/:id/billing", target: "of P1's appointment at satellite B",
    request: (g) => ({ url: `/api/v1/appointments/${g.apptB}/billing` }),
    expect: cells("                                                           401  ok   ok   404   403  ok    403"),
    also: [{ who: "location_staff", target: "of P2's appointment at their main campus A", expect: "ok",
      request: (g) => ({ url: `/api/v1/appointments/${g.apptA}/billing` }) }] },
  // ── demand-based copays: administrators manage rules and caps; staff flag assistance; quotes as booking
  { route: "GET /api/v1/pricing-rules", target: "of main campus A", request: (g) => ({ url: `/api/v1/pricing-rules?locationId=${g.net.main.id}` }),
    expect: ADMIN_ONLY },
  { route: "POST /api/v1/pricing-rules", target: "an off-peak discount at A",
    request: (g) => ({ url: "/api/v1/pricing-rules", payload: pricingRule(g) }), expect: ADMIN_ONLY },
  { route: "PATCH /api/v1/pricing-rules/:id", target: "a rule at A",
    request: async (g) => ({ url: `/api/v1/pricing-rules/${await newPricingRule(g)}`, payload: { active: false } }),
    expect: ADMIN_ONLY },
  { route: "GET /api/v1/pricing-rules/caps", target: "", request: () => ({ url: "/api/v1/pricing-rules/caps" }), expect: ADMIN_ONLY },
  { route: "PUT /api/v1/pricing-rules/caps/:plan", target: "of a matrix plan",
    request: () => ({ url: "/api/v1/pricing-rules/caps/matrix-plan", payload: { maxSurchargeCents: 500, maxDiscountCents: 500 } }),
    expect: ADMIN_ONLY },
  { route: "PUT /api/v1/pricing-rules/financial-assistance/:patientId", target: "for P1",
    request: (g) => ({ url: `/api/v1/pricing-rules/financial-assistance/${g.p1}`, payload: { flagged: false } }),
    expect: cells("                                                           401  403  403  404   403  ok    403") },
  { route: "GET /api/v1/pricing-rules/quote", target: "for P1, of an option with X at B",
    request: (g) => ({ url: `/api/v1/pricing-rules/quote?optionId=${encodeURIComponent(quoteOption(g))}&patientId=${g.p1}` }),
    expect: cells("                                                           401  ok   ok   404   403  ok    403") },
  { route: "GET /api/v1/pricing-rules/appointments/:appointmentId", target: "of P1's appointment at B",
    request: (g) => ({ url: `/api/v1/pricing-rules/appointments/${g.apptB}` }),
    expect: cells("                                                           401  ok   ok   404   403  ok    403") },
  // ── capacity planning: department heads (their specialties) and administrators
  { route: "PUT /api/v1/capacity-plans/contracts/:physicianId", target: "of physician X",
    request: (g) => ({ url: `/api/v1/capacity-plans/contracts/${g.x}`, payload: contractOf(g) }),
    expect: cells("                                                           401  403  403  403   ok   ok    403") },
  { route: "GET /api/v1/capacity-plans/contracts/:physicianId", target: "of physician X",
    request: async (g) => {
      await g.admin.inject({ method: "PUT", url: `/api/v1/capacity-plans/contracts/${g.x}`, payload: contractOf(g) });
      return { url: `/api/v1/capacity-plans/contracts/${g.x}` };
    },
    expect: cells("                                                           401  403  403  403   ok   ok    403") },
  { route: "POST /api/v1/capacity-plans", target: "for X's specialty in a far-future week",
    request: (g) => ({ url: "/api/v1/capacity-plans", payload: capacityProposal(g) }),
    expect: cells("                                                           401  403  403  403   ok   ok    403") },
  { route: "GET /api/v1/capacity-plans", target: "of X's specialty",
    request: (g) => ({ url: `/api/v1/capacity-plans?specialty=${g.net.specialty}` }),
    expect: cells("                                                           401  403  403  403   ok   ok    403") },
  { route: "GET /api/v1/capacity-plans/:id", target: "a proposal for X's specialty",
    request: async (g) => ({ url: `/api/v1/capacity-plans/${await newCapacityPlan(g)}` }),
    expect: cells("                                                           401  403  403  403   ok   ok    403") },
  { route: "POST /api/v1/capacity-plans/:id/apply", target: "a proposal for X's specialty in a far-future week",
    request: async (g) => ({ url: `/api/v1/capacity-plans/${await newCapacityPlan(g)}/apply`, payload: { policy: "staff" } }),
    expect: cells("                                                           401  403  403  403   ok   ok    403") },
  // streams replay the day's schedule changes: each caller only hears of what they may see
  { route: "GET /api/v1/events", target: "replaying every schedule change since P1's booking", stream: true,
    request: async (g) => ({ url: `/api/v1/events?lastEventId=${await g.firstEvent()}` }),
    expect: cells("                                                           401  ok   ok   ok    ok   ok    403") },

  // ── family scheduling ──────────────────────────────────────────────────── anon pat  phys staff head admin compl
  // every member must be within reach: X never saw dependent D, and P1 is outside A's desk
  { route: "POST /api/v1/family-searches", target: "for P1 and dependent D with X at A",
    request: (g) => ({ url: "/api/v1/family-searches", payload: familySearch(g, [g.p1, g.dependent], 14) }),
    expect: cells("                                                           401  ok   404  404   403  ok    403"),
    also: [{ who: "patient", target: "for P1 and another patient P2", expect: 404,
      request: (g) => ({ url: "/api/v1/family-searches", payload: familySearch(g, [g.p1, g.p2], 14) }) }] },
  { route: "POST /api/v1/family-holds", target: "a trip of P1 and a new dependent with X at A",
    request: async (g) => ({ url: "/api/v1/family-holds", payload: await familyTrip(g) }),
    expect: cells("                                                           401  ok   404  404   403  ok    403") },
  { route: "POST /api/v1/family-bookings", target: "a trip of P1 and a new dependent with X at A",
    request: async (g) => ({ url: "/api/v1/family-bookings", payload: await familyTrip(g) }),
    expect: cells("                                                           401  ok   404  404   403  ok    403") },
];

beforeAll(async () => {
  rounds = await startRounds();
  f = await buildFixture();
}, 120_000);
afterAll(async () => {
  const scenarios = matrix.reduce((n, r) => n + (r.also?.length ?? 0), 0);
  const pairs = matrix.length * CALLERS.length;
  // the number the issue asks for: (role, endpoint) pairs, anonymous counted as a caller
  console.log(
    `access matrix: ${matrix.length} endpoints × ${CALLERS.length} callers = ${pairs} (role, endpoint) pairs ` +
      `(${matrix.length * (CALLERS.length - 1)} without anonymous), + 1 login pair, + ${scenarios} named scenarios`,
  );
  await rounds?.close();
});

const classify = (status: number): Outcome | number => (status >= 200 && status < 300 ? "ok" : status);
const pathPattern = (route: string) =>
  new RegExp(`^${route.split(" ")[1]!.replace(/:[A-Za-z]+/g, "[^/]+")}$`);

/** Status and body of one request: injected, or over a real socket for an event stream. */
async function send(
  method: Method,
  req: Req,
  headers: Record<string, string>,
  stream: boolean,
): Promise<{ status: number; body: string }> {
  if (!stream) {
    const opts: InjectOptions = {
      method,
      url: req.url,
      headers,
      ...(req.payload ? { payload: req.payload } : {}),
    };
    const res = await rounds.app.inject(opts);
    return { status: res.statusCode, body: res.body };
  }
  const address = rounds.app.server.address();
  if (!address || typeof address === "string") await rounds.app.listen({ port: 0, host: "127.0.0.1" });
  const { port } = rounds.app.server.address() as { port: number };
  const abort = new AbortController();
  const res = await fetch(`http://127.0.0.1:${port}${req.url}`, { headers, signal: abort.signal });
  if (!res.ok || !res.body) return { status: res.status, body: await res.text() };
  // the replay comes first and then the stream idles: read until it has been quiet for a moment
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let body = "";
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    const quiet = new Promise<"quiet">((r) => setTimeout(() => r("quiet"), 400));
    const chunk = await Promise.race([reader.read(), quiet]);
    if (chunk === "quiet" || chunk.done) break;
    body += decoder.decode(chunk.value, { stream: true });
  }
  abort.abort();
  return { status: res.status, body };
}

async function check(row: Row, build: Build, who: Caller, expected: Outcome): Promise<void> {
  const method = row.route.split(" ")[0] as Method;
  const req = await build(f, who);
  expect(req.url.split("?")[0], "the request hits the row's route").toMatch(pathPattern(row.route));
  const headers = { ...(who === "anonymous" ? {} : f.as[who].user.headers), ...req.headers };
  const res = await send(method, req, headers, row.stream === true);
  expect(classify(res.status), `${method} ${req.url} → ${res.status} ${res.body.slice(0, 300)}`).toBe(
    expected,
  );
  if (expected !== "ok") return;
  // a 2xx answer must not carry patient data outside the caller's world (unless they named it)
  const sent = req.url + JSON.stringify(req.payload ?? {});
  const leaked = Object.entries({ ...f.hidden[who], ...req.hidden })
    .filter(([, secret]) => res.body.includes(secret) && !sent.includes(secret))
    .map(([name]) => name);
  expect(leaked.join(", "), `${method} ${req.url} shows ${LABEL[who]} what they may not see`).toBe("");
}

describe("access matrix", () => {
  it("every endpoint has a row in the access matrix, and every row names an endpoint", () => {
    const routes = rounds.app.apiRoutes
      .map((r) => `${r.method} ${r.url}`)
      .filter((r) => r !== "POST /api/v1/auth/login");
    const rows = matrix.map((r) => r.route);
    expect(
      routes.filter((r) => !rows.includes(r)),
      "endpoints without a row",
    ).toEqual([]);
    expect(
      rows.filter((r) => !routes.includes(r)),
      "rows naming no endpoint",
    ).toEqual([]);
    expect(
      rows.filter((r, i) => rows.indexOf(r) !== i),
      "endpoints with two rows",
    ).toEqual([]);
  });

  it("anonymous: POST /api/v1/auth/login with a valid password → ok, with a wrong one → 401", async () => {
    const email = f.as.patient.user.email;
    const login = (password: string) =>
      rounds.app.inject({ method: "POST", url: "/api/v1/auth/login", payload: { email, password } });
    expect((await login(TEST_PASSWORD)).statusCode).toBe(200);
    expect((await login("not the password at all")).statusCode).toBe(401);
  });

  for (const row of matrix) {
    const on = `${row.route}${row.target ? ` ${row.target}` : ""}`;
    for (const who of CALLERS)
      it(`${LABEL[who]}: ${on} → ${row.expect[who]}`, () => check(row, row.request, who, row.expect[who]));
    for (const s of row.also ?? [])
      it(`${LABEL[s.who]}: ${row.route} ${s.target} → ${s.expect}`, () =>
        check(row, s.request, s.who, s.expect));
  }
});
