import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Rounds } from "../src/server.js";
import { type Client, clientFor } from "./support/auth.js";
import { createLocation, locationBody } from "./support/fixtures.js";
import { startRounds, unique } from "./support/rounds.js";

let rounds: Rounds;
let api: Client;
beforeAll(async () => {
  rounds = await startRounds();
  api = await clientFor(rounds);
});
afterAll(() => rounds.close());

describe("locations", () => {
  it("an administrator adds a satellite clinic and finds it again by id and by name", async () => {
    const body = locationBody({
      name: `Northside Satellite ${unique()}`,
      parking: { spaces: 40, accessibleSpaces: 4, costCentsPerHour: 250 },
    });
    const created = await api.inject({ method: "POST", url: "/api/v1/locations", payload: body });
    expect(created.statusCode).toBe(201);
    const loc = created.json();
    expect(loc).toMatchObject({ code: body.code, kind: "satellite", timeZone: "America/New_York" });
    expect(loc.parking).toEqual({ spaces: 40, accessibleSpaces: 4, costCentsPerHour: 250, notes: null });

    const got = await api.inject({ url: `/api/v1/locations/${loc.id}` });
    expect(got.json().name).toBe(body.name);
    const listed = await api.inject({ url: `/api/v1/locations?q=${encodeURIComponent(body.name)}` });
    expect(listed.json().items.map((l: { id: string }) => l.id)).toEqual([loc.id]);
  });

  it("an unknown time zone is refused naming the timeZone field", async () => {
    const res = await api.inject({
      method: "POST",
      url: "/api/v1/locations",
      payload: locationBody({ timeZone: "Mars/Olympus" }),
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers["content-type"]).toContain("application/problem+json");
    expect(res.json().errors[0].field).toBe("body.timeZone");
  });

  it("coordinates out of range are refused naming the field", async () => {
    const res = await api.inject({
      method: "POST",
      url: "/api/v1/locations",
      payload: locationBody({ latitude: 123 }),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.map((e: { field: string }) => e.field)).toContain("body.latitude");
  });

  it("a duplicate location code answers 409 naming the code", async () => {
    const first = await createLocation(rounds);
    const res = await api.inject({
      method: "POST",
      url: "/api/v1/locations",
      payload: locationBody({ code: first.code }),
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().errors[0].field).toBe("body.code");
  });

  it("a room cannot be added to a location that does not exist", async () => {
    const res = await api.inject({
      method: "POST",
      url: "/api/v1/locations/00000000-0000-4000-8000-000000000000/rooms",
      payload: { code: "E1", name: "Exam 1", kind: "exam" },
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe("not_found");
  });

  it("fixed equipment must sit in a room of the same location", async () => {
    const a = await createLocation(rounds);
    const b = await createLocation(rounds);
    const roomAtB = (
      await api.inject({
        method: "POST",
        url: `/api/v1/locations/${b.id}/rooms`,
        payload: { code: "IMG1", name: "Imaging 1", kind: "imaging" },
      })
    ).json();
    const res = await api.inject({
      method: "POST",
      url: `/api/v1/locations/${a.id}/equipment`,
      payload: { kind: "mri", name: "MRI 1.5T", assetTag: `MRI-${unique()}`, roomId: roomAtB.id },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors[0].field).toBe("body.roomId");
    const listed = await api.inject({ url: `/api/v1/locations/${a.id}/equipment` });
    expect(listed.json().total).toBe(0);
  });

  it("the travel matrix uses configured minutes and estimates the rest from coordinates", async () => {
    const a = await createLocation(rounds, { latitude: 40.75, longitude: -73.99 });
    const b = await createLocation(rounds, { latitude: 40.85, longitude: -73.9 });
    const c = await createLocation(rounds, { latitude: 40.65, longitude: -74.1 });
    const put = await api.inject({
      method: "PUT",
      url: "/api/v1/travel-times",
      payload: { fromLocationId: a.id, toLocationId: b.id, minutes: 35 },
    });
    expect(put.statusCode).toBe(200);
    const matrix = (await api.inject({ url: "/api/v1/travel-times" })).json() as {
      entries: Array<{ fromLocationId: string; toLocationId: string; minutes: number; estimated: boolean }>;
    };
    const find = (f: string, t: string) =>
      matrix.entries.find((e) => e.fromLocationId === f && e.toLocationId === t);
    expect(find(a.id, b.id)).toMatchObject({ minutes: 35, estimated: false });
    expect(find(b.id, a.id)).toMatchObject({ minutes: 35, estimated: false });
    const est = find(a.id, c.id)!;
    expect(est.estimated).toBe(true);
    // ~14 km apart: a real drive plus parking, not zero and not hours
    expect(est.minutes).toBeGreaterThanOrEqual(20);
    expect(est.minutes).toBeLessThanOrEqual(60);
  });

  it("renaming a location leaves its hours, parking and other details as they were", async () => {
    const body = locationBody({
      openingHours: [{ weekday: 1, opens: "07:00", closes: "19:00" }],
      parking: { spaces: 120, accessibleSpaces: 8, costCentsPerHour: 300 },
      amenities: ["cafe"],
    });
    const loc = (await api.inject({ method: "POST", url: "/api/v1/locations", payload: body })).json();
    const res = await api.inject({
      method: "PATCH",
      url: `/api/v1/locations/${loc.id}`,
      payload: { name: "Renamed Clinic", parking: { costCentsPerHour: 0 } },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      name: "Renamed Clinic",
      openingHours: [{ weekday: 1, opens: "07:00", closes: "19:00" }],
      parking: { spaces: 120, accessibleSpaces: 8, costCentsPerHour: 0 },
      amenities: ["cafe"],
      country: "US",
    });
  });

  it("staff of one location cannot list the rooms of another, and a patient cannot add a location", async () => {
    const mine = await createLocation(rounds);
    const other = await createLocation(rounds);
    const staff = await clientFor(rounds, "location_staff", { locationIds: [mine.id] });
    expect((await staff.inject({ url: `/api/v1/locations/${mine.id}/rooms` })).statusCode).toBe(200);
    expect((await staff.inject({ url: `/api/v1/locations/${other.id}/rooms` })).statusCode).toBe(404);
    const anonymous = await rounds.app.inject({
      method: "POST",
      url: "/api/v1/locations",
      payload: locationBody(),
    });
    expect(anonymous.statusCode).toBe(401);
  });

  it("malformed JSON is a 400 problem, not a 500", async () => {
    const res = await api.inject({
      method: "POST",
      url: "/api/v1/locations",
      headers: { "content-type": "application/json" },
      payload: "{not json",
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().status).toBe(400);
  });
});
