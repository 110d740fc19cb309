import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Rounds } from "../src/server.js";
import { type Client, clientFor } from "./support/auth.js";
import { clinicMap, indoorMap } from "./support/indoor-map.js";
import { until } from "./support/messaging.js";
import { buildClinicNetwork, type ClinicNetwork, createPatient, optionsOn } from "./support/network.js";
import { startRounds } from "./support/rounds.js";

const MAIN = { latitude: 40.75, longitude: -73.99 };

let rounds: Rounds;
let net: ClinicNetwork;
let appointmentId: string;
let patient: Client;

interface RouteDto {
  stepFree: boolean;
  from: { id: string; kind: string } | null;
  startingPoints: Array<{ id: string; kind: string; name: string | null }>;
  unavailable: { reason: string; message: string } | null;
  metres: number | null;
  minutes: number | null;
  steps: Array<{ kind: string; text: string }>;
  floors: Array<{
    floor: number;
    links: number[][];
    route: number[][][];
    start: number[] | null;
    end: number[] | null;
  }>;
}

const putMap = (locationId: string, body: unknown, client: Client = net.admin) =>
  client.inject({ method: "PUT", url: `/api/v1/locations/${locationId}/map`, payload: body as object });
const routeOf = async (query = "", client: Client = patient): Promise<RouteDto> => {
  const res = await client.inject({ url: `/api/v1/appointments/${appointmentId}/route${query}` });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as RouteDto;
};

beforeAll(async () => {
  rounds = await startRounds();
  net = await buildClinicNetwork(rounds);
  const option = (await optionsOn(net, net.admin, 0)).find((o) => o.locationId === net.main.id);
  if (!option) throw new Error("no option at the main campus");
  const booked = await net.admin.inject({
    method: "POST",
    url: "/api/v1/appointments",
    payload: { optionId: option.id, patientId: net.patientId },
  });
  expect(booked.statusCode, booked.body).toBe(201);
  appointmentId = booked.json().id;
  patient = await clientFor(rounds, "patient", { patientId: net.patientId });
}, 60_000);
afterAll(() => rounds.close());

describe("a location's indoor map", () => {
  it("an administrator imports a map as GeoJSON and sees its floors and coverage", async () => {
    const res = await putMap(net.main.id, clinicMap(MAIN));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      places: 12,
      links: 12,
      floors: [
        { floor: 0, places: 6, rooms: 0 },
        { floor: 1, places: 6, rooms: 2 },
      ],
      roomsMissing: [],
      roomsUnreachable: [],
      roomsWithoutStepFreeRoute: [],
    });
  });

  it("the exported map imports again to the same map", async () => {
    const exported = await net.admin.inject({ url: `/api/v1/locations/${net.main.id}/map` });
    expect(exported.statusCode).toBe(200);
    const { summary, ...fc } = exported.json();
    expect(fc.features).toHaveLength(24);
    const again = await putMap(net.main.id, fc);
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()).toEqual(summary);
  });

  it("a room code the location does not have is refused naming the feature's field", async () => {
    const map = clinicMap(MAIN);
    map.features[10] = {
      ...map.features[10],
      properties: { kind: "room", floor: 1, roomCode: "NOPE" },
    } as (typeof map.features)[0];
    const res = await putMap(net.main.id, map);
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([
      { field: "body.features.10.properties.roomCode", message: "no room NOPE at this location" },
    ]);
  });

  it("a link to a place that is not on the map, and stairs called step-free, are each named", async () => {
    const map = indoorMap(
      MAIN,
      [
        { id: "a", kind: "stairs", floor: 0, x: 0, y: 0 },
        { id: "b", kind: "stairs", floor: 1, x: 0, y: 0 },
      ],
      [
        { from: "a", to: "ghost" },
        { from: "a", to: "b", stepFree: true, distance: 10 },
        { from: "a", to: "b" },
      ],
    );
    const res = await putMap(net.main.id, map);
    expect(res.statusCode).toBe(422);
    expect(res.json().errors.map((e: { field: string }) => e.field)).toEqual([
      "body.features.2.properties.to",
      "body.features.3.properties.stepFree",
      "body.features.4.properties.distance",
    ]);
  });

  it("a place without a kind or floor, and a file that is not a FeatureCollection, are refused naming the field", async () => {
    const noKind = indoorMap(MAIN, [{ id: "a", kind: "entrance", floor: 0, x: 0, y: 0 }], []);
    noKind.features[0] = { ...noKind.features[0], properties: { floor: 0 } } as (typeof noKind.features)[0];
    const res = await putMap(net.main.id, noKind);
    expect(res.statusCode).toBe(422);
    expect(res.json().errors[0].field).toBe("body.features.0.properties.kind");
    const notGeo = await putMap(net.main.id, { type: "Feature", features: [] });
    expect(notGeo.statusCode).toBe(400);
    expect(notGeo.json().errors.map((e: { field: string }) => e.field)).toContain("body.type");
  });

  it("a refused map changes nothing: the last good map stays", async () => {
    const exported = await net.admin.inject({ url: `/api/v1/locations/${net.main.id}/map` });
    expect(exported.json().summary.places).toBe(12);
  });

  it("only administrators replace a map; staff of the location read it", async () => {
    const staff = await clientFor(rounds, "location_staff", { locationIds: [net.main.id] });
    expect((await putMap(net.main.id, clinicMap(MAIN), staff)).statusCode).toBe(403);
    expect((await staff.inject({ url: `/api/v1/locations/${net.main.id}/map` })).statusCode).toBe(200);
    const elsewhere = await clientFor(rounds, "location_staff", { locationIds: [net.satellite.id] });
    const hidden = await elsewhere.inject({ url: `/api/v1/locations/${net.main.id}/map` });
    expect(hidden.statusCode).toBe(404);
    expect(hidden.json().errors[0].field).toBe("params.id");
  });
});

describe("the way to an appointment's room", () => {
  it("a patient gets steps from the main entrance, by the stairs when they did not ask for step-free", async () => {
    const route = await routeOf();
    expect(route.unavailable).toBeNull();
    expect(route.stepFree).toBe(false);
    expect(route.from?.kind).toBe("entrance");
    expect(route.startingPoints.map((p) => p.kind)).toEqual(["entrance", "parking"]);
    const texts = route.steps.map((s) => s.text);
    expect(texts[0]).toBe("Start at the main entrance on the ground floor.");
    expect(texts).toContain("Take stairs 1 up to floor 1.");
    expect(texts.at(-1)).toMatch(/^Arrive at Exam [12] on floor 1\.$/);
    expect(route.floors.map((f) => f.floor)).toEqual([0, 1]);
    expect(route.floors[0]?.start).toEqual([0, 0]);
    expect(route.minutes).toBeGreaterThan(0);
  });

  it("step-free when the patient's accessibility needs say so: the lift, never the stairs", async () => {
    const set = await net.admin.inject({
      method: "PATCH",
      url: `/api/v1/patients/${net.patientId}`,
      payload: { accessibilityNeeds: ["step_free"] },
    });
    expect(set.statusCode, set.body).toBe(200);
    const route = await routeOf();
    expect(route.stepFree).toBe(true);
    const texts = route.steps.map((s) => s.text);
    expect(texts).toContain("Take lift B to floor 1.");
    expect(texts.join(" ")).not.toContain("stairs");
    // asked explicitly, the shorter way by the stairs again
    expect((await routeOf("?stepFree=false")).steps.some((s) => s.kind === "stairs")).toBe(true);
  });

  it("from the car park the route starts there", async () => {
    const parking = (await routeOf()).startingPoints.find((p) => p.kind === "parking");
    const route = await routeOf(`?from=${parking?.id}`);
    expect(route.steps[0]?.text).toBe("Start at car park P1 on the ground floor.");
  });

  it("a starting point that is not an entrance of this map is refused naming query.from", async () => {
    const res = await patient.inject({
      url: `/api/v1/appointments/${appointmentId}/route?from=00000000-0000-4000-8000-000000000000`,
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().errors[0].field).toBe("query.from");
  });

  it("without a lift there is no step-free route, and the answer says so", async () => {
    expect(
      (await putMap(net.main.id, clinicMap(MAIN, { lift: false }))).json().roomsWithoutStepFreeRoute,
    ).toEqual(["EX1", "EX2"]);
    const route = await routeOf("?stepFree=true");
    expect(route.unavailable?.reason).toBe("no_step_free_route");
    expect(route.unavailable?.message).toMatch(/no step-free route/);
    expect(route.steps).toEqual([]);
    await putMap(net.main.id, clinicMap(MAIN));
  });

  it("a patient sees a route only for their own appointment", async () => {
    const other = await clientFor(rounds, "patient", { patientId: await createPatient(net.admin) });
    const res = await other.inject({ url: `/api/v1/appointments/${appointmentId}/route` });
    expect(res.statusCode).toBe(404);
    expect(res.json().errors[0].field).toBe("params.id");
    const trail = await net.admin.inject({ url: `/api/v1/audit-events?patientId=${net.patientId}` });
    const actions = trail
      .json()
      .items.map((e: { action: string; outcome: string }) => `${e.action}:${e.outcome}`);
    expect(actions).toContain("access.refused:denied");
    expect(actions).toContain("appointment.route:success");
  });

  it("staff of the appointment's location see the route; staff elsewhere do not", async () => {
    const staff = await clientFor(rounds, "location_staff", { locationIds: [net.main.id] });
    expect((await routeOf("", staff)).unavailable).toBeNull();
    const elsewhere = await clientFor(rounds, "location_staff", { locationIds: [net.satellite.id] });
    expect((await elsewhere.inject({ url: `/api/v1/appointments/${appointmentId}/route` })).statusCode).toBe(
      404,
    );
  });

  it("a location without a map answers that the front desk will direct the patient", async () => {
    const option = (await optionsOn(net, net.admin, 1)).find((o) => o.locationId === net.satellite.id);
    const booked = await net.admin.inject({
      method: "POST",
      url: "/api/v1/appointments",
      payload: { optionId: option?.id, patientId: net.patientId },
    });
    expect(booked.statusCode, booked.body).toBe(201);
    const res = await patient.inject({ url: `/api/v1/appointments/${booked.json().id}/route` });
    expect(res.json().unavailable).toMatchObject({ reason: "no_map" });
  });

  it("the confirmation tells the way in from the main entrance, step-free for a patient who needs it", async () => {
    const patientId = await createPatient(net.admin, { accessibilityNeeds: ["step_free"] });
    const option = (await optionsOn(net, net.admin, 2)).find((o) => o.locationId === net.main.id);
    const booked = await net.admin.inject({
      method: "POST",
      url: "/api/v1/appointments",
      payload: { optionId: option?.id, patientId },
    });
    expect(booked.statusCode, booked.body).toBe(201);
    const message = await until(async () => {
      const res = await net.admin.inject({ url: `/api/v1/notifications?patientId=${patientId}` });
      return res.json().total >= 1 ? (res.json().items[0] as { title: string; body: string }) : undefined;
    }, "the confirmation in the inbox");
    expect(message.title).toContain("Appointment confirmed");
    expect(message.body).toContain("FINDING YOUR WAY INSIDE\nFrom the main entrance, about");
    expect(message.body).toContain(", step-free:\n- Start at the main entrance on the ground floor.");
    expect(message.body).toContain("- Take lift B to floor 1.");
    expect(message.body).not.toContain("stairs");
  });
});
