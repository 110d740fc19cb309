/**
 * The FHIR endpoint against odd and hostile input (its routes are hidden from the OpenAPI document,
 * so the API fuzzer never reaches them): generated ids, search parameters and operation bodies,
 * sent by an administrator, a staff member and a system client. Every refusal is a 4xx
 * OperationOutcome the official R4 definitions accept (the token endpoint answers OAuth errors),
 * never a 500 and never the database's own words.
 */
import type { CapabilityStatement, Resource } from "@medplum/fhirtypes";
import fc from "fast-check";
import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Rounds } from "../../src/server.js";
import { clientFor } from "../support/auth.js";
import { validateFhir } from "../support/fhir.js";
import { buildClinicNetwork, type ClinicNetwork } from "../support/network.js";
import { startRounds } from "../support/rounds.js";

const BASE = "/fhir/R4";
let rounds: Rounds;
let net: ClinicNetwork;
const callers: Record<string, string> = {};
let capability: CapabilityStatement;

beforeAll(async () => {
  rounds = await startRounds();
  net = await buildClinicNetwork(rounds);
  callers.admin = net.admin.user.token;
  callers.staff = (await clientFor(rounds, "location_staff", { locationIds: [net.main.id] })).user.token;
  const made = await net.admin.inject({
    method: "POST",
    url: "/api/v1/fhir-clients",
    payload: {
      name: "Fuzzing client",
      authMethod: "client_secret",
      scopes: [
        "system/Slot.read",
        "system/Appointment.read",
        "system/Appointment.write",
        "system/Patient.read",
      ],
      locationIds: [net.main.id],
    },
  });
  const { client, clientSecret } = made.json() as { client: { id: string }; clientSecret: string };
  const token = await rounds.app.inject({
    method: "POST",
    url: `${BASE}/auth/token`,
    headers: { "content-type": "application/x-www-form-urlencoded" },
    payload: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: client.id,
      client_secret: clientSecret,
    }).toString(),
  });
  callers.system = (token.json() as { access_token: string }).access_token;
  capability = (await rounds.app.inject({ url: `${BASE}/metadata` })).json() as CapabilityStatement;
}, 120_000);
afterAll(() => rounds?.close());

/** Odd values: generated text of every kind, and the classics of injection and overflow. */
const odd = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 20 }),
  fc.constantFrom(
    "",
    " ",
    "%00",
    "\u0000",
    "' OR 1=1 --",
    "../../etc/passwd",
    "Patient/../../Location",
    "ge",
    "lt2026-02-30",
    "ge99999-01-01",
    "eq2026-13-01",
    "sa2026-01-01",
    "|",
    "http://x|y",
    "Location/",
    "x".repeat(3000),
    "-1",
    "1e309",
    "00000000-0000-0000-0000-000000000000",
    "Z".repeat(22),
    `${"0".repeat(22)}-${"z".repeat(22)}`,
    "Practitioner/ffffffff-ffff-ffff-ffff-ffffffffffff",
    "Slot:schedule,Appointment:patient",
    "*",
  ),
);

function expectNoFailure(res: LightMyRequestResponse, what: string): void {
  expect(res.statusCode, `${what} → ${res.statusCode} ${res.body.slice(0, 300)}`).toBeLessThan(500);
  expect(res.body).not.toMatch(/violates|syntax error|invalid input syntax|relation "|column "/i);
  if (res.statusCode >= 400) {
    const body = JSON.parse(res.body) as Resource;
    expect(body.resourceType, what).toBe("OperationOutcome");
    expect(() => validateFhir(body), what).not.toThrow();
  }
}

const inject = (token: string, method: string, url: string, payload?: unknown) =>
  rounds.app.inject({
    method: method as "GET",
    url,
    headers: {
      authorization: `Bearer ${token}`,
      ...(payload !== undefined ? { "content-type": "application/fhir+json" } : {}),
    },
    ...(payload !== undefined ? { payload: JSON.stringify(payload) } : {}),
  });

const enc = encodeURIComponent;

describe("FHIR hostile input", () => {
  it("odd ids on every read answer 4xx OperationOutcomes, never a failure", async () => {
    const types = capability.rest![0]!.resource!.filter((r) => r.interaction?.some((i) => i.code === "read"));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...types.map((t) => t.type)),
        odd,
        fc.constantFrom(...Object.keys(callers)),
        async (type, id, who) => {
          const res = await inject(callers[who]!, "GET", `${BASE}/${type}/${enc(id)}`);
          expectNoFailure(res, `${who} GET ${type}/${JSON.stringify(id)}`);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("odd values of every declared search parameter, paging and _include answer 4xx or a Bundle", async () => {
    const searches = capability.rest![0]!.resource!.flatMap((r) =>
      r.interaction?.some((i) => i.code === "search-type")
        ? [...(r.searchParam ?? []).map((p) => p.name), "_count", "_offset", "_include", "unknown-param"].map(
            (name) => [r.type, name] as const,
          )
        : [],
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...searches),
        fc.array(odd, { minLength: 1, maxLength: 2 }),
        fc.constantFrom(...Object.keys(callers)),
        async ([type, name], values, who) => {
          // a Slot search needs its type: add it unless the parameter under test is that one
          const base =
            type === "Slot" && name !== "service-type" ? `service-type=${net.appointmentTypeId}&` : "";
          const query = values.map((v) => `${enc(name)}=${enc(v)}`).join("&");
          const res = await inject(callers[who]!, "GET", `${BASE}/${type}?${base}${query}`);
          expectNoFailure(res, `${who} GET ${type}?${base}${query}`);
        },
      ),
      { numRuns: 90 },
    );
  });

  it("odd operation bodies and parameters for $find, $hold, $book, $cancel, PUT and PATCH are refused cleanly", async () => {
    const parameter = fc.record({
      name: fc.oneof(
        fc.constantFrom(
          "start",
          "end",
          "visit-type",
          "practitioner",
          "location",
          "patient",
          "patient-reference",
          "appointment-resource",
          "appointment-reference",
          "_count",
          "reason",
        ),
        odd,
      ),
      value: fc.oneof(
        odd.map((v) => ({ valueString: v })),
        odd.map((v) => ({ valueReference: { reference: v } })),
        odd.map((v) => ({ valueCoding: { system: v, code: v } })),
        fc.integer().map((v) => ({ valueInteger: v })),
        fc.constant({ resource: { resourceType: "Appointment", identifier: [{ system: "x", value: "y" }] } }),
        fc.constant({ resource: { resourceType: "Patient" } }),
        fc.constant({}),
      ),
    });
    const body = fc.oneof(
      fc.array(parameter, { maxLength: 4 }).map((ps) => ({
        resourceType: "Parameters",
        parameter: ps.map((p) => ({ name: p.name, ...p.value })),
      })),
      fc.jsonValue({ maxDepth: 2 }),
      fc.constant({ resourceType: "Appointment", status: "cancelled" }),
      fc.constant([{ op: "replace", path: "/status", value: "cancelled" }]),
    );
    const target = fc.constantFrom(
      ["POST", "/Appointment/$find"],
      ["POST", "/Appointment/$hold"],
      ["POST", "/Appointment/$book"],
      ["POST", "/Appointment/ID/$cancel"],
      ["PUT", "/Appointment/ID"],
      ["PATCH", "/Appointment/ID"],
    );
    await fc.assert(
      fc.asyncProperty(
        target,
        body,
        odd,
        fc.constantFrom(...Object.keys(callers)),
        async ([method, path], payload, id, who) => {
          const url = `${BASE}${path.replace("ID", enc(id) || "x")}`;
          const res = await inject(callers[who]!, method, url, payload ?? null);
          expectNoFailure(res, `${who} ${method} ${url} ${JSON.stringify(payload).slice(0, 200)}`);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("odd token requests answer OAuth errors, never a failure or a token", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(
          fc.constantFrom(
            "grant_type",
            "client_id",
            "client_secret",
            "scope",
            "client_assertion",
            "client_assertion_type",
          ),
          odd,
        ),
        fc.option(odd),
        async (form, basic) => {
          const res = await rounds.app.inject({
            method: "POST",
            url: `${BASE}/auth/token`,
            headers: {
              "content-type": "application/x-www-form-urlencoded",
              ...(basic !== null ? { authorization: `Basic ${Buffer.from(basic).toString("base64")}` } : {}),
            },
            payload: new URLSearchParams(form).toString(),
          });
          expect(res.statusCode, res.body).toBeGreaterThanOrEqual(400);
          expect(res.statusCode, res.body).toBeLessThan(500);
          expect(typeof (res.json() as { error: string }).error, res.body).toBe("string");
        },
      ),
      { numRuns: 60 },
    );
  });
});
