import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Rounds } from "../src/server.js";
import { appointmentTypeCatalog } from "../src/services/scheduling/index.js";
import { type Client, clientFor } from "./support/auth.js";
import { startRounds, unique } from "./support/rounds.js";

let rounds: Rounds;
let api: Client;
beforeAll(async () => {
  rounds = await startRounds();
  api = await clientFor(rounds);
});
afterAll(() => rounds.close());

/** Specialties belong to the physicians module; tests add their own straight in the database. */
async function specialty(): Promise<string> {
  const code = `test_${unique(10).toLowerCase()}`;
  await sql`insert into specialties (code, name) values (${code}, ${`Test specialty ${code}`}) on conflict do nothing`.execute(
    rounds.database.db,
  );
  return code;
}

function typeBody(specialtyCode: string, overrides: Record<string, unknown> = {}) {
  return {
    code: `T-${unique(10)}`,
    name: "New patient visit",
    specialty: specialtyCode,
    durationMinutes: 40,
    visitKind: "new",
    ...overrides,
  };
}

type AppointmentType = { id: string; code: string; [k: string]: unknown };

async function createType(
  specialtyCode: string,
  overrides: Record<string, unknown> = {},
): Promise<AppointmentType> {
  const res = await api.inject({
    method: "POST",
    url: "/api/v1/appointment-types",
    payload: typeBody(specialtyCode, overrides),
  });
  if (res.statusCode !== 201) throw new Error(`createType: ${res.statusCode} ${res.body}`);
  return res.json() as AppointmentType;
}

const list = async (query: string) =>
  (await api.inject({ url: `/api/v1/appointment-types?${query}` })).json() as {
    items: AppointmentType[];
    total: number;
  };

const fieldsOf = (body: { errors: Array<{ field: string }> }) => body.errors.map((e) => e.field);

describe("appointment types", () => {
  it("an administrator adds an MRI scan and finds it under its specialty", async () => {
    const radiology = await specialty();
    const res = await api.inject({
      method: "POST",
      url: "/api/v1/appointment-types",
      payload: typeBody(radiology, {
        code: `MRI-${unique(8)}`,
        name: "MRI scan",
        durationMinutes: 45,
        roomKind: "imaging",
        equipmentKinds: ["mri"],
        visitKind: "procedure",
        basePriceCents: 120_000,
        billingCode: "70551",
      }),
    });
    expect(res.statusCode).toBe(201);
    const mri = res.json();
    expect(mri).toMatchObject({
      specialty: radiology,
      durationMinutes: 45,
      slotIntervalMinutes: 15,
      roomKind: "imaging",
      equipmentKinds: ["mri"],
      telehealthAllowed: false,
      billingCode: "70551",
      active: true,
    });
    expect((await api.inject({ url: `/api/v1/appointment-types/${mri.id}` })).json()).toEqual(mri);
    const listed = await list(`specialty=${radiology}`);
    expect(listed.items.map((t) => t.id)).toEqual([mri.id]);
  });

  it("types are listed by specialty then code and can be narrowed to telehealth follow-ups", async () => {
    const s = await specialty();
    const fuB = await createType(s, {
      code: `B-${unique(8)}`,
      visitKind: "follow_up",
      telehealthAllowed: true,
    });
    const fuA = await createType(s, {
      code: `A-${unique(8)}`,
      visitKind: "follow_up",
      telehealthAllowed: true,
    });
    const inPerson = await createType(s, { code: `C-${unique(8)}`, visitKind: "follow_up" });
    const newVisit = await createType(s, { code: `D-${unique(8)}` });
    expect((await list(`specialty=${s}`)).items.map((t) => t.id)).toEqual([
      fuA.id,
      fuB.id,
      inPerson.id,
      newVisit.id,
    ]);
    expect((await list(`specialty=${s}&visitKind=follow_up&telehealth=true`)).items.map((t) => t.id)).toEqual(
      [fuA.id, fuB.id],
    );
    expect((await list(`specialty=${s}&telehealth=false`)).total).toBe(2);
  });

  it("a retired type is hidden from the list of active types", async () => {
    const s = await specialty();
    const t = await createType(s);
    const patched = await api.inject({
      method: "PATCH",
      url: `/api/v1/appointment-types/${t.id}`,
      payload: { active: false },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ active: false, code: t.code, durationMinutes: 40 });
    expect((await list(`specialty=${s}&active=true`)).total).toBe(0);
    expect((await list(`specialty=${s}&active=false`)).items.map((x) => x.id)).toEqual([t.id]);
  });

  it("a type for a specialty the network does not have is refused naming the specialty", async () => {
    const code = `X-${unique(8)}`;
    const res = await api.inject({
      method: "POST",
      url: "/api/v1/appointment-types",
      payload: typeBody(`nosuch_${unique(8).toLowerCase()}`, { code }),
    });
    expect(res.statusCode).toBe(422);
    expect(res.headers["content-type"]).toContain("application/problem+json");
    expect(fieldsOf(res.json())).toEqual(["body.specialty"]);
    expect((await list("limit=500")).items.some((t) => t.code === code)).toBe(false);
  });

  it("a second type with the same code is refused naming the code", async () => {
    const s = await specialty();
    const first = await createType(s);
    const res = await api.inject({
      method: "POST",
      url: "/api/v1/appointment-types",
      payload: typeBody(s, { code: first.code }),
    });
    expect(res.statusCode).toBe(409);
    expect(fieldsOf(res.json())).toEqual(["body.code"]);
    expect((await list(`specialty=${s}`)).total).toBe(1);
  });

  it("durations, lower-case codes and made-up billing codes are refused naming the field", async () => {
    const s = await specialty();
    for (const [overrides, field] of [
      [{ durationMinutes: 4 }, "body.durationMinutes"],
      [{ durationMinutes: 481 }, "body.durationMinutes"],
      [{ slotIntervalMinutes: 300 }, "body.slotIntervalMinutes"],
      [{ code: "mri-scan" }, "body.code"],
      [{ billingCode: "ABC" }, "body.billingCode"],
      [{ roomKind: "ballroom" }, "body.roomKind"],
      [{ visitKind: "walk_in" }, "body.visitKind"],
    ] as const) {
      const res = await api.inject({
        method: "POST",
        url: "/api/v1/appointment-types",
        payload: typeBody(s, overrides),
      });
      expect(res.statusCode, JSON.stringify(overrides)).toBe(400);
      expect(fieldsOf(res.json())).toContain(field);
    }
    expect((await list(`specialty=${s}`)).total).toBe(0);
  });

  it("a type booked into telehealth rooms must allow telehealth", async () => {
    const s = await specialty();
    const res = await api.inject({
      method: "POST",
      url: "/api/v1/appointment-types",
      payload: typeBody(s, { roomKind: "telehealth", telehealthAllowed: false }),
    });
    expect(res.statusCode).toBe(422);
    expect(fieldsOf(res.json())).toEqual(["body.telehealthAllowed"]);
  });

  it("a change with one invalid field changes nothing", async () => {
    const s = await specialty();
    const t = await createType(s);
    const taken = await createType(s);
    for (const [payload, status, field] of [
      [{ name: "Renamed", durationMinutes: 1000 }, 400, "body.durationMinutes"],
      [{ name: "Renamed", specialty: `nosuch_${unique(8).toLowerCase()}` }, 422, "body.specialty"],
      [{ name: "Renamed", code: taken.code }, 409, "body.code"],
      [{ name: "Renamed", roomKind: "telehealth" }, 422, "body.telehealthAllowed"],
    ] as const) {
      const res = await api.inject({
        method: "PATCH",
        url: `/api/v1/appointment-types/${t.id}`,
        payload,
      });
      expect(res.statusCode, JSON.stringify(payload)).toBe(status);
      expect(fieldsOf(res.json())).toEqual([field]);
    }
    expect((await api.inject({ url: `/api/v1/appointment-types/${t.id}` })).json()).toEqual(t);
  });

  it("an empty change leaves the type as it was", async () => {
    const t = await createType(await specialty());
    const res = await api.inject({
      method: "PATCH",
      url: `/api/v1/appointment-types/${t.id}`,
      payload: {},
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(t);
  });

  it("asking for a type that does not exist is a 404 problem", async () => {
    const res = await api.inject({
      url: "/api/v1/appointment-types/00000000-0000-4000-8000-000000000000",
    });
    expect(res.statusCode).toBe(404);
  });

  it("other modules can tell which appointment type ids exist", async () => {
    const t = await createType(await specialty());
    const unknown = "00000000-0000-4000-8000-000000000000";
    const db = rounds.database.db;
    expect(await appointmentTypeCatalog.existing(db, [t.id, unknown, t.id, "not-a-uuid"])).toEqual([t.id]);
    expect(await appointmentTypeCatalog.existing(db, [])).toEqual([]);
  });
});
