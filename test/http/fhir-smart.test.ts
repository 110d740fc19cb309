/**
 * SMART-on-FHIR system clients over real HTTP: an administrator registers a client, the client
 * discovers the token endpoint with an independent FHIR client (fhir-kit-client), trades its
 * credential (client secret, Basic or post, or a signed JWT) for a five-minute token, and books
 * through the FHIR scheduling operations. Its scopes bound every FHIR interaction, the policy table
 * bounds what it reaches (staff rights at its locations), and its calls are audited as the client.
 */
import type { Bundle, Resource } from "@medplum/fhirtypes";
import { Client as FhirClient } from "fhir-kit-client";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Rounds } from "../../src/server.js";
import { type Client, clientFor } from "../support/auth.js";
import { validateFhir } from "../support/fhir.js";
import { buildClinicNetwork, type ClinicNetwork, createPatient, optionsOn } from "../support/network.js";
import { startRounds } from "../support/rounds.js";

const TYPE_SYSTEM = "https://rounds.example/fhir/CodeSystem/appointment-type";
const ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

let rounds: Rounds;
let base: string;
let net: ClinicNetwork;
let elsewhere: ClinicNetwork;
let admin: Client;
/** A patient registered at the main campus (its staff, and so the client, reach them). */
let localPatient: string;
let tokenUrl: string;
/** A client_secret client of the main campus with every scheduling scope. */
let booker: { id: string; secret: string };

interface AuditItem {
  action: string;
  userId: string | null;
  role: string | null;
  outcome: string;
  resourceId: string | null;
  detail: Record<string, unknown>;
}

async function register(payload: Record<string, unknown>) {
  const res = await admin.inject({ method: "POST", url: "/api/v1/fhir-clients", payload });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { client: { id: string; scopes: string[] }; clientSecret?: string };
}

async function tokenRequest(form: Record<string, string>, headers: Record<string, string> = {}) {
  const res = await fetch(tokenUrl, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(form),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, string> };
}

async function secretToken(client: { id: string; secret: string }, scope?: string) {
  const res = await tokenRequest({
    grant_type: "client_credentials",
    client_id: client.id,
    client_secret: client.secret,
    ...(scope ? { scope } : {}),
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.access_token!;
}

async function fhirGet(path: string, token?: string) {
  const res = await fetch(`${base}/${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  return { status: res.status, headers: res.headers, body: (await res.json()) as Resource };
}

async function trailOf(userId: string): Promise<AuditItem[]> {
  const res = await admin.inject({ url: `/api/v1/audit-events?userId=${userId}&limit=200` });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { items: AuditItem[] }).items;
}

beforeAll(async () => {
  rounds = await startRounds();
  base = `${await rounds.app.listen({ port: 0, host: "127.0.0.1" })}/fhir/R4`;
  net = await buildClinicNetwork(rounds);
  elsewhere = await buildClinicNetwork(rounds);
  admin = await clientFor(rounds, "admin");
  localPatient = await createPatient(
    await clientFor(rounds, "location_staff", { locationIds: [net.main.id] }),
  );
  // an independent client finds the token endpoint the way SMART clients do
  const meta = await new FhirClient({ baseUrl: base }).smartAuthMetadata();
  tokenUrl = String(meta.tokenUrl);
  const made = await register({
    name: "Regional booking portal",
    authMethod: "client_secret",
    scopes: [
      "system/Slot.read",
      "system/Appointment.read",
      "system/Appointment.write",
      "system/Patient.read",
    ],
    locationIds: [net.main.id],
  });
  booker = { id: made.client.id, secret: made.clientSecret! };
}, 120_000);
afterAll(() => rounds?.close());

describe("discovery and registration", () => {
  it("SMART discovery and the CapabilityStatement name the token endpoint and its ways of signing in", async () => {
    expect(tokenUrl).toBe(`${base}/auth/token`);
    const config = (await (await fetch(`${base}/.well-known/smart-configuration`)).json()) as Record<
      string,
      unknown
    >;
    expect(config).toMatchObject({
      token_endpoint: tokenUrl,
      grant_types_supported: ["client_credentials"],
      token_endpoint_auth_methods_supported: expect.arrayContaining([
        "client_secret_basic",
        "client_secret_post",
        "private_key_jwt",
      ]),
      scopes_supported: expect.arrayContaining(["system/Slot.read", "system/Appointment.write"]),
    });
    const metadata = (await (await fetch(`${base}/metadata`)).json()) as Resource;
    expect(() => validateFhir(metadata)).not.toThrow();
    expect(JSON.stringify(metadata)).toContain("SMART-on-FHIR");
  });

  it("an administrator sees registered clients without their secrets; others may not register any", async () => {
    const list = await admin.inject({ url: "/api/v1/fhir-clients" });
    expect(list.statusCode).toBe(200);
    const mine = (list.json() as { items: Array<Record<string, unknown>> }).items.find(
      (c) => c.id === booker.id,
    );
    expect(mine).toMatchObject({ name: "Regional booking portal", active: true, locationIds: [net.main.id] });
    expect(JSON.stringify(list.json())).not.toContain(booker.secret);
    const staff = await clientFor(rounds, "location_staff", { locationIds: [net.main.id] });
    const refused = await staff.inject({
      method: "POST",
      url: "/api/v1/fhir-clients",
      payload: {
        name: "Sneaky",
        authMethod: "client_secret",
        scopes: ["system/Slot.read"],
        locationIds: [net.main.id],
      },
    });
    expect(refused.statusCode).toBe(403);
  });

  it("registration refuses unknown scopes, a private key, and a missing key, naming the field", async () => {
    const bad = async (payload: Record<string, unknown>, field: string) => {
      const res = await admin.inject({ method: "POST", url: "/api/v1/fhir-clients", payload });
      expect(res.statusCode, res.body).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
      expect(JSON.stringify(res.json().errors)).toContain(field);
    };
    const base = { name: "Lab system", locationIds: [net.main.id] };
    await bad({ ...base, authMethod: "client_secret", scopes: ["system/Everything.write"] }, "scopes");
    await bad({ ...base, authMethod: "private_key_jwt", scopes: ["system/Slot.read"] }, "publicJwk");
    const { privateKey } = await generateKeyPair("ES384", { extractable: true });
    await bad(
      {
        ...base,
        authMethod: "private_key_jwt",
        scopes: ["system/Slot.read"],
        publicJwk: await exportJWK(privateKey),
      },
      "publicJwk",
    );
    await bad(
      {
        ...base,
        authMethod: "client_secret",
        scopes: ["system/Slot.read"],
        locationIds: [crypto.randomUUID()],
      },
      "locationIds",
    );
  });
});

describe("the token endpoint", () => {
  it("a client secret sent in the form or as Basic credentials buys a short-lived token of the asked scopes", async () => {
    const post = await tokenRequest({
      grant_type: "client_credentials",
      client_id: booker.id,
      client_secret: booker.secret,
      scope: "system/Slot.read system/Appointment.read",
    });
    expect(post.status).toBe(200);
    expect(post.headers.get("cache-control")).toBe("no-store");
    expect(post.body).toMatchObject({
      token_type: "bearer",
      expires_in: 300,
      scope: "system/Appointment.read system/Slot.read",
    });
    const basic = await tokenRequest(
      { grant_type: "client_credentials", scope: "system/*.read" },
      { authorization: `Basic ${Buffer.from(`${booker.id}:${booker.secret}`).toString("base64")}` },
    );
    expect(basic.status, JSON.stringify(basic.body)).toBe(200);
    expect(basic.body.scope).toBe("system/Appointment.read system/Patient.read system/Slot.read");
  });

  it("a wrong secret, an unregistered scope or another grant is refused in OAuth's words, and audited", async () => {
    const wrong = await tokenRequest({
      grant_type: "client_credentials",
      client_id: booker.id,
      client_secret: "nope",
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe("invalid_client");
    const scope = await tokenRequest({
      grant_type: "client_credentials",
      client_id: booker.id,
      client_secret: booker.secret,
      scope: "system/Location.read",
    });
    expect(scope.status).toBe(400);
    expect(scope.body.error).toBe("invalid_scope");
    const grant = await tokenRequest({
      grant_type: "password",
      client_id: booker.id,
      client_secret: booker.secret,
    });
    expect(grant.body.error).toBe("unsupported_grant_type");
    const unknown = await tokenRequest({
      grant_type: "client_credentials",
      client_id: "x",
      client_secret: "y",
    });
    expect(unknown.status).toBe(401);
    const failures = (await trailOf(booker.id)).filter(
      (e) => e.action === "fhir_client.token" && e.outcome === "failure",
    );
    expect(failures.map((e) => e.detail.error)).toEqual(
      expect.arrayContaining(["invalid_client", "invalid_scope"]),
    );
  });

  it("a private_key_jwt client signs in with a signed assertion once; a replay or another audience is refused", async () => {
    const { publicKey, privateKey } = await generateKeyPair("ES384");
    const made = await register({
      name: "Scheduling kiosk fleet",
      authMethod: "private_key_jwt",
      publicJwk: await exportJWK(publicKey),
      scopes: ["system/Slot.read"],
      locationIds: [net.main.id],
    });
    expect(made.clientSecret).toBeUndefined();
    const id = made.client.id;
    const assertion = (audience: string) =>
      new SignJWT({})
        .setProtectedHeader({ alg: "ES384" })
        .setIssuer(id)
        .setSubject(id)
        .setAudience(audience)
        .setJti(crypto.randomUUID())
        .setExpirationTime("2m")
        .sign(privateKey);
    const form = (jwt: string) => ({
      grant_type: "client_credentials",
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: jwt,
      scope: "system/Slot.read",
    });
    const jwt = await assertion(tokenUrl);
    const ok = await tokenRequest(form(jwt));
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.scope).toBe("system/Slot.read");
    expect((await tokenRequest(form(jwt))).body.error).toBe("invalid_client");
    expect((await tokenRequest(form(await assertion("https://elsewhere.example/token")))).body.error).toBe(
      "invalid_client",
    );
    // someone else's key does not sign for this client
    const other = await generateKeyPair("ES384");
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: "ES384" })
      .setIssuer(id)
      .setSubject(id)
      .setAudience(tokenUrl)
      .setJti(crypto.randomUUID())
      .setExpirationTime("2m")
      .sign(other.privateKey);
    expect((await tokenRequest(form(forged))).status).toBe(401);
  });
});

describe("a system client on the FHIR API", () => {
  it("an independent FHIR client with a system token finds, holds and books at the client's location, audited as the client", async () => {
    const token = await secretToken(booker);
    const client = new FhirClient({ baseUrl: base, bearerToken: token });
    const found = (await client.operation({
      resourceType: "Appointment",
      name: "$find",
      input: {
        resourceType: "Parameters",
        parameter: [
          { name: "start", valueDateTime: net.at("09:00", 1) },
          { name: "end", valueDateTime: net.at("12:00", 1) },
          { name: "visit-type", valueCoding: { system: TYPE_SYSTEM, code: net.appointmentTypeId } },
          { name: "location", valueReference: { reference: `Location/${net.main.id}` } },
          { name: "patient", valueReference: { reference: `Patient/${localPatient}` } },
          { name: "_count", valueInteger: 2 },
        ],
      },
    })) as unknown as Bundle;
    const proposal = found.entry?.[0]?.resource;
    expect(proposal?.resourceType).toBe("Appointment");
    const held = (await client.operation({
      resourceType: "Appointment",
      name: "$hold",
      input: {
        resourceType: "Parameters",
        parameter: [{ name: "appointment-resource", resource: proposal }],
      },
    })) as unknown as Bundle;
    const hold = held.entry![0]!.resource as { id: string };
    const booked = (await client.operation({
      resourceType: "Appointment",
      name: "$book",
      input: {
        resourceType: "Parameters",
        parameter: [
          { name: "appointment-reference", valueReference: { reference: `Appointment/${hold.id}` } },
        ],
      },
    })) as unknown as Bundle;
    expect(booked.entry![0]!.resource).toMatchObject({ id: hold.id, status: "booked" });
    const read = (await client.read({ resourceType: "Appointment", id: hold.id })) as unknown as Resource;
    expect(() => validateFhir(read)).not.toThrow();
    // the JSON API sees the booking; the trail names the client as who made it
    const json = await admin.inject({ url: `/api/v1/appointments/${hold.id}` });
    expect(json.json()).toMatchObject({
      status: "booked",
      patientId: localPatient,
      locationId: net.main.id,
    });
    const trail = await trailOf(booker.id);
    const booking = trail.find((e) => e.resourceId === hold.id && e.action.startsWith("appointment."));
    expect(booking).toMatchObject({ userId: booker.id, role: "system_client" });
  });

  it("each FHIR interaction needs its scope: a Slot reader may not search or book appointments", async () => {
    const token = await secretToken(booker, "system/Slot.read");
    const slots = await fhirGet(`Slot?service-type=${net.appointmentTypeId}&_count=1`, token);
    expect(slots.status, JSON.stringify(slots.body)).toBe(200);
    const appointments = await fhirGet("Appointment?_count=1", token);
    expect(appointments.status).toBe(403);
    expect(appointments.body.resourceType).toBe("OperationOutcome");
    expect(() => validateFhir(appointments.body)).not.toThrow();
    expect(appointments.headers.get("www-authenticate")).toContain("insufficient_scope");
    const book = await fetch(`${base}/Appointment/$book`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/fhir+json" },
      body: JSON.stringify({ resourceType: "Parameters", parameter: [] }),
    });
    expect(book.status).toBe(403);
    const patient = await fhirGet(`Patient/${net.patientId}`, token);
    expect(patient.status).toBe(403);
  });

  it("a client reaches only what staff of its locations reach: another campus's patient is not found, and that is audited", async () => {
    const token = await secretToken(booker);
    const here = await fhirGet(`Patient/${localPatient}`, token);
    expect(here.status, JSON.stringify(here.body)).toBe(200);
    const there = await fhirGet(`Patient/${elsewhere.patientId}`, token);
    expect(there.status).toBe(404);
    const listed = await fhirGet(`Appointment?patient=Patient/${elsewhere.patientId}`, token);
    expect((listed.body as Bundle).entry ?? []).toEqual([]);
    const refusals = (await trailOf(booker.id)).filter((e) => e.action === "access.refused");
    expect(refusals.some((e) => e.role === "system_client" && e.resourceId === elsewhere.patientId)).toBe(
      true,
    );
  });

  it("a network-wide client reaches every campus's patients with the rights its scopes grant, and is registered only as such", async () => {
    const made = await register({
      name: "Network scheduling hub",
      authMethod: "client_secret",
      scopes: ["system/Patient.read"],
      networkWide: true,
    });
    expect(made.client).toMatchObject({ networkWide: true, locationIds: [] });
    const token = await secretToken({ id: made.client.id, secret: made.clientSecret! });
    const farPatient = await createPatient(
      await clientFor(rounds, "location_staff", { locationIds: [elsewhere.main.id] }),
    );
    for (const id of [localPatient, farPatient]) {
      const res = await fhirGet(`Patient/${id}`, token);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    // its scopes still bound it: no appointments without their scope
    expect((await fhirGet("Appointment?_count=1", token)).status).toBe(403);
    const registered = (await trailOf(admin.user.userId)).find(
      (e) => e.action === "fhir_client.register" && e.resourceId === made.client.id,
    );
    expect(registered?.detail).toMatchObject({ networkWide: true, locationIds: [] });
    // locations and network-wide exclude each other; a client has one or the other
    for (const payload of [
      { networkWide: true, locationIds: [net.main.id] },
      { networkWide: false, locationIds: [] },
      {},
    ]) {
      const res = await admin.inject({
        method: "POST",
        url: "/api/v1/fhir-clients",
        payload: {
          name: "Half a client",
          authMethod: "client_secret",
          scopes: ["system/Slot.read"],
          ...payload,
        },
      });
      expect(res.statusCode, res.body).toBe(400);
      expect((res.json() as { errors: Array<{ field: string }> }).errors.map((e) => e.field)).toEqual([
        "body.locationIds",
      ]);
    }
  });

  it("Patient search by MRN, name and birth date finds only patients in reach; a client never registers one by MRN", async () => {
    const token = await secretToken(booker);
    const mine = (await admin.inject({ url: `/api/v1/patients/${localPatient}` })).json() as {
      mrn: string;
      familyName: string;
      birthDate: string;
    };
    const theirs = (await admin.inject({ url: `/api/v1/patients/${elsewhere.patientId}` })).json() as {
      mrn: string;
      familyName: string;
      birthDate: string;
    };
    const ids = async (query: string) => {
      const res = await fhirGet(`Patient?${query}`, token);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(() => validateFhir(res.body)).not.toThrow();
      return ((res.body as Bundle).entry ?? []).map((e) => e.resource!.id);
    };
    const mrnSystem = encodeURIComponent("https://rounds.example/fhir/identifier/mrn");
    expect(await ids(`identifier=${mrnSystem}|${mine.mrn}`)).toEqual([localPatient]);
    expect(await ids(`name=${mine.familyName}&birthdate=${mine.birthDate}`)).toEqual([localPatient]);
    expect(await ids(`name=${theirs.familyName}`)).toEqual([]);
    // a front desk's MRN + birth date identity check is a person's act, not a system client's
    expect(await ids(`identifier=${theirs.mrn}&birthdate=${theirs.birthDate}`)).toEqual([]);
    expect((await fhirGet(`Patient/${elsewhere.patientId}`, token)).status).toBe(404);
    const bad = await fhirGet("Patient?birthdate=ge2000-01-01", token);
    expect(bad.status).toBe(400);
  });

  it("an _include of a patient out of the client's reach leaves them out, and the refusal is audited", async () => {
    // a hold at the client's campus for a patient of another network: the appointment is the
    // campus's, the patient is not (holds do not bring a patient into scope)
    const option = (await optionsOn(net, admin, 3, `&locationIds=${net.main.id}`)).find(
      (o) => o.locationId === net.main.id,
    )!;
    const hold = await admin.inject({
      method: "POST",
      url: "/api/v1/holds",
      payload: { optionId: option.id, patientId: elsewhere.patientId },
    });
    expect(hold.statusCode, hold.body).toBe(201);
    const holdId = (hold.json() as { id: string }).id;
    const token = await secretToken(booker);
    const found = await fhirGet(
      `Appointment?location=Location/${net.main.id}&status=pending&_include=Appointment:patient&_count=200`,
      token,
    );
    expect(found.status, JSON.stringify(found.body)).toBe(200);
    const resources = ((found.body as Bundle).entry ?? []).map((e) => e.resource!);
    expect(resources.some((r) => r.resourceType === "Appointment" && r.id === holdId)).toBe(true);
    expect(resources.some((r) => r.resourceType === "Patient" && r.id === elsewhere.patientId)).toBe(false);
    const refusal = (await trailOf(booker.id)).find(
      (e) =>
        e.action === "access.refused" &&
        e.resourceId === elsewhere.patientId &&
        e.detail.field === "_include",
    );
    expect(refusal).toMatchObject({ role: "system_client", outcome: "denied" });
  });

  it("$bulk-publish is public: Locations, Schedules and free Slots with booking deep links, no patient in them", async () => {
    const manifest = (await (await fetch(`${base}/$bulk-publish`)).json()) as {
      transactionTime: string;
      output: Array<{ type: string; url: string }>;
    };
    expect(manifest.output.map((o) => o.type)).toEqual(["Location", "Schedule", "Slot"]);
    const files: Record<string, Resource[]> = {};
    for (const o of manifest.output) {
      const res = await fetch(o.url);
      expect(res.status, o.url).toBe(200);
      expect(res.headers.get("content-type")).toContain("application/fhir+ndjson");
      const text = await res.text();
      expect(text).not.toContain(net.patientId);
      expect(text).not.toContain("Patient/");
      files[o.type] = text
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Resource);
    }
    expect(files.Location!.map((l) => l.id)).toEqual(expect.arrayContaining([net.main.id, net.satellite.id]));
    const schedules = new Set(files.Schedule!.map((s) => `Schedule/${s.id}`));
    const slots = files.Slot! as Array<Resource & { schedule: { reference: string }; extension: unknown[] }>;
    const ours = slots.filter((s) => JSON.stringify(s).includes(net.appointmentTypeId));
    expect(ours.length).toBeGreaterThan(0);
    for (const slot of ours.slice(0, 20)) {
      expect(() => validateFhir(slot)).not.toThrow();
      expect(schedules.has(slot.schedule.reference), slot.schedule.reference).toBe(true);
      const link = (slot.extension as Array<{ url: string; valueUrl: string }>).find((e) =>
        e.url.endsWith("booking-deep-link"),
      )!;
      const url = new URL(link.valueUrl);
      expect(url.pathname).toBe("/patient");
      expect(url.searchParams.get("type")).toBe(net.appointmentTypeId);
      expect(url.searchParams.get("specialty")).toBe(net.specialty);
    }
    for (const resource of [...files.Location!.slice(0, 3), ...files.Schedule!.slice(0, 3)])
      expect(() => validateFhir(resource)).not.toThrow();
    // the files are kept a while: the next manifest names the same moment; any token may read them too
    const appointmentsOnly = await secretToken(booker, "system/Appointment.read");
    const again = await fhirGet("$bulk-publish", appointmentsOnly);
    expect(again.status).toBe(200);
    expect((again.body as unknown as { transactionTime: string }).transactionTime).toBe(
      manifest.transactionTime,
    );
    expect((await fhirGet("$bulk-publish/Patient.ndjson")).status).toBe(404);
  });

  it("a system token opens nothing of the JSON API, and deactivating the client ends its tokens", async () => {
    const made = await register({
      name: "Short-lived integration",
      authMethod: "client_secret",
      scopes: ["system/Appointment.read"],
      locationIds: [net.main.id],
    });
    const client = { id: made.client.id, secret: made.clientSecret! };
    const token = await secretToken(client);
    expect((await fhirGet("Appointment?_count=1", token)).status).toBe(200);
    const api = await fetch(`${base.replace("/fhir/R4", "")}/api/v1/appointments`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(api.status).toBe(401);
    const off = await admin.inject({
      method: "PATCH",
      url: `/api/v1/fhir-clients/${client.id}`,
      payload: { active: false },
    });
    expect(off.statusCode, off.body).toBe(200);
    expect((await fhirGet("Appointment?_count=1", token)).status).toBe(401);
    const again = await tokenRequest({
      grant_type: "client_credentials",
      client_id: client.id,
      client_secret: client.secret,
    });
    expect(again.status).toBe(401);
  });
});
