/**
 * Every operation in the API document, called with values generated from its own schemas and with
 * hostile ones (huge and negative numbers, years 0000/9999/10000, NUL and other awkward text,
 * upper-case ids, over-long strings, malformed percent-encoding, wrong types), by callers of
 * several roles. Whatever is sent, the answer is never a 5xx; every answer's status is one the
 * document lists for that operation and its body matches the documented schema; every 4xx is
 * problem+json naming the field at fault, except where no field is at fault (401, 403, 429, 503,
 * a path that matches no route, and a collision to retry).
 *
 * Seeded and bounded: FUZZ_RUNS per operation (default 8 on the embedded database, 16 on a
 * PostgreSQL server, where CI runs it once — the surface tier, vitest.config.ts; kept low as the
 * API grew past 150 operations; FUZZ_RUNS=200 for a deep run). FUZZ_SEED replays a failing run.
 */
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import formatsPlugin from "ajv-formats";
import fc from "fast-check";
import type { InjectOptions } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/platform/config.js";
import { createRounds, type Rounds } from "../src/server.js";
import { clientFor, signIn } from "./support/auth.js";
import { type FreshDatabase, freshDatabase } from "./support/databases.js";
import { buildClinicNetwork } from "./support/network.js";
import { arbitraryOf, asText, encode, type Json, type World } from "./support/openapi-arbitraries.js";

const RUNS = Number(process.env.FUZZ_RUNS ?? (process.env.DATABASE_URL ? 16 : 8));
const SEED = Number(process.env.FUZZ_SEED ?? (process.env.DATABASE_URL ? 20261204 : 20261203));

interface Operation {
  method: string;
  path: string;
  parameters: Array<{ in: string; name: string; required?: boolean; schema: Json }>;
  body?: Json;
  responses: Record<string, { content?: Record<string, { schema?: Json }> }>;
}

/** Operations the fuzzer cannot call through inject, and why. */
const NOT_FUZZED: Record<string, string> = {
  // a valid request opens a stream that stays open for half an hour
  "GET /api/v1/events": "server-sent event stream",
};

/** Problems where no single field is at fault. */
function fieldless(status: number, body: Json): boolean {
  if ([401, 403, 429, 503].includes(status)) return true;
  if (status === 404 && body.code === "route_not_found") return true;
  return status === 409 && body.code === "retry";
}

type Caller = "anonymous" | "admin" | "patient" | "physician" | "location_staff" | "compliance";
const CALLERS: Caller[] = ["anonymous", "admin", "patient", "physician", "location_staff", "compliance"];

interface Call {
  caller: Caller;
  request: InjectOptions & { url: string; method: InjectOptions["method"] };
}

function callArbitrary(op: Operation, world: World): fc.Arbitrary<Call> {
  const build = (hostility: number) => {
    const pathParams = op.parameters.filter((p) => p.in === "path");
    const query = op.parameters.filter((p) => p.in === "query");
    const headers = op.parameters.filter((p) => p.in === "header");
    const segment = (p: (typeof pathParams)[number]) =>
      fc.oneof(
        { weight: 8, arbitrary: arbitraryOf(p.schema, world, hostility).map((v) => encode(asText(v))) },
        { weight: hostility ? 1 : 0, arbitrary: fc.constantFrom("%E0%A4%A", "%", "%00", "a".repeat(300)) },
      );
    const optional = (p: { required?: boolean; schema: Json }) =>
      p.required
        ? arbitraryOf(p.schema, world, hostility)
        : fc.option(arbitraryOf(p.schema, world, hostility), { nil: undefined });
    return fc.record({
      // administrators may call nearly everything, so they reach past admission most often
      caller: fc.oneof({ weight: 4, arbitrary: fc.constant<Caller>("admin") }, fc.constantFrom(...CALLERS)),
      path: fc.tuple(...pathParams.map(segment)),
      query: fc.tuple(...query.map(optional)),
      headers: fc.tuple(...headers.map(optional)),
      extraQuery: hostility
        ? fc.constantFrom("", "", "&unknown=1", "&q=%E0%A4%A", "&limit=1e400")
        : fc.constant(""),
      body: op.body ? arbitraryOf(op.body, world, hostility) : fc.constant(undefined),
      bodyForm: hostility
        ? fc.constantFrom("json", "json", "json", "json", "broken", "xml")
        : fc.constant("json" as const),
    });
  };
  return fc.oneof(build(0), build(3)).map((g): Call => {
    const pathParams = op.parameters.filter((p) => p.in === "path");
    let url = op.path;
    pathParams.forEach((p, i) => {
      url = url.replace(`{${p.name}}`, g.path[i] as string);
    });
    const query = op.parameters
      .filter((p) => p.in === "query")
      .map((p, i) => [p.name, g.query[i]] as const)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${encode(asText(v))}`)
      .join("&");
    const qs = `${query}${g.extraQuery}`;
    if (qs) url += `?${qs.replace(/^&/, "")}`;
    const headers: Record<string, string> = {};
    op.parameters
      .filter((p) => p.in === "header")
      .forEach((p, i) => {
        const v = g.headers[i];
        if (v !== undefined) headers[p.name] = asText(v).replace(/[^\x20-\x7e]/g, "?");
      });
    const request: Call["request"] = { method: op.method as InjectOptions["method"], url, headers };
    if (op.body && g.body !== undefined) {
      if (g.bodyForm === "broken") {
        request.payload = `${JSON.stringify(g.body)}{`;
        headers["content-type"] = "application/json";
      } else if (g.bodyForm === "xml") {
        request.payload = "<patient/>";
        headers["content-type"] = "application/xml";
      } else {
        request.payload = JSON.stringify(g.body);
        headers["content-type"] = "application/json";
      }
    }
    // signing out would end the caller's session for the rest of the run
    const caller = op.path === "/api/v1/auth/logout" ? "anonymous" : g.caller;
    return { caller, request };
  });
}

describe("every operation in the API document, called with generated and hostile input", () => {
  let fresh: FreshDatabase;
  let rounds: Rounds;
  let world: World;
  const operations: Operation[] = [];
  const headersOf = new Map<Caller, Record<string, string>>();
  const ajv = new Ajv2020({ strict: false, allErrors: false });
  (formatsPlugin as unknown as (a: Ajv2020) => void)(ajv);
  const validators = new Map<string, ValidateFunction>();

  beforeAll(async () => {
    // a database of its own: thousands of random writes must not reach other tests' data
    fresh = await freshDatabase({ migrated: true });
    const config = loadConfig({ ...process.env, LOG_LEVEL: "silent", ROUNDS_SEED_DEMO: "false" });
    rounds = await createRounds(config, { database: fresh.database });
    const network = await buildClinicNetwork(rounds);
    const ids = [
      network.main.id,
      network.satellite.id,
      ...network.main.roomIds,
      network.physicianId,
      network.appointmentTypeId,
      network.patientId,
    ];
    world = { ids };
    headersOf.set("anonymous", {});
    headersOf.set("admin", (await clientFor(rounds, "admin")).user.headers);
    headersOf.set("compliance", (await signIn(rounds, "compliance")).headers);
    headersOf.set("patient", (await signIn(rounds, "patient", { patientId: network.patientId })).headers);
    headersOf.set(
      "physician",
      (await signIn(rounds, "physician", { physicianId: network.physicianId })).headers,
    );
    headersOf.set(
      "location_staff",
      (await signIn(rounds, "location_staff", { locationIds: [network.main.id] })).headers,
    );
    const doc = (await rounds.app.inject({ method: "GET", url: "/api/openapi.json" })).json() as {
      paths: Record<string, Record<string, Json>>;
    };
    for (const [path, ops] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(ops)) {
        const content = (op.requestBody as { content?: Record<string, { schema: Json }> } | undefined)
          ?.content;
        operations.push({
          method: method.toUpperCase(),
          path,
          parameters: (op.parameters as Operation["parameters"] | undefined) ?? [],
          body: content?.["application/json"]?.schema,
          responses: op.responses as Operation["responses"],
        });
      }
  });

  afterAll(async () => {
    await rounds?.close();
    await fresh?.drop();
  });

  function validatorFor(key: string, schema: Json): ValidateFunction {
    let v = validators.get(key);
    if (!v) {
      v = ajv.compile(schema);
      validators.set(key, v);
    }
    return v;
  }

  /** What is wrong with an answer, or undefined when it is as documented. */
  function checkAnswer(
    op: Operation,
    res: { statusCode: number; headers: Record<string, unknown>; body: string },
  ): string | undefined {
    const status = res.statusCode;
    if (status >= 500) return `answered ${status}: ${res.body.slice(0, 300)}`;
    const documented = op.responses[String(status)];
    if (!documented) return `answered ${status}, which the document does not list: ${res.body.slice(0, 300)}`;
    if (status === 204 || res.body === "") return undefined;
    const mediaType = String(res.headers["content-type"] ?? "")
      .split(";")[0]!
      .trim();
    const media = documented.content?.[mediaType];
    if (!media)
      return `answered ${status} as ${mediaType}, documented as ${Object.keys(documented.content ?? {}).join(", ")}`;
    let body: Json;
    try {
      body = JSON.parse(res.body) as Json;
    } catch {
      return `answered ${status} with a body that is not JSON`;
    }
    if (media.schema) {
      const validate = validatorFor(`${op.method} ${op.path} ${status} ${mediaType}`, media.schema);
      if (!validate(body))
        return `answered ${status} with a body that breaks its schema (${ajv.errorsText(validate.errors)}): ${res.body.slice(0, 300)}`;
    }
    if (status >= 400) {
      if (mediaType !== "application/problem+json") return `answered ${status} as ${mediaType}`;
      const errors = Array.isArray(body.errors) ? (body.errors as Array<{ field?: unknown }>) : [];
      if (
        !fieldless(status, body) &&
        (!errors.length || errors.some((e) => typeof e.field !== "string" || !e.field))
      )
        return `answered ${status} without naming the field at fault: ${res.body.slice(0, 300)}`;
    }
    return undefined;
  }

  it("never answers 5xx, and answers only documented statuses and bodies, naming the field of every bad input", async () => {
    expect(operations.length).toBeGreaterThan(50);
    const failures: string[] = [];
    const stats = new Map<string, number>();
    let index = 0;
    for (const op of operations) {
      index++;
      const name = `${op.method} ${op.path}`;
      if (NOT_FUZZED[name]) continue;
      const seed = SEED + index;
      const result = await fc.check(
        fc.asyncProperty(callArbitrary(op, world), async ({ caller, request }) => {
          const res = await rounds.app.inject({
            ...request,
            headers: { ...(request.headers as Record<string, string>), ...headersOf.get(caller) },
          });
          if (process.env.FUZZ_STATS) {
            const key = `${name} ${res.statusCode}`;
            stats.set(key, (stats.get(key) ?? 0) + 1);
          }
          const problem = checkAnswer(op, res);
          if (problem) throw new Error(problem);
        }),
        { numRuns: RUNS, seed, endOnFailure: true },
      );
      if (result.failed) {
        const example = result.counterexample?.[0];
        failures.push(
          `${name} (FUZZ_SEED=${SEED}, operation seed ${seed}) as ${example?.caller}: ` +
            `${example?.request.method} ${example?.request.url} ${String(example?.request.payload ?? "").slice(0, 300)}\n  → ${
              result.errorInstance instanceof Error
                ? result.errorInstance.message
                : String(result.errorInstance)
            }`,
        );
      }
    }
    if (process.env.FUZZ_STATS) console.log([...stats].map(([k, n]) => `${k}: ${n}`).join("\n"));
    expect(failures, failures.join("\n\n")).toEqual([]);
  });
});
