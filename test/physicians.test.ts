import { randomInt, randomUUID } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Rounds } from "../src/server.js";
import { appointmentTypeCatalog } from "../src/services/scheduling/index.js";
import { type Client, clientFor } from "./support/auth.js";
import { createLocation } from "./support/fixtures.js";
import { startRounds, unique } from "./support/rounds.js";

let rounds: Rounds;
let api: Client;
beforeAll(async () => {
  rounds = await startRounds();
  api = await clientFor(rounds);
});
afterAll(() => rounds.close());

const npi = () => String(randomInt(1_000_000_000, 9_999_999_999));

async function createSpecialty(label = "Cardiology") {
  const body = { code: `t_${unique(10).toLowerCase()}`, name: `${label} ${unique(8)}` };
  const res = await api.inject({ method: "POST", url: "/api/v1/specialties", payload: body });
  if (res.statusCode !== 201) throw new Error(`createSpecialty: ${res.statusCode} ${res.body}`);
  return body;
}

function physicianBody(primarySpecialty: string, overrides: Record<string, unknown> = {}) {
  return {
    npi: npi(),
    givenName: "Ana",
    familyName: `Okafor${unique(6)}`,
    primarySpecialty,
    ...overrides,
  };
}

async function createPhysician(overrides: Record<string, unknown> = {}) {
  const primary = (overrides.primarySpecialty as string | undefined) ?? (await createSpecialty()).code;
  const res = await api.inject({
    method: "POST",
    url: "/api/v1/physicians",
    payload: physicianBody(primary, overrides),
  });
  if (res.statusCode !== 201) throw new Error(`createPhysician: ${res.statusCode} ${res.body}`);
  return res.json() as { id: string; npi: string; familyName: string; specialties: string[] };
}

const post = (url: string, payload: object) => api.inject({ method: "POST", url, payload });

function templateBody(locationId: string, overrides: Record<string, unknown> = {}) {
  return {
    locationId,
    weekday: 1,
    startTime: "08:00",
    endTime: "12:00",
    effectiveFrom: "2026-01-01",
    ...overrides,
  };
}

interface Block {
  locationId: string;
  date: string;
  startLocal: string;
  endLocal: string;
  start: string;
  end: string;
  source: string;
  sourceId: string;
  onSite: boolean;
}

async function assignments(physicianId: string, from: string, to: string) {
  const res = await api.inject({
    url: `/api/v1/physicians/${physicianId}/assignments?from=${from}&to=${to}`,
  });
  expect(res.statusCode).toBe(200);
  return res.json() as { assignments: Block[]; timeOff: Array<{ id: string; status: string }> };
}

describe("physicians", () => {
  it("a physician with two specialties is found under either specialty", async () => {
    const cardiology = await createSpecialty("Cardiology");
    const sports = await createSpecialty("Sports Medicine");
    const created = await post(
      "/api/v1/physicians",
      physicianBody(cardiology.code, { specialties: [sports.code], languages: ["en", "es"] }),
    );
    expect(created.statusCode).toBe(201);
    const doc = created.json();
    expect(doc.specialties).toEqual([cardiology.code, sports.code].sort());
    expect(doc).toMatchObject({
      title: "MD",
      acceptsNewPatients: true,
      offersTelehealth: false,
      active: true,
    });

    for (const code of [cardiology.code, sports.code]) {
      const listed = await api.inject({ url: `/api/v1/physicians?specialty=${code}` });
      expect(listed.json().items.map((p: { id: string }) => p.id)).toEqual([doc.id]);
    }
    const got = await api.inject({ url: `/api/v1/physicians/${doc.id}` });
    expect(got.json().specialties).toEqual(doc.specialties);
  });

  it("specialties are listed by name", async () => {
    const tag = unique(8);
    for (const name of ["Oncology", "Dermatology", "Neurology"]) {
      const res = await post("/api/v1/specialties", {
        code: `t_${unique(10).toLowerCase()}`,
        name: `${tag} ${name}`,
      });
      expect(res.statusCode).toBe(201);
    }
    const res = await api.inject({ url: `/api/v1/specialties?q=${tag}` });
    expect(res.json().items.map((s: { name: string }) => s.name)).toEqual(
      ["Dermatology", "Neurology", "Oncology"].map((n) => `${tag} ${n}`),
    );
  });

  it("a specialty code that already exists is refused naming the code", async () => {
    const spec = await createSpecialty();
    const res = await post("/api/v1/specialties", { code: spec.code, name: `Other ${unique(8)}` });
    expect(res.statusCode).toBe(409);
    expect(res.json().errors[0].field).toBe("body.code");
  });

  it("a second physician with the same NPI is refused naming the npi", async () => {
    const first = await createPhysician();
    const spec = await createSpecialty();
    const res = await post("/api/v1/physicians", physicianBody(spec.code, { npi: first.npi }));
    expect(res.statusCode).toBe(409);
    expect(res.json().errors[0].field).toBe("body.npi");
  });

  it("a specialty that does not exist is refused naming the field", async () => {
    const spec = await createSpecialty();
    const secondary = await post(
      "/api/v1/physicians",
      physicianBody(spec.code, { specialties: ["no_such_thing"] }),
    );
    expect(secondary.statusCode).toBe(422);
    expect(secondary.json().errors[0].field).toBe("body.specialties");
    const primary = await post("/api/v1/physicians", physicianBody("no_such_thing"));
    expect(primary.statusCode).toBe(422);
    expect(primary.json().errors[0].field).toBe("body.primarySpecialty");
  });

  it("a new primary specialty joins the physician's specialties and other fields stay as they were", async () => {
    const doc = await createPhysician({ offersTelehealth: true });
    const spec = await createSpecialty("Nephrology");
    const res = await api.inject({
      method: "PATCH",
      url: `/api/v1/physicians/${doc.id}`,
      payload: { primarySpecialty: spec.code },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().specialties).toEqual([...doc.specialties, spec.code].sort());
    expect(res.json()).toMatchObject({ offersTelehealth: true, familyName: doc.familyName });
  });

  it("patients can narrow physicians by language, new patients, telehealth and name", async () => {
    const spec = await createSpecialty();
    const name = `Vasquez${unique(6)}`;
    const match = await createPhysician({
      primarySpecialty: spec.code,
      familyName: name,
      languages: ["pt"],
      offersTelehealth: true,
    });
    await createPhysician({ primarySpecialty: spec.code, familyName: `${name}b`, acceptsNewPatients: false });
    const ids = async (query: string) =>
      (await api.inject({ url: `/api/v1/physicians?specialty=${spec.code}&${query}` }))
        .json()
        .items.map((p: { id: string }) => p.id);
    expect(await ids("language=pt")).toEqual([match.id]);
    expect(await ids("telehealth=true")).toEqual([match.id]);
    expect(await ids("acceptsNewPatients=true")).toEqual([match.id]);
    expect((await ids(`q=${name}`)).length).toBe(2);
  });

  it("searching by location finds physicians who work there from today on, not those who used to", async () => {
    const clinic = await createLocation(rounds);
    const current = await createPhysician();
    const former = await createPhysician();
    expect(
      (await post(`/api/v1/physicians/${current.id}/templates`, templateBody(clinic.id))).statusCode,
    ).toBe(201);
    const past = templateBody(clinic.id, { effectiveFrom: "2020-01-01", effectiveTo: "2020-12-31" });
    expect((await post(`/api/v1/physicians/${former.id}/templates`, past)).statusCode).toBe(201);
    const listed = await api.inject({ url: `/api/v1/physicians?locationId=${clinic.id}` });
    expect(listed.json().items.map((p: { id: string }) => p.id)).toEqual([current.id]);
  });
});

describe("weekly templates", () => {
  it("a physician cannot be in two template blocks at once, even at another location, and nothing is saved", async () => {
    const a = await createLocation(rounds);
    const b = await createLocation(rounds);
    const doc = await createPhysician();
    const url = `/api/v1/physicians/${doc.id}/templates`;
    expect((await post(url, templateBody(a.id))).statusCode).toBe(201);
    const res = await post(url, templateBody(b.id, { startTime: "11:00", endTime: "15:00" }));
    expect(res.statusCode).toBe(409);
    expect(res.json().errors[0].field).toBe("body.startTime");
    expect((await api.inject({ url })).json().total).toBe(1);
  });

  it("a block that ends before it starts is refused naming endTime", async () => {
    const a = await createLocation(rounds);
    const doc = await createPhysician();
    const res = await post(
      `/api/v1/physicians/${doc.id}/templates`,
      templateBody(a.id, { startTime: "12:00", endTime: "08:00" }),
    );
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    expect(res.json().errors[0].field).toBe("body.endTime");
  });

  it("a physician may hold a morning clinic at one location and an afternoon clinic at another on the same day", async () => {
    const a = await createLocation(rounds);
    const b = await createLocation(rounds);
    const doc = await createPhysician();
    const url = `/api/v1/physicians/${doc.id}/templates`;
    expect((await post(url, templateBody(a.id))).statusCode).toBe(201);
    expect((await post(url, templateBody(b.id, { startTime: "13:00", endTime: "17:00" }))).statusCode).toBe(
      201,
    );
    // 2026-06-01 is a Monday
    const plan = await assignments(doc.id, "2026-06-01", "2026-06-01");
    expect(plan.assignments.map((x) => [x.locationId, x.startLocal, x.endLocal, x.start])).toEqual([
      [a.id, "08:00", "12:00", "2026-06-01T12:00:00.000Z"],
      [b.id, "13:00", "17:00", "2026-06-01T17:00:00.000Z"],
    ]);
  });

  it("a template at a location that does not exist is refused naming locationId", async () => {
    const doc = await createPhysician();
    const res = await post(`/api/v1/physicians/${doc.id}/templates`, templateBody(randomUUID()));
    expect(res.statusCode).toBe(422);
    expect(res.json().errors[0].field).toBe("body.locationId");
  });

  it("appointment types that do not exist are refused naming appointmentTypeIds", async () => {
    const a = await createLocation(rounds);
    const doc = await createPhysician();
    const spy = vi.spyOn(appointmentTypeCatalog, "existing").mockResolvedValueOnce([]);
    try {
      const res = await post(
        `/api/v1/physicians/${doc.id}/templates`,
        templateBody(a.id, { appointmentTypeIds: [randomUUID()] }),
      );
      expect(res.statusCode).toBe(422);
      expect(res.json().errors[0].field).toBe("body.appointmentTypeIds");
    } finally {
      spy.mockRestore();
    }
  });

  it("a plan read before a change is never served after it, whoever made the change and however", async () => {
    const a = await createLocation(rounds);
    const doc = await createPhysician();
    const created = (await post(`/api/v1/physicians/${doc.id}/templates`, templateBody(a.id))).json();
    const monday = async () =>
      (await assignments(doc.id, "2026-06-01", "2026-06-01")).assignments.map((x) => [x.startLocal, x.start]);
    expect(await monday()).toEqual([["08:00", "2026-06-01T12:00:00.000Z"]]);
    // behind the API's back, as another replica's transaction or a script would
    await sql`UPDATE assignment_templates SET start_time = '09:00' WHERE id = ${created.id}`.execute(
      rounds.database.db,
    );
    expect(await monday()).toEqual([["09:00", "2026-06-01T13:00:00.000Z"]]);
    // the clinic's clocks move: the same wall-clock hours are another instant
    const moved = await api.inject({
      method: "PATCH",
      url: `/api/v1/locations/${a.id}`,
      payload: { timeZone: "America/Chicago" },
    });
    expect(moved.statusCode).toBe(200);
    expect(await monday()).toEqual([["09:00", "2026-06-01T14:00:00.000Z"]]);
    // time off, approved straight away by an administrator
    const off = await api.inject({
      method: "POST",
      url: `/api/v1/physicians/${doc.id}/time-off`,
      payload: { startsAt: "2026-06-01T00:00:00Z", endsAt: "2026-06-02T00:00:00Z", reason: "conference" },
    });
    expect(off.statusCode).toBe(201);
    expect(off.json()).toMatchObject({ status: "approved" });
    expect((await assignments(doc.id, "2026-06-01", "2026-06-01")).assignments).toEqual([]);
  });

  it("a removed template no longer plans the physician", async () => {
    const a = await createLocation(rounds);
    const doc = await createPhysician();
    const created = (await post(`/api/v1/physicians/${doc.id}/templates`, templateBody(a.id))).json();
    const url = `/api/v1/physicians/${doc.id}/templates/${created.id}`;
    expect((await api.inject({ method: "DELETE", url })).statusCode).toBe(204);
    expect((await api.inject({ method: "DELETE", url })).statusCode).toBe(404);
    expect((await assignments(doc.id, "2026-06-01", "2026-06-07")).assignments).toEqual([]);
  });
});

describe("temporary assignments, rotations and time off", () => {
  it("a rotation replaces the weekly template for its dates", async () => {
    const home = await createLocation(rounds);
    const satellite = await createLocation(rounds);
    const doc = await createPhysician();
    await post(`/api/v1/physicians/${doc.id}/templates`, templateBody(home.id));
    const rotation = await post(`/api/v1/physicians/${doc.id}/overrides`, {
      locationId: satellite.id,
      kind: "rotation",
      rotationName: "Satellite cover",
      startDate: "2026-06-08",
      endDate: "2026-06-12",
      startTime: "09:00",
      endTime: "15:00",
    });
    expect(rotation.statusCode).toBe(201);
    expect(rotation.json().weekdays).toEqual([1, 2, 3, 4, 5]);
    const plan = await assignments(doc.id, "2026-06-01", "2026-06-15");
    const mondays = plan.assignments.filter((x) =>
      ["2026-06-01", "2026-06-08", "2026-06-15"].includes(x.date),
    );
    expect(mondays.map((x) => [x.date, x.locationId, x.source, x.startLocal])).toEqual([
      ["2026-06-01", home.id, "template", "08:00"],
      ["2026-06-08", satellite.id, "rotation", "09:00"],
      ["2026-06-15", home.id, "template", "08:00"],
    ]);
    expect(plan.assignments.filter((x) => x.source === "rotation")).toHaveLength(5);
  });

  it("a weekly block or a rotation can be marked on site for the whole block, and the plan says so; blocks are not by default", async () => {
    const home = await createLocation(rounds);
    const satellite = await createLocation(rounds);
    const doc = await createPhysician();
    const template = await post(`/api/v1/physicians/${doc.id}/templates`, templateBody(home.id));
    expect(template.json().onSite).toBe(false);
    const onSite = await post(
      `/api/v1/physicians/${doc.id}/templates`,
      templateBody(home.id, { weekday: 2, onSite: true }),
    );
    expect(onSite.json().onSite).toBe(true);
    const rotation = await post(`/api/v1/physicians/${doc.id}/overrides`, {
      locationId: satellite.id,
      kind: "rotation",
      startDate: "2026-06-10",
      endDate: "2026-06-10",
      weekdays: [3],
      startTime: "09:00",
      endTime: "15:00",
      onSite: true,
    });
    expect(rotation.statusCode).toBe(201);
    expect(rotation.json().onSite).toBe(true);
    // 2026-06-08 is a Monday
    const plan = await assignments(doc.id, "2026-06-08", "2026-06-10");
    expect(plan.assignments.map((x) => [x.date, x.onSite])).toEqual([
      ["2026-06-08", false],
      ["2026-06-09", true],
      ["2026-06-10", true],
    ]);
  });

  it("an on-site flag that is not true or false is refused naming onSite, and nothing is saved", async () => {
    const home = await createLocation(rounds);
    const doc = await createPhysician();
    const url = `/api/v1/physicians/${doc.id}/templates`;
    const res = await post(url, templateBody(home.id, { onSite: "yes" }));
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].field).toBe("body.onSite");
    expect((await api.inject({ url })).json().total).toBe(0);
  });

  it("two assignments of the same physician at the same hours on a shared day are refused", async () => {
    const a = await createLocation(rounds);
    const b = await createLocation(rounds);
    const doc = await createPhysician();
    const url = `/api/v1/physicians/${doc.id}/overrides`;
    const base = {
      kind: "temporary",
      startDate: "2026-07-06",
      endDate: "2026-07-17",
      startTime: "08:00",
      endTime: "12:00",
    };
    expect((await post(url, { ...base, locationId: a.id, weekdays: [1, 3] })).statusCode).toBe(201);
    const clash = await post(url, {
      ...base,
      locationId: b.id,
      weekdays: [3],
      startTime: "11:00",
      endTime: "13:00",
    });
    expect(clash.statusCode).toBe(409);
    expect(clash.json().errors[0].field).toBe("body.startTime");
    // Tuesdays and Thursdays are free
    expect((await post(url, { ...base, locationId: b.id, weekdays: [2, 4] })).statusCode).toBe(201);
    expect((await api.inject({ url })).json().total).toBe(2);
  });

  it("coordinators booking the same physician into clashing assignments at the same moment get one yes and the rest no", async () => {
    const a = await createLocation(rounds);
    const b = await createLocation(rounds);
    const doc = await createPhysician();
    const url = `/api/v1/physicians/${doc.id}/overrides`;
    const body = (locationId: string) => ({
      locationId,
      kind: "temporary",
      startDate: "2026-09-07",
      endDate: "2026-09-11",
      startTime: "08:00",
      endTime: "12:00",
    });
    const results = await Promise.all([a, b, a, b, a, b].map((l) => post(url, body(l.id))));
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    expect((await api.inject({ url })).json().total).toBe(1);
  });

  it("approved time off cuts a clinic into the hours before and after it", async () => {
    const a = await createLocation(rounds);
    const doc = await createPhysician();
    await post(`/api/v1/physicians/${doc.id}/templates`, templateBody(a.id));
    const off = await post(`/api/v1/physicians/${doc.id}/time-off`, {
      startsAt: "2026-06-01T09:00:00-04:00",
      endsAt: "2026-06-01T10:00:00-04:00",
      reason: "Dentist",
    });
    expect(off.statusCode).toBe(201);
    expect(off.json()).toMatchObject({ status: "approved", startsAt: "2026-06-01T13:00:00.000Z" });
    const plan = await assignments(doc.id, "2026-06-01", "2026-06-01");
    expect(plan.assignments.map((x) => [x.startLocal, x.endLocal])).toEqual([
      ["08:00", "09:00"],
      ["10:00", "12:00"],
    ]);
    expect(plan.timeOff.map((t) => t.id)).toEqual([off.json().id]);
  });

  it("requested time off is shown but keeps the physician planned until it is approved", async () => {
    const a = await createLocation(rounds);
    const doc = await createPhysician();
    await post(`/api/v1/physicians/${doc.id}/templates`, templateBody(a.id));
    await post(`/api/v1/physicians/${doc.id}/time-off`, {
      startsAt: "2026-06-01T00:00:00-04:00",
      endsAt: "2026-06-02T00:00:00-04:00",
      status: "requested",
    });
    const plan = await assignments(doc.id, "2026-06-01", "2026-06-01");
    expect(plan.assignments).toHaveLength(1);
    expect(plan.timeOff.map((t) => t.status)).toEqual(["requested"]);
  });

  it("overlapping time off for the same physician is refused naming startsAt", async () => {
    const doc = await createPhysician();
    const url = `/api/v1/physicians/${doc.id}/time-off`;
    expect(
      (await post(url, { startsAt: "2026-08-03T00:00:00Z", endsAt: "2026-08-08T00:00:00Z" })).statusCode,
    ).toBe(201);
    const res = await post(url, { startsAt: "2026-08-07T00:00:00Z", endsAt: "2026-08-10T00:00:00Z" });
    expect(res.statusCode).toBe(409);
    expect(res.json().errors[0].field).toBe("body.startsAt");
  });

  it("a schedule can be asked for at most 92 days at once, and never backwards", async () => {
    const doc = await createPhysician();
    const ok = await api.inject({
      url: `/api/v1/physicians/${doc.id}/assignments?from=2026-01-01&to=2026-04-02`,
    });
    expect(ok.statusCode).toBe(200);
    for (const to of ["2026-04-03", "2025-12-31"]) {
      const res = await api.inject({
        url: `/api/v1/physicians/${doc.id}/assignments?from=2026-01-01&to=${to}`,
      });
      expect(res.statusCode).toBe(422);
      expect(res.json().errors[0].field).toBe("query.to");
    }
  });

  it("the schedule of a physician who does not exist is a 404", async () => {
    const res = await api.inject({
      url: `/api/v1/physicians/${randomUUID()}/assignments?from=2026-01-01&to=2026-01-02`,
    });
    expect(res.statusCode).toBe(404);
  });

  it("the physician endpoints are documented in the OpenAPI description", async () => {
    const doc = (await api.inject({ url: "/api/openapi.json" })).json();
    const assignmentsPath = doc.paths["/api/v1/physicians/{id}/assignments"];
    expect(assignmentsPath.get.tags).toEqual(["physicians"]);
    for (const path of ["/api/v1/specialties", "/api/v1/physicians", "/api/v1/physicians/{id}/time-off"]) {
      expect(doc.paths[path]).toBeDefined();
    }
  });
});
