/**
 * The access policy's table against the routes: every id a route takes is guarded by a declared
 * rule, and every patient guard is swept for every role the route admits, with a patient outside
 * that role's scope named in exactly that field. What to expect is read from the policy table.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Role } from "../src/platform/access.js";
import { type Guard, patient, policy, rolesFor } from "../src/platform/policy.js";
import type { Rounds } from "../src/server.js";
import { type Client, clientFor } from "./support/auth.js";
import { buildClinicNetwork, type ClinicNetwork, createPatient, optionsOn } from "./support/network.js";
import { startRounds, unique } from "./support/rounds.js";

let rounds: Rounds;
let net: ClinicNetwork;
/** Per role: a client, and a patient within that role's scope (for the other fields of a request). */
const world = {} as Record<Role, { client: Client; mine: string }>;
let option: string;

interface OpenApiOperation {
  parameters?: Array<{ name: string; in: string }>;
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}
interface JsonSchema {
  properties?: Record<string, unknown>;
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
}

/** Every id field of every operation in the API document, as `params.id`, `query.x`, `body.y`. */
function idFields(): Map<string, string[]> {
  const doc = rounds.app.swagger() as { paths: Record<string, Record<string, OpenApiOperation>> };
  const out = new Map<string, string[]>();
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const fields: string[] = [];
      for (const p of op.parameters ?? [])
        if (/Ids?$|^id$/.test(p.name)) fields.push(`${p.in === "path" ? "params" : p.in}.${p.name}`);
      const body = op.requestBody?.content?.["application/json"]?.schema;
      const parts = [body, ...(body?.anyOf ?? []), ...(body?.allOf ?? [])];
      for (const part of parts)
        for (const key of Object.keys(part?.properties ?? {}))
          if (/Ids?$/.test(key) && !fields.includes(`body.${key}`)) fields.push(`body.${key}`);
      if (fields.length) out.set(`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ":$1")}`, fields);
    }
  }
  return out;
}

/** A request naming `x` in the field under test and the caller's own patient (`m`) elsewhere. */
type Sample = (x: string, m: string) => { url: string; payload?: Record<string, unknown> };
const availability = (patientId: string) =>
  `/api/v1/availability?appointmentTypeId=${net.appointmentTypeId}&physicianId=${net.physicianId}&from=${encodeURIComponent(net.at("00:00", 1))}&to=${encodeURIComponent(net.at("23:59", 1))}&patientId=${patientId}`;
const SAMPLES: Record<string, Sample> = {
  "GET /api/v1/patients/:id params.id": (x) => ({ url: `/api/v1/patients/${x}` }),
  "PATCH /api/v1/patients/:id params.id": (x) => ({
    url: `/api/v1/patients/${x}`,
    payload: { phone: "+1 212 555 0100" },
  }),
  "GET /api/v1/patients/:id/family params.id": (x) => ({ url: `/api/v1/patients/${x}/family` }),
  "GET /api/v1/patients/:id/lab-results params.id": (x) => ({ url: `/api/v1/patients/${x}/lab-results` }),
  "GET /api/v1/patients/:id/coverage params.id": (x) => ({ url: `/api/v1/patients/${x}/coverage` }),
  "PUT /api/v1/patients/:id/coverage params.id": (x) => ({
    url: `/api/v1/patients/${x}/coverage`,
    payload: { payerCode: "SIMHLTH", payerName: "Simulated Health", memberNumber: "POLICY-1" },
  }),
  "DELETE /api/v1/patients/:id/coverage params.id": (x) => ({ url: `/api/v1/patients/${x}/coverage` }),
  "GET /api/v1/patients/:id/insurer-copay params.id": (x) => ({
    url: `/api/v1/patients/${x}/insurer-copay?appointmentTypeId=${net.appointmentTypeId}`,
  }),
  "GET /api/v1/patients/:id/pharmacies params.id": (x) => ({ url: `/api/v1/patients/${x}/pharmacies` }),
  "PUT /api/v1/patients/:id/pharmacies/:locationId params.id": (x) => ({
    url: `/api/v1/patients/${x}/pharmacies/${net.main.id}`,
    payload: { pharmacyId: "ph-central" },
  }),
  "GET /api/v1/patients/:id/prescriptions params.id": (x) => ({ url: `/api/v1/patients/${x}/prescriptions` }),
  "PUT /api/v1/patients/:id/transport-need params.id": (x) => ({
    url: `/api/v1/patients/${x}/transport-need`,
    payload: { needed: true },
  }),
  "GET /api/v1/patients/:id/rides params.id": (x) => ({ url: `/api/v1/patients/${x}/rides` }),
  "POST /api/v1/patients/:id/dependents params.id": (x, m) => ({
    url: `/api/v1/patients/${x}/dependents`,
    payload: { dependentId: m, relationship: "caregiver" },
  }),
  "POST /api/v1/patients/:id/dependents body.dependentId": (x, m) => ({
    url: `/api/v1/patients/${m}/dependents`,
    payload: { dependentId: x, relationship: "caregiver" },
  }),
  "DELETE /api/v1/patients/:id/dependents/:dependentId params.id": (x, m) => ({
    url: `/api/v1/patients/${x}/dependents/${m}`,
  }),
  "DELETE /api/v1/patients/:id/dependents/:dependentId params.dependentId": (x, m) => ({
    url: `/api/v1/patients/${m}/dependents/${x}`,
  }),
  "GET /api/v1/patients/:id/access-log params.id": (x) => ({ url: `/api/v1/patients/${x}/access-log` }),
  "GET /api/v1/patients/:id/records params.id": (x) => ({ url: `/api/v1/patients/${x}/records` }),
  "POST /api/v1/break-glass body.patientId": (x) => ({
    url: "/api/v1/break-glass",
    payload: { patientId: x, reason: "unconscious patient in the emergency bay" },
  }),
  "GET /api/v1/availability query.patientId": (x) => ({ url: availability(x) }),
  "GET /api/v1/availability/suggestions query.patientId": (x) => ({
    url: availability(x).replace("/availability?", "/availability/suggestions?"),
  }),
  "POST /api/v1/referrals body.patientId": (x) => ({
    url: "/api/v1/referrals",
    payload: { patientId: x, specialty: net.specialty, toLocationId: net.satellite.id, reason: "assessment" },
  }),
  "POST /api/v1/appointments/:id/extra-seat body.patientId": (x) => ({
    url: "/api/v1/appointments/00000000-0000-4000-8000-000000000000/extra-seat",
    payload: { patientId: x },
  }),
  "POST /api/v1/holds body.patientId": (x) => ({
    url: "/api/v1/holds",
    payload: { optionId: option, patientId: x },
  }),
  "POST /api/v1/appointments body.patientId": (x) => ({
    url: "/api/v1/appointments",
    payload: { optionId: option, patientId: x },
  }),
  "GET /api/v1/appointments query.patientId": (x) => ({ url: `/api/v1/appointments?patientId=${x}` }),
  "POST /api/v1/waitlist/entries body.patientId": (x) => ({
    url: "/api/v1/waitlist/entries",
    payload: {
      patientId: x,
      appointmentTypeId: net.appointmentTypeId,
      specialty: net.specialty,
      from: net.at("00:00", 1),
      to: net.at("23:59", 1),
    },
  }),
  "GET /api/v1/notifications query.patientId": (x) => ({ url: `/api/v1/notifications?patientId=${x}` }),
  "POST /api/v1/family-searches body.members.0.patientId": (x, m) => ({
    url: "/api/v1/family-searches",
    payload: {
      members: [x, m].map((patientId) => ({ patientId, appointmentTypeId: net.appointmentTypeId })),
    },
  }),
  "POST /api/v1/family-holds body.members.0.patientId": (x, m) => ({
    url: "/api/v1/family-holds",
    payload: {
      tripId: "not-a-trip-id-at-all",
      members: [x, m].map((patientId) => ({ patientId, optionId: option })),
    },
  }),
  "POST /api/v1/family-bookings body.members.0.patientId": (x, m) => ({
    url: "/api/v1/family-bookings",
    payload: {
      tripId: "not-a-trip-id-at-all",
      members: [x, m].map((patientId) => ({ patientId, optionId: option })),
    },
  }),
  "GET /api/v1/patients/:id/notification-preferences params.id": (x) => ({
    url: `/api/v1/patients/${x}/notification-preferences`,
  }),
  "PUT /api/v1/patients/:id/notification-preferences params.id": (x) => ({
    url: `/api/v1/patients/${x}/notification-preferences`,
    payload: { channels: { email: false, sms: false, inApp: true } },
  }),
  "PUT /api/v1/pricing-rules/financial-assistance/:patientId params.patientId": (x) => ({
    url: `/api/v1/pricing-rules/financial-assistance/${x}`,
    payload: { flagged: true },
  }),
  "GET /api/v1/pricing-rules/quote query.patientId": (x) => ({
    url: `/api/v1/pricing-rules/quote?optionId=${encodeURIComponent(option)}&patientId=${x}`,
  }),
};

const methodOf = (route: string) => route.split(" ")[0] as "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

beforeAll(async () => {
  rounds = await startRounds();
  net = await buildClinicNetwork(rounds);
  const own = await createPatient(net.admin);
  const registeredAtA = await createPatient(net.admin);
  const cared = await createPatient(net.admin);
  world.admin = { client: net.admin, mine: own };
  world.patient = { client: await clientFor(rounds, "patient", { patientId: own }), mine: own };
  world.physician = {
    client: await clientFor(rounds, "physician", { physicianId: net.physicianId }),
    mine: cared,
  };
  world.location_staff = {
    client: await clientFor(rounds, "location_staff", { locationIds: [net.main.id] }),
    mine: registeredAtA,
  };
  world.department_head = { client: await clientFor(rounds, "department_head", {}), mine: own };
  world.compliance = { client: await clientFor(rounds, "compliance"), mine: own };
  // the physician's patient, and the front desk's: a booking with X, and a registration at A
  const [first, second] = await optionsOn(net, net.admin, 0);
  const booked = await net.admin.inject({
    method: "POST",
    url: "/api/v1/appointments",
    payload: { optionId: first!.id, patientId: cared },
  });
  expect(booked.statusCode).toBe(201);
  const mrn = (
    (await net.admin.inject({ url: `/api/v1/patients/${registeredAtA}` })).json() as { mrn: string }
  ).mrn;
  const birthDate = (
    (await net.admin.inject({ url: `/api/v1/patients/${registeredAtA}` })).json() as { birthDate: string }
  ).birthDate;
  await world.location_staff.client.inject({ url: `/api/v1/patients?mrn=${mrn}&birthDate=${birthDate}` });
  option = second!.id;
}, 120_000);
afterAll(() => rounds.close());

describe("the access policy covers every route", () => {
  it("every id a route takes, in its path, query or body, is guarded by a declared rule", () => {
    const routes = new Map(rounds.app.apiRoutes.map((r) => [`${r.method} ${r.url}`, r]));
    const unguarded: string[] = [];
    for (const [route, fields] of idFields()) {
      const declared = routes.get(route)?.guards ?? {};
      for (const field of fields) if (!declared[field]) unguarded.push(`${route} ${field}`);
    }
    expect(unguarded, "ids without a guard").toEqual([]);
  });

  it("every guard names an action the policy table has a rule for, and the route admits exactly its roles", () => {
    const problems: string[] = [];
    for (const route of rounds.app.apiRoutes) {
      for (const [field, guard] of Object.entries(route.guards)) {
        if (typeof guard === "string") continue;
        const [kind, action] = guard as Exclude<Guard, string>;
        const roles = rolesFor(kind, action as never).sort();
        if (!roles.length)
          problems.push(`${route.method} ${route.url} ${field}: no rule for ${kind}.${action}`);
        const admitted = Array.isArray(route.allow) ? [...route.allow].sort() : route.allow;
        if (JSON.stringify(admitted) !== JSON.stringify(roles))
          problems.push(`${route.method} ${route.url} ${field}: admits ${admitted}, the policy ${roles}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("every rule of the policy table says in words who may do what", () => {
    for (const rule of policy) expect(rule.says.length, JSON.stringify(rule.actions)).toBeGreaterThan(20);
  });
});

describe("a patient outside the caller's scope, named in any field of any route", () => {
  const sweep = () => {
    const cases: Array<{ route: string; field: string }> = [];
    for (const r of rounds.app.apiRoutes)
      for (const [field, guard] of Object.entries(r.guards))
        if (typeof guard !== "string" && guard[0] === "patient" && guard.length === 2)
          cases.push({ route: `${r.method} ${r.url}`, field });
    return cases;
  };

  it("has a sample request for every patient guard, so the sweep below cannot skip a route", () => {
    const missing = sweep()
      .map((c) => `${c.route} ${c.field}`)
      .filter((k) => !SAMPLES[k]);
    expect(missing).toEqual([]);
  });

  it("answers 404 naming that field to every role the policy does not let through, and audits the refusal", async () => {
    const seen: string[] = [];
    for (const { route, field } of sweep()) {
      const entry = rounds.app.apiRoutes.find((r) => `${r.method} ${r.url}` === route)!;
      const guard = entry.guards[field] as readonly ["patient", never];
      for (const role of (Array.isArray(entry.allow) ? entry.allow : []) as Role[]) {
        const stranger = await createPatient(net.admin, { mrn: `S-${unique(10)}` });
        const { client, mine } = world[role];
        // what the table says: no rule holds for a patient this caller has never met
        const actor = { ...(await actorOf(client)), role };
        const ground = await rounds.policies.groundFor(
          rounds.database.db,
          actor,
          guard[1],
          patient(stranger),
        );
        if (ground) continue;
        const sample = SAMPLES[`${route} ${field}`]!(stranger, mine);
        const res = await client.inject({
          method: methodOf(route),
          url: sample.url,
          ...(sample.payload ? { payload: sample.payload } : {}),
        });
        expect(res.statusCode, `${role} ${route} ${field}: ${res.body}`).toBe(404);
        expect((res.json() as { errors: Array<{ field: string }> }).errors.map((e) => e.field)).toEqual([
          field,
        ]);
        const trail = await net.admin.inject({ url: `/api/v1/audit-events?patientId=${stranger}` });
        const refused = (
          trail.json() as { items: Array<{ action: string; userId: string; detail: { field?: string } }> }
        ).items.filter((e) => e.action === "access.refused" && e.userId === client.user.userId);
        expect(
          refused.map((e) => e.detail.field),
          `${role} ${route} ${field} audited`,
        ).toEqual([field]);
        seen.push(`${role} ${route} ${field}`);
      }
    }
    // the sweep reached every kind of caller that holds patient rules
    for (const role of ["patient", "physician", "location_staff"])
      expect(
        seen.some((s) => s.startsWith(role)),
        role,
      ).toBe(true);
    console.log(`patient-scope sweep: ${seen.length} (role, route, field) refusals checked`);
  });
});

/** The actor behind a client, as the policy sees it (facts come from the database). */
async function actorOf(client: Client) {
  const me = (await client.inject({ url: "/api/v1/auth/me" })).json() as {
    id: string;
    role: Role;
    patientId: string | null;
    patientIds?: string[];
    physicianId: string | null;
    locationIds: string[];
  };
  return {
    userId: me.id,
    role: me.role,
    email: "",
    displayName: "",
    sessionId: "",
    patientId: me.patientId,
    patientIds: me.patientIds ?? (me.patientId ? [me.patientId] : []),
    physicianId: me.physicianId,
    locationIds: me.locationIds,
    departmentIds: [],
    specialties: [],
    clientAddress: "",
    requestId: "",
  };
}
