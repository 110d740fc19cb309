import type { Actor } from "../../platform/access.js";
import { auditService } from "../../platform/audit/index.js";
import type { Executor } from "../../platform/db.js";
import { ProblemError, problems, registerConstraint } from "../../platform/errors.js";
import { auditContextOf } from "../../platform/identity/index.js";
import type { ServiceDeps } from "../../platform/module.js";
import { locationTarget } from "../../platform/policy.js";
import type { Locations } from "../locations/index.js";
import { readMap, writeMap } from "./geojson.js";
import { wayfindingRepository as repo } from "./repository.js";
import { type IndoorMap, type MapNode, planRoute, type Route, reachableFrom, startKinds } from "./route.js";
import type { AppointmentRoute, MapCollection, MapSummary, RouteQuery, routeReasons } from "./schema.js";

registerConstraint("map_nodes_room_fk", "body.features", "a room of the map is not a room of this location");
registerConstraint("map_nodes_location_key_key", "body.features", "two places of the map share an id");

/** What an appointment's route needs to know of it; scheduling answers (wired by the composition root). */
export interface AppointmentPlace {
  id: string;
  patientId: string;
  physicianId: string;
  locationId: string;
  roomId: string | null;
  telehealth: boolean;
}

export interface WayfindingDeps extends ServiceDeps {
  locations: Pick<Locations, "lookup">;
  /** The appointment as the access policy and the route see it, read in the caller's transaction. */
  appointments: { place(db: Executor, id: string): Promise<AppointmentPlace | undefined> };
  /** Whether the patient's accessibility needs ask for step-free routes. */
  patients: { needsStepFree(db: Executor, patientId: string): Promise<boolean> };
}

type Reason = (typeof routeReasons)[number];
const REASONS: Record<Reason, string> = {
  telehealth: "This is a video visit: there is nowhere to go.",
  no_map: "This location has no indoor map yet; the front desk will direct you.",
  no_room: "No room is assigned to this appointment yet; the front desk will direct you.",
  room_not_on_map: "The appointment's room is not on the location's map; the front desk will direct you.",
  no_entrance: "The location's map has no entrance or car park to start from.",
  no_step_free_route:
    "There is no step-free route from this entrance to the room; please ask the front desk for help.",
  unreachable: "The map has no route from this entrance to the room; the front desk will direct you.",
};

/** A whole map of one location, read in one place. */
async function readIndoorMap(db: Executor, locationId: string): Promise<IndoorMap> {
  const [nodes, edges] = await Promise.all([repo.nodes(db, locationId), repo.edges(db, locationId)]);
  return { nodes, edges };
}

const startingPoint = (n: MapNode) => ({ id: n.id, kind: n.kind, name: n.name, floor: n.floor });

/** The floors a route crosses, each with every link on it (the plan) and the route drawn on it. */
export function floorPlans(map: IndoorMap, route: Route): AppointmentRoute["floors"] {
  const byId = new Map(map.nodes.map((n) => [n.id, n]));
  const first = byId.get(route.fromNodeId) as MapNode;
  const last = byId.get(route.toNodeId) as MapNode;
  return route.floors.map((f) => ({
    floor: f.floor,
    links: map.edges.flatMap((e) => {
      const a = byId.get(e.fromNodeId);
      const b = byId.get(e.toNodeId);
      return a && b && a.floor === f.floor && b.floor === f.floor
        ? [[a.x, a.y, b.x, b.y] as [number, number, number, number]]
        : [];
    }),
    route: f.lines,
    start: first.floor === f.floor ? ([first.x, first.y] as [number, number]) : null,
    end: last.floor === f.floor ? ([last.x, last.y] as [number, number]) : null,
  }));
}

/**
 * Indoor wayfinding: each location's map (places and links, replaced as a whole from GeoJSON),
 * and the route of an appointment from an entrance or car park to its room. Every operation
 * authorizes through the policy, owns its transaction and writes its audit event there.
 */
export function createWayfinding({ db, policies, locations, appointments, patients }: WayfindingDeps) {
  const inTransaction = <T>(work: (tx: Executor) => Promise<T>): Promise<T> => db.transaction().execute(work);

  async function summaryOf(tx: Executor, locationId: string): Promise<MapSummary> {
    const [map, rooms] = await Promise.all([
      readIndoorMap(tx, locationId),
      locations.lookup.roomsAt(tx, locationId),
    ]);
    const codeOf = new Map(rooms.map((r) => [r.id, r.code]));
    const roomNodes = map.nodes.filter((n) => n.roomId !== null);
    const starts = map.nodes.filter((n) => startKinds.includes(n.kind)).map((n) => n.id);
    const reached = reachableFrom(map, starts, false);
    const reachedStepFree = reachableFrom(map, starts, true);
    const floors = [...new Set(map.nodes.map((n) => n.floor))].sort((a, b) => a - b);
    const placed = new Set(roomNodes.map((n) => n.roomId));
    const codes = (nodes: MapNode[]) => nodes.map((n) => codeOf.get(n.roomId as string) ?? "").sort();
    return {
      locationId,
      places: map.nodes.length,
      links: map.edges.length,
      floors: floors.map((floor) => ({
        floor,
        places: map.nodes.filter((n) => n.floor === floor).length,
        rooms: roomNodes.filter((n) => n.floor === floor).length,
      })),
      roomsMissing: rooms
        .filter((r) => r.active && !placed.has(r.id))
        .map((r) => r.code)
        .sort(),
      roomsUnreachable: codes(roomNodes.filter((n) => !reached.has(n.id))),
      roomsWithoutStepFreeRoute: codes(
        roomNodes.filter((n) => reached.has(n.id) && !reachedStepFree.has(n.id)),
      ),
    };
  }

  return {
    /** Replaces a location's map with the places and links of a GeoJSON FeatureCollection. */
    replaceMap: (actor: Actor, locationId: string, fc: MapCollection): Promise<MapSummary> =>
      inTransaction(async (tx) => {
        await policies.authorize(tx, actor, "manage_map", locationTarget(locationId));
        const location = await locations.lookup.get(tx, locationId);
        if (location.latitude === null || location.longitude === null)
          throw problems.invalid(
            "params.id",
            "a location without coordinates (a virtual clinic) has no indoor map",
          );
        await repo.lockLocation(tx, locationId);
        const rooms = await locations.lookup.roomsAt(tx, locationId);
        const roomIds = new Map(rooms.map((r) => [r.code, r.id]));
        const origin = { latitude: location.latitude, longitude: location.longitude };
        const read = readMap(fc, origin, new Set(roomIds.keys()));
        if (!read.map) throw new ProblemError(422, "invalid_map", "The map has problems", read.problems);
        await repo.clear(tx, locationId);
        const ids = await repo.insertNodes(
          tx,
          locationId,
          read.map.nodes.map((n) => ({
            ...n,
            roomId: n.roomCode ? (roomIds.get(n.roomCode) ?? null) : null,
          })),
        );
        await repo.insertEdges(
          tx,
          locationId,
          read.map.edges.map((e) => ({
            fromNodeId: ids.get(e.fromKey) as string,
            toNodeId: ids.get(e.toKey) as string,
            distanceM: e.distanceM,
            stepFree: e.stepFree,
            oneWay: e.oneWay,
          })),
        );
        const summary = await summaryOf(tx, locationId);
        await auditService.record(tx, auditContextOf(actor), {
          action: "location.map_replace",
          resourceType: "location",
          resourceId: locationId,
          locationId,
          detail: { places: summary.places, links: summary.links, floors: summary.floors.length },
        });
        return summary;
      }),

    /** The location's map as GeoJSON (an empty collection when it has none). */
    exportMap: (actor: Actor, locationId: string): Promise<MapCollection & { summary: MapSummary }> =>
      inTransaction(async (tx) => {
        await policies.authorize(tx, actor, "read_resources", locationTarget(locationId));
        const location = await locations.lookup.get(tx, locationId);
        const [map, rooms, summary] = await Promise.all([
          readIndoorMap(tx, locationId),
          locations.lookup.roomsAt(tx, locationId),
          summaryOf(tx, locationId),
        ]);
        const codeOf = new Map(rooms.map((r) => [r.id, r.code]));
        const origin = { latitude: location.latitude ?? 0, longitude: location.longitude ?? 0 };
        const fc = writeMap(
          {
            nodes: map.nodes.map((n) => ({
              ...n,
              roomCode: n.roomId ? (codeOf.get(n.roomId) ?? null) : null,
            })),
            edges: map.edges,
          },
          origin,
        );
        return { ...fc, summary };
      }),

    /** The way from an entrance or car park to the appointment's room, step-free when asked or needed. */
    route: (actor: Actor, appointmentId: string, query: RouteQuery): Promise<AppointmentRoute> =>
      inTransaction(async (tx) => {
        const appt = await appointments.place(tx, appointmentId);
        if (!appt) throw problems.notFound("appointment");
        await policies.authorize(tx, actor, "read", {
          kind: "appointment",
          id: appt.id,
          patientId: appt.patientId,
          physicianId: appt.physicianId,
          locationId: appt.locationId,
          field: "params.id",
        });
        const stepFree = query.stepFree ?? (await patients.needsStepFree(tx, appt.patientId));
        const answer = await routeOf(tx, appt, query.from, stepFree);
        await auditService.record(tx, auditContextOf(actor), {
          action: "appointment.route",
          resourceType: "appointment",
          resourceId: appt.id,
          patientId: appt.patientId,
          locationId: appt.locationId,
          detail: { stepFree, found: answer.unavailable === null },
        });
        return answer;
      }),
  };
}

/** The answer for one appointment: the route, or why there is none, with the places to start from. */
async function routeOf(
  tx: Executor,
  appt: AppointmentPlace,
  from: string | undefined,
  stepFree: boolean,
): Promise<AppointmentRoute> {
  const base = {
    appointmentId: appt.id,
    locationId: appt.locationId,
    stepFree,
    from: null,
    startingPoints: [] as AppointmentRoute["startingPoints"],
    metres: null,
    minutes: null,
    steps: [],
    floors: [],
  };
  const none = (reason: Reason, extra: Partial<AppointmentRoute> = {}): AppointmentRoute => ({
    ...base,
    ...extra,
    unavailable: { reason, message: REASONS[reason] },
  });
  if (appt.telehealth) {
    if (from) throw problems.notFound("starting point", "query.from");
    return none("telehealth");
  }
  const map = await readIndoorMap(tx, appt.locationId);
  // entrances first, then car parks: a route asked for without a start begins at the first entrance
  const starts = startKinds.flatMap((kind) => map.nodes.filter((n) => n.kind === kind));
  const startingPoints = starts.map(startingPoint);
  const start = from ? starts.find((n) => n.id === from) : starts[0];
  if (from && !start) throw problems.notFound("starting point", "query.from");
  if (map.nodes.length === 0) return none("no_map");
  if (!appt.roomId) return none("no_room", { startingPoints });
  const room = map.nodes.find((n) => n.roomId === appt.roomId);
  if (!room) return none("room_not_on_map", { startingPoints });
  if (!start) return none("no_entrance", { startingPoints });
  const planned = planRoute(map, start.id, room.id, stepFree);
  const fromPoint = startingPoint(start);
  if (!planned.ok)
    return none(planned.reason === "no_step_free_route" ? "no_step_free_route" : "unreachable", {
      startingPoints,
      from: fromPoint,
    });
  return {
    ...base,
    from: fromPoint,
    startingPoints,
    unavailable: null,
    metres: planned.route.metres,
    minutes: planned.route.minutes,
    steps: planned.route.steps,
    floors: floorPlans(map, planned.route),
  };
}

/** An appointment's way in, as its messages tell it: from the first entrance, or none. */
export interface IndoorDirections {
  from: string;
  minutes: number;
  stepFree: boolean;
  steps: Array<{ text: string }>;
}

/**
 * Reads for other modules inside their own transactions, without a caller (the notification
 * worker writes to the patient, who may see their own appointment's route).
 */
export const wayfindingService = {
  async directions(
    db: Executor,
    appt: AppointmentPlace,
    stepFree: boolean,
  ): Promise<IndoorDirections | null> {
    const answer = await routeOf(db, appt, undefined, stepFree);
    if (answer.unavailable || !answer.from || answer.minutes === null) return null;
    return {
      from: answer.from.name ?? answer.from.kind,
      minutes: answer.minutes,
      stepFree,
      steps: answer.steps.map((s) => ({ text: s.text })),
    };
  },
};

/** The wayfinding service as the composition root wires it. */
export type Wayfinding = ReturnType<typeof createWayfinding>;
