/**
 * Input a hospital's integrations and the odd attacker will send: dates at the ends of the
 * calendar, text the database cannot store, numbers beyond a column, broken URLs. Each is refused
 * as problem+json naming the field, never as a 500, and never with the database's own words.
 */
import { connect } from "node:net";
import type { LightMyRequestResponse } from "fastify";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { problemFromDatabase, registeredConstraints } from "../src/platform/errors.js";
import { createHttpApp } from "../src/platform/http.js";
import type { Rounds } from "../src/server.js";
import type { Client } from "./support/auth.js";
import { buildClinicNetwork, type ClinicNetwork } from "./support/network.js";
import { startRounds, testDatabase } from "./support/rounds.js";

let rounds: Rounds;
let net: ClinicNetwork;
let admin: Client;

beforeAll(async () => {
  rounds = await startRounds();
  net = await buildClinicNetwork(rounds);
  admin = net.admin;
});
afterAll(async () => {
  await rounds?.close();
});

interface Problem {
  status: number;
  code: string;
  detail: string;
  errors: Array<{ field: string; message: string }>;
}

/** The answer is a problem+json 4xx naming `field`; returns the problem. */
function refusedNaming(res: LightMyRequestResponse, field: string, status = 400): Problem {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
  const problem = res.json() as Problem;
  expect(problem.errors.map((e) => e.field)).toContain(field);
  return problem;
}

/** Words PostgreSQL uses in its messages, which must never reach a client. */
const DATABASE_WORDS =
  /invalid byte sequence|out of range for type|violates|constraint|syntax for type|0x00|UTF8/i;

describe("dates near the end of the calendar are refused naming the field, not answered with a 500", () => {
  it("an availability search from the last week of year 9999 is refused naming query.from", async () => {
    const res = await admin.inject({
      url: `/api/v1/availability?appointmentTypeId=${net.appointmentTypeId}&from=9999-12-25T00:00:00Z`,
    });
    refusedNaming(res, "query.from");
  });

  it("the appointments of a day in year 9999 at a location are refused naming query.date", async () => {
    const res = await admin.inject({ url: `/api/v1/appointments?locationId=${net.main.id}&date=9999-12-31` });
    refusedNaming(res, "query.date");
  });

  it("appointments listed from year 9999 are refused naming query.from", async () => {
    const res = await admin.inject({ url: "/api/v1/appointments?from=9999-12-31T23:00:00Z" });
    refusedNaming(res, "query.from");
  });

  it("a physician's assignments for December 9999 are refused naming query.from", async () => {
    const res = await admin.inject({
      url: `/api/v1/physicians/${net.physicianId}/assignments?from=9999-12-01&to=9999-12-31`,
    });
    refusedNaming(res, "query.from");
  });

  it("a physician's schedule for the last week of 9999 is refused naming query.from", async () => {
    const res = await admin.inject({
      url: `/api/v1/physicians/${net.physicianId}/schedule?from=9999-12-25&to=9999-12-31`,
    });
    refusedNaming(res, "query.from");
  });

  it("audit events searched from the last second of year 9999 are refused naming query.from", async () => {
    const res = await admin.inject({
      url: "/api/v1/audit-events?from=9999-12-31T23:59:59Z&to=9999-12-31T23:59:59Z",
    });
    refusedNaming(res, "query.from");
  });

  it("time off on the last evening of year 9999 is refused naming body.startsAt, and nothing is saved", async () => {
    const res = await admin.inject({
      method: "POST",
      url: `/api/v1/physicians/${net.physicianId}/time-off`,
      payload: { startsAt: "9999-12-31T20:00:00Z", endsAt: "9999-12-31T23:00:00Z" },
    });
    refusedNaming(res, "body.startsAt");
    const list = await admin.inject({ url: `/api/v1/physicians/${net.physicianId}/time-off` });
    expect((list.json() as { total: number }).total).toBe(0);
  });

  it("time off starting in year 0000 is refused naming body.startsAt", async () => {
    const res = await admin.inject({
      method: "POST",
      url: `/api/v1/physicians/${net.physicianId}/time-off`,
      payload: { startsAt: "0000-01-01T08:00:00Z", endsAt: "2026-01-01T08:00:00Z" },
    });
    const problem = refusedNaming(res, "body.startsAt");
    expect(problem.detail).not.toMatch(DATABASE_WORDS);
  });

  it("a weekly template effective from year 0000 is refused naming body.effectiveFrom", async () => {
    const res = await admin.inject({
      method: "POST",
      url: `/api/v1/physicians/${net.physicianId}/templates`,
      payload: {
        locationId: net.main.id,
        weekday: 6,
        startTime: "08:00",
        endTime: "12:00",
        effectiveFrom: "0000-01-01",
      },
    });
    const problem = refusedNaming(res, "body.effectiveFrom");
    expect(problem.detail).not.toMatch(DATABASE_WORDS);
  });
});

describe("text and numbers the database cannot hold are refused naming the field", () => {
  it("a specialty name with a NUL character is refused naming body.name, without the database's words", async () => {
    const res = await admin.inject({
      method: "POST",
      url: "/api/v1/specialties",
      payload: { code: "nul_test", name: "Cardio\u0000logy" },
    });
    const problem = refusedNaming(res, "body.name");
    expect(JSON.stringify(problem)).not.toMatch(DATABASE_WORDS);
  });

  it("a NUL character deep inside a patient's address is refused naming body.address.city", async () => {
    const res = await admin.inject({
      method: "PATCH",
      url: `/api/v1/patients/${net.patientId}`,
      payload: { address: { line: "5 Elm St", city: "River\u0000ton" } },
    });
    refusedNaming(res, "body.address.city");
  });

  it("a NUL character in a search is refused naming query.q", async () => {
    const res = await admin.inject({ url: "/api/v1/locations?q=a%00b" });
    refusedNaming(res, "query.q");
  });

  it("a location with three billion parking spaces is refused naming body.parking.spaces, and keeps its parking", async () => {
    const res = await admin.inject({
      method: "PATCH",
      url: `/api/v1/locations/${net.main.id}`,
      payload: { parking: { spaces: 3_000_000_000, accessibleSpaces: 1 } },
    });
    const problem = refusedNaming(res, "body.parking.spaces");
    expect(JSON.stringify(problem)).not.toMatch(DATABASE_WORDS);
    const after = await admin.inject({ url: `/api/v1/locations/${net.main.id}` });
    expect((after.json() as { parking: { spaces: number } }).parking.spaces).toBe(0);
  });
});

describe("requests the framework refuses are problem+json too", () => {
  it("a URL with a malformed percent-encoding answers 400 problem+json naming the url", async () => {
    const res = await admin.inject({ url: "/api/v1/locations/%E0%A4%A" });
    refusedNaming(res, "url");
  });

  it("a path parameter far longer than any id answers problem+json", async () => {
    const res = await admin.inject({ url: `/api/v1/locations/${"a".repeat(5000)}` });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
  });

  it("a URL longer than 16 KiB, refused before Rounds sees it, still answers problem+json naming the url", async () => {
    const app = await createHttpApp({ logLevel: "silent", version: "test" });
    await app.listen({ host: "127.0.0.1", port: 0 });
    try {
      const { port } = app.server.address() as { port: number };
      const answer = await new Promise<string>((resolve) => {
        let received = "";
        const socket = connect(port, "127.0.0.1", () =>
          socket.write(`GET /api/v1/locations?q=${"a".repeat(20_000)} HTTP/1.1\r\nHost: localhost\r\n\r\n`),
        );
        socket.on("data", (d: Buffer) => {
          received += d.toString();
        });
        socket.on("error", () => {});
        socket.on("close", () => resolve(received));
      });
      const [head = "", body = ""] = answer.split("\r\n\r\n");
      expect(head).toMatch(/^HTTP\/1\.1 431 /);
      expect(head.toLowerCase()).toContain("content-type: application/problem+json");
      expect((JSON.parse(body) as Problem).errors.map((e) => e.field)).toEqual(["url"]);
    } finally {
      await app.close();
    }
  });

  it("a body in XML answers 415 problem+json naming the content type", async () => {
    const res = await admin.inject({
      method: "POST",
      url: "/api/v1/specialties",
      headers: { "content-type": "application/xml" },
      payload: "<specialty/>",
    });
    refusedNaming(res, "headers.content-type", 415);
  });

  it("a body over 1 MiB answers 413 problem+json naming the body", async () => {
    const res = await admin.inject({
      method: "POST",
      url: "/api/v1/specialties",
      payload: { code: "too_big", name: "x".repeat(1_100_000) },
    });
    refusedNaming(res, "body", 413);
  });
});

describe("a refusal by the database never shows the database's own words", () => {
  it("every constraint a module maps to a field exists in the database, so its refusals name that field", async () => {
    const { rows } = await sql<{ name: string }>`
      SELECT conname AS name FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
      WHERE n.nspname = current_schema()
      UNION SELECT indexname AS name FROM pg_indexes WHERE schemaname = current_schema()`.execute(
      rounds.database.db,
    );
    const existing = new Set(rows.map((r) => r.name));
    expect(registeredConstraints().length).toBeGreaterThan(30);
    expect(registeredConstraints().filter((name) => !existing.has(name))).toEqual([]);
  });

  it("an unregistered constraint names the part of the request, not the table, column or other rows", () => {
    const problem = problemFromDatabase(
      {
        code: "23505",
        constraint: "secret_table_ssn_key",
        message: 'duplicate key value violates unique constraint "secret_table_ssn_key"',
        detail: "Key (ssn)=(123-45-6789) already exists.",
      },
      "body",
    );
    expect(problem?.status).toBe(409);
    expect(problem?.errors).toEqual([{ field: "body", message: "already exists" }]);
    expect(JSON.stringify({ ...problem, message: problem?.message })).not.toMatch(/ssn|123-45|secret_table/);
  });

  it("a value out of range for its column answers 400 naming the part of the request it came from", async () => {
    const database = await testDatabase();
    const app = await createHttpApp({ logLevel: "silent", version: "test" });
    app.get("/api/v1/overflow", { schema: { hide: true } }, async () => {
      await sql`select ${"3000000000"}::integer as n`.execute(database.db);
      return {};
    });
    app.post("/api/v1/nul", { schema: { hide: true } }, async () => {
      await sql`select convert_from('\\x6100'::bytea, 'UTF8') as t`.execute(database.db);
      return {};
    });
    await app.ready();
    try {
      const overflow = await app.inject({ url: "/api/v1/overflow?n=3000000000" });
      expect(JSON.stringify(refusedNaming(overflow, "query"))).not.toMatch(DATABASE_WORDS);
      const nul = await app.inject({ method: "POST", url: "/api/v1/nul", payload: { text: "a" } });
      expect(JSON.stringify(refusedNaming(nul, "body"))).not.toMatch(DATABASE_WORDS);
    } finally {
      await app.close();
    }
  });
});

describe("the API document lists every status an operation answers", () => {
  async function document() {
    const res = await rounds.app.inject({ url: "/api/openapi.json" });
    return res.json() as {
      paths: Record<
        string,
        Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>
      >;
    };
  }

  it("every operation open only to some roles documents 401 and 403 as problem+json", async () => {
    const doc = await document();
    const restricted = rounds.app.apiRoutes.filter((r) => r.allow !== "public");
    expect(restricted.length).toBeGreaterThan(40);
    for (const route of restricted) {
      const path = route.url.replace(/:(\w+)/g, "{$1}");
      const responses = doc.paths[path]?.[route.method.toLowerCase()]?.responses ?? {};
      for (const status of ["401", "403"])
        expect(Object.keys(responses[status]?.content ?? {}), `${route.method} ${path} ${status}`).toEqual([
          "application/problem+json",
        ]);
    }
  });

  it("sign-in documents 401 for a wrong password and 429 for too many attempts", async () => {
    const responses = (await document()).paths["/api/v1/auth/login"]?.post?.responses ?? {};
    expect(Object.keys(responses)).toEqual(expect.arrayContaining(["200", "401", "429"]));
  });

  it("the live event stream documents its 200 as text/event-stream", async () => {
    const responses = (await document()).paths["/api/v1/events"]?.get?.responses ?? {};
    expect(Object.keys(responses["200"]?.content ?? {})).toEqual(["text/event-stream"]);
  });
});
