import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Rounds } from "../src/server.js";
import { patientService } from "../src/services/patients/index.js";
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

type Patient = { id: string; mrn: string; givenName: string; familyName: string; [k: string]: unknown };

function patientBody(overrides: Record<string, unknown> = {}) {
  return {
    mrn: `MRN-${unique(10)}`,
    givenName: "Ada",
    familyName: `Lovelace${unique(6)}`,
    birthDate: "1985-12-10",
    sex: "female",
    ...overrides,
  };
}

async function register(overrides: Record<string, unknown> = {}): Promise<Patient> {
  const res = await api.inject({
    method: "POST",
    url: "/api/v1/patients",
    payload: patientBody(overrides),
  });
  if (res.statusCode !== 201) throw new Error(`register: ${res.statusCode} ${res.body}`);
  return res.json() as Patient;
}

const find = async (query: string) =>
  (await api.inject({ url: `/api/v1/patients?${query}` })).json() as {
    items: Patient[];
    total: number;
  };

const fieldsOf = (body: { errors: Array<{ field: string }> }) => body.errors.map((e) => e.field);

describe("patients", () => {
  it("a registered patient can be found again by MRN and by name", async () => {
    const clinic = await createLocation(rounds);
    const home = {
      line: "12 Elm St",
      city: "Riverton",
      region: "NY",
      postalCode: "10001",
      latitude: 40.7,
      longitude: -74,
    };
    const body = patientBody({
      email: "ada@example.org",
      phone: "+1 212 555 0100",
      address: home,
      preferredLocationIds: [clinic.id],
      preferredLanguage: "zh-Hant",
      accessibilityNeeds: ["wheelchair", "interpreter"],
      insurance: { payer: "Acme Health", memberId: "AC123456" },
    });
    const created = await api.inject({ method: "POST", url: "/api/v1/patients", payload: body });
    expect(created.statusCode).toBe(201);
    const p = created.json();
    expect(p).toMatchObject({
      mrn: body.mrn,
      birthDate: "1985-12-10",
      preferredLocationIds: [clinic.id],
      preferredLanguage: "zh-Hant",
      accessibilityNeeds: ["wheelchair", "interpreter"],
      insurance: { payer: "Acme Health", memberId: "AC123456" },
      active: true,
    });
    expect(p.address).toEqual(home);

    expect((await api.inject({ url: `/api/v1/patients/${p.id}` })).json().mrn).toBe(body.mrn);
    expect((await find(`mrn=${body.mrn}`)).items.map((x) => x.id)).toEqual([p.id]);
    expect((await find(`q=${body.mrn.toLowerCase()}`)).items.map((x) => x.id)).toEqual([p.id]);
    expect(
      (await find(`q=${encodeURIComponent(`ada ${body.familyName.toLowerCase()}`)}`)).items.map((x) => x.id),
    ).toEqual([p.id]);
    expect(await patientService.homeOf(rounds.database.db, p.id)).toEqual({ latitude: 40.7, longitude: -74 });
  });

  it("patients with the same family name are listed by given name", async () => {
    const familyName = `Okafor${unique(6)}`;
    const zoe = await register({ familyName, givenName: "Zoe" });
    const ben = await register({ familyName, givenName: "Ben" });
    const listed = await find(`q=${familyName}`);
    expect(listed.items.map((x) => x.id)).toEqual([ben.id, zoe.id]);
    expect(listed.total).toBe(2);
    const page = await find(`q=${familyName}&limit=1&offset=1`);
    expect(page.items.map((x) => x.id)).toEqual([zoe.id]);
  });

  it("a second patient with the same MRN is refused and only one patient keeps it", async () => {
    const first = await register();
    const res = await api.inject({
      method: "POST",
      url: "/api/v1/patients",
      payload: patientBody({ mrn: first.mrn, givenName: "Someone", familyName: "Else" }),
    });
    expect(res.statusCode).toBe(409);
    expect(res.headers["content-type"]).toContain("application/problem+json");
    expect(fieldsOf(res.json())).toEqual(["body.mrn"]);
    expect((await find(`mrn=${first.mrn}`)).total).toBe(1);
  });

  it("a birth date in the future is refused naming the birth date", async () => {
    const mrn = `MRN-${unique(10)}`;
    const nextYear = `${new Date().getUTCFullYear() + 1}-01-01`;
    const res = await api.inject({
      method: "POST",
      url: "/api/v1/patients",
      payload: patientBody({ mrn, birthDate: nextYear }),
    });
    expect(res.statusCode).toBe(422);
    expect(fieldsOf(res.json())).toEqual(["body.birthDate"]);
    expect((await find(`mrn=${mrn}`)).total).toBe(0);
  });

  it("an MRN in lower case or a made-up accessibility need is refused naming the field", async () => {
    const lower = await api.inject({
      method: "POST",
      url: "/api/v1/patients",
      payload: patientBody({ mrn: "mrn-1234" }),
    });
    expect(lower.statusCode).toBe(400);
    expect(fieldsOf(lower.json())).toContain("body.mrn");
    const need = await api.inject({
      method: "POST",
      url: "/api/v1/patients",
      payload: patientBody({ accessibilityNeeds: ["jetpack"] }),
    });
    expect(need.statusCode).toBe(400);
    expect(fieldsOf(need.json())[0]).toMatch(/^body\.accessibilityNeeds/);
  });

  it("a home address off the globe is refused naming the latitude", async () => {
    const res = await api.inject({
      method: "POST",
      url: "/api/v1/patients",
      payload: patientBody({ address: { city: "Nowhere", latitude: 95, longitude: 10 } }),
    });
    expect(res.statusCode).toBe(400);
    expect(fieldsOf(res.json())).toContain("body.address.latitude");
  });

  it("an unknown preferred location is refused naming the field and nothing is written", async () => {
    const clinic = await createLocation(rounds);
    const mrn = `MRN-${unique(10)}`;
    const res = await api.inject({
      method: "POST",
      url: "/api/v1/patients",
      payload: patientBody({
        mrn,
        preferredLocationIds: [clinic.id, "00000000-0000-4000-8000-000000000000"],
      }),
    });
    expect(res.statusCode).toBe(422);
    expect(fieldsOf(res.json())).toEqual(["body.preferredLocationIds"]);
    expect((await find(`mrn=${mrn}`)).total).toBe(0);
  });

  it("a correction to a patient's record changes only what it names", async () => {
    const p = await register({
      phone: "+1 212 555 0100",
      address: { line: "1 Old Rd", city: "Riverton", latitude: 40.7, longitude: -74 },
    });
    const res = await api.inject({
      method: "PATCH",
      url: `/api/v1/patients/${p.id}`,
      payload: { familyName: "Byron", address: { line: "2 New Rd" } },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      familyName: "Byron",
      givenName: "Ada",
      phone: "+1 212 555 0100",
      address: { line: "2 New Rd", city: "Riverton", latitude: 40.7, longitude: -74 },
    });
  });

  it("a correction with one invalid field changes nothing", async () => {
    const p = await register();
    for (const payload of [
      { givenName: "Augusta", preferredLocationIds: ["00000000-0000-4000-8000-000000000000"] },
      { givenName: "Augusta", birthDate: "2999-01-01" },
      { givenName: "Augusta", sex: "sometimes" },
    ]) {
      const res = await api.inject({ method: "PATCH", url: `/api/v1/patients/${p.id}`, payload });
      expect([400, 422]).toContain(res.statusCode);
    }
    const taken = await register();
    const dup = await api.inject({
      method: "PATCH",
      url: `/api/v1/patients/${p.id}`,
      payload: { givenName: "Augusta", mrn: taken.mrn },
    });
    expect(dup.statusCode).toBe(409);
    expect(fieldsOf(dup.json())).toEqual(["body.mrn"]);
    const after = (await api.inject({ url: `/api/v1/patients/${p.id}` })).json();
    expect(after).toEqual(p);
  });

  it("asking for a patient who does not exist is a 404 problem", async () => {
    const res = await api.inject({ url: "/api/v1/patients/00000000-0000-4000-8000-000000000000" });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe("not_found");
  });
});

describe("families", () => {
  it("a parent links a child and both of them see the link", async () => {
    const parent = await register({ givenName: "Maria" });
    const child = await register({ givenName: "Leo", birthDate: "2019-05-01" });
    const link = await api.inject({
      method: "POST",
      url: `/api/v1/patients/${parent.id}/dependents`,
      payload: { dependentId: child.id, relationship: "parent" },
    });
    expect(link.statusCode).toBe(201);
    expect(link.json()).toMatchObject({
      guardianId: parent.id,
      dependentId: child.id,
      relationship: "parent",
    });

    const parentSide = (await api.inject({ url: `/api/v1/patients/${parent.id}/family` })).json();
    expect(parentSide.dependents).toEqual([
      expect.objectContaining({ patientId: child.id, givenName: "Leo", relationship: "parent" }),
    ]);
    expect(parentSide.guardians).toEqual([]);
    const childSide = (await api.inject({ url: `/api/v1/patients/${child.id}/family` })).json();
    expect(childSide.guardians).toEqual([
      expect.objectContaining({ patientId: parent.id, givenName: "Maria", relationship: "parent" }),
    ]);
    expect(await patientService.dependentsOf(rounds.database.db, parent.id)).toEqual([child.id]);
  });

  it("the same child cannot be linked twice to the same parent", async () => {
    const parent = await register();
    const child = await register({ birthDate: "2020-01-01" });
    const payload = { dependentId: child.id, relationship: "parent" };
    const url = `/api/v1/patients/${parent.id}/dependents`;
    expect((await api.inject({ method: "POST", url, payload })).statusCode).toBe(201);
    const again = await api.inject({
      method: "POST",
      url,
      payload: { ...payload, relationship: "caregiver" },
    });
    expect(again.statusCode).toBe(409);
    expect(fieldsOf(again.json())).toEqual(["body.dependentId"]);
    const family = (await api.inject({ url: `/api/v1/patients/${parent.id}/family` })).json();
    expect(family.dependents).toHaveLength(1);
  });

  it("a child cannot become the guardian of their own parent", async () => {
    const parent = await register();
    const child = await register({ birthDate: "2020-01-01" });
    await api.inject({
      method: "POST",
      url: `/api/v1/patients/${parent.id}/dependents`,
      payload: { dependentId: child.id, relationship: "parent" },
    });
    const reverse = await api.inject({
      method: "POST",
      url: `/api/v1/patients/${child.id}/dependents`,
      payload: { dependentId: parent.id, relationship: "caregiver" },
    });
    expect(reverse.statusCode).toBe(409);
  });

  it("spouses may each act for the other", async () => {
    const a = await register();
    const b = await register();
    for (const [g, d] of [
      [a, b],
      [b, a],
    ] as const) {
      const res = await api.inject({
        method: "POST",
        url: `/api/v1/patients/${g.id}/dependents`,
        payload: { dependentId: d.id, relationship: "spouse" },
      });
      expect(res.statusCode).toBe(201);
    }
  });

  it("a patient cannot be linked as their own dependent", async () => {
    const p = await register();
    const res = await api.inject({
      method: "POST",
      url: `/api/v1/patients/${p.id}/dependents`,
      payload: { dependentId: p.id, relationship: "caregiver" },
    });
    expect(res.statusCode).toBe(422);
    expect(fieldsOf(res.json())).toEqual(["body.dependentId"]);
  });

  it("a dependent who is not a registered patient is refused naming the dependent", async () => {
    const p = await register();
    const res = await api.inject({
      method: "POST",
      url: `/api/v1/patients/${p.id}/dependents`,
      payload: { dependentId: "00000000-0000-4000-8000-000000000000", relationship: "parent" },
    });
    expect(res.statusCode).toBe(422);
    expect(fieldsOf(res.json())).toEqual(["body.dependentId"]);
  });

  it("a guardian who unlinks a dependent no longer sees them", async () => {
    const parent = await register();
    const child = await register({ birthDate: "2018-03-03" });
    await api.inject({
      method: "POST",
      url: `/api/v1/patients/${parent.id}/dependents`,
      payload: { dependentId: child.id, relationship: "legal_guardian" },
    });
    const url = `/api/v1/patients/${parent.id}/dependents/${child.id}`;
    expect((await api.inject({ method: "DELETE", url })).statusCode).toBe(204);
    expect((await api.inject({ method: "DELETE", url })).statusCode).toBe(404);
    const childSide = (await api.inject({ url: `/api/v1/patients/${child.id}/family` })).json();
    expect(childSide.guardians).toEqual([]);
  });
});
