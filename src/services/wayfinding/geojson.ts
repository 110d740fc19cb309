/**
 * A location's map to and from GeoJSON (RFC 7946), as pure functions. Positions are WGS 84
 * longitude/latitude; the map keeps metres east and north of the location's own coordinates
 * (an equirectangular projection, exact to centimetres across a campus).
 */
import type { FieldProblem } from "../../platform/errors.js";
import type { NodeKind } from "./route.js";
import type { MapCollection, MapFeature } from "./schema.js";

export interface Origin {
  latitude: number;
  longitude: number;
}

const METRES_PER_DEGREE = 111_320;

export function toMetres(origin: Origin, lon: number, lat: number): { x: number; y: number } {
  const x = (lon - origin.longitude) * METRES_PER_DEGREE * Math.cos((origin.latitude * Math.PI) / 180);
  const y = (lat - origin.latitude) * METRES_PER_DEGREE;
  return { x: Math.round(x * 100) / 100, y: Math.round(y * 100) / 100 };
}

export function toLonLat(origin: Origin, x: number, y: number): [number, number] {
  const lon = origin.longitude + x / (METRES_PER_DEGREE * Math.cos((origin.latitude * Math.PI) / 180));
  const lat = origin.latitude + y / METRES_PER_DEGREE;
  return [Math.round(lon * 1e8) / 1e8, Math.round(lat * 1e8) / 1e8];
}

/** A place as read from the file, before it has an id. */
export interface DraftNode {
  key: string;
  kind: NodeKind;
  name: string | null;
  floor: number;
  x: number;
  y: number;
  roomCode: string | null;
}

export interface DraftEdge {
  fromKey: string;
  toKey: string;
  distanceM: number;
  stepFree: boolean;
  oneWay: boolean;
}

export interface DraftMap {
  nodes: DraftNode[];
  edges: DraftEdge[];
}

/** At most this many problems are reported at once: enough to fix a file, bounded for a huge one. */
const MAX_PROBLEMS = 50;

/**
 * Reads a FeatureCollection into places and links, or the problems that stop it, each naming its
 * feature (`body.features.12.properties.roomCode`). Room codes are checked against `roomCodes`
 * (the location's rooms); a link's length is its drawn length unless `distance` says more.
 */
export function readMap(
  fc: MapCollection,
  origin: Origin,
  roomCodes: ReadonlySet<string>,
): { map: DraftMap; problems: [] } | { map: undefined; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const fail = (i: number, field: string, message: string): false => {
    if (problems.length < MAX_PROBLEMS) problems.push({ field: `body.features.${i}.${field}`, message });
    return false;
  };
  const nodes = new Map<string, DraftNode>();
  // places already reported: links to them are not reported again
  const refused = new Set<string>();
  const edges: DraftEdge[] = [];
  const roomsPlaced = new Map<string, number>();
  const readPlace = (f: MapFeature, i: number): boolean => {
    if (f.geometry.type !== "Point") return false;
    const p = f.properties;
    if (f.id === undefined) return fail(i, "id", "a place needs an id that links can name");
    const key = String(f.id);
    if (!nodes.has(key)) refused.add(key);
    if (nodes.has(key)) return fail(i, "id", `another place already has the id ${key}`);
    if (!p.kind) return fail(i, "properties.kind", "a place needs a kind");
    if (p.floor === undefined) return fail(i, "properties.floor", "a place needs a floor");
    const roomCode = p.roomCode ?? null;
    if (p.kind === "room") {
      if (!roomCode)
        return fail(i, "properties.roomCode", "a room needs the code of one of the location's rooms");
      if (!roomCodes.has(roomCode))
        return fail(i, "properties.roomCode", `no room ${roomCode} at this location`);
      if (roomsPlaced.has(roomCode))
        return fail(
          i,
          "properties.roomCode",
          `room ${roomCode} is already placed by feature ${roomsPlaced.get(roomCode)}`,
        );
      roomsPlaced.set(roomCode, i);
    } else if (roomCode) {
      return fail(i, "properties.roomCode", "only a place of kind room names a room");
    }
    const [lon, lat] = f.geometry.coordinates;
    nodes.set(key, {
      key,
      kind: p.kind,
      name: p.name ?? null,
      floor: p.floor,
      ...toMetres(origin, lon, lat),
      roomCode,
    });
    refused.delete(key);
    return true;
  };
  const readLink = (f: MapFeature, i: number): boolean => {
    if (f.geometry.type !== "LineString") return false;
    const p = f.properties;
    if (p.from === undefined)
      return fail(i, "properties.from", "a link needs the id of the place it starts at");
    if (p.to === undefined) return fail(i, "properties.to", "a link needs the id of the place it ends at");
    if (refused.has(String(p.from)) || refused.has(String(p.to))) return false;
    const from = nodes.get(String(p.from));
    const to = nodes.get(String(p.to));
    if (!from) return fail(i, "properties.from", `no place with the id ${p.from}`);
    if (!to) return fail(i, "properties.to", `no place with the id ${p.to}`);
    if (from === to) return fail(i, "properties.to", "a link joins two different places");
    let drawn = 0;
    const points = f.geometry.coordinates.map(([lon, lat]) => toMetres(origin, lon, lat));
    for (let k = 1; k < points.length; k++)
      drawn += Math.hypot(points[k]!.x - points[k - 1]!.x, points[k]!.y - points[k - 1]!.y);
    const distanceM = Math.round(Math.max(drawn, p.distance ?? 0) * 100) / 100;
    if (distanceM <= 0)
      return fail(
        i,
        "properties.distance",
        "a link between places drawn at one spot needs its distance in metres",
      );
    if (distanceM > 10_000) return fail(i, "properties.distance", "a link is at most 10,000 m long");
    // a flight of stairs or an escalator between floors is never step-free, whatever the file says
    const stepped =
      from.floor !== to.floor &&
      (["stairs", "escalator"] as NodeKind[]).some((k) => from.kind === k || to.kind === k);
    if (stepped && p.stepFree === true)
      return fail(i, "properties.stepFree", "stairs or an escalator between floors are not step-free");
    edges.push({
      fromKey: from.key,
      toKey: to.key,
      distanceM,
      stepFree: !stepped && p.stepFree !== false,
      oneWay: p.oneWay ?? false,
    });
    return true;
  };
  for (const [i, f] of fc.features.entries()) readPlace(f, i);
  for (const [i, f] of fc.features.entries()) readLink(f, i);
  if (nodes.size === 0 && problems.length === 0)
    problems.push({ field: "body.features", message: "a map needs at least one place (a Point feature)" });
  if (problems.length) return { map: undefined, problems };
  return { map: { nodes: [...nodes.values()], edges }, problems: [] };
}

/** A stored map as a FeatureCollection that `readMap` reads back to the same places and links. */
export function writeMap(
  map: {
    nodes: Array<DraftNode & { id: string }>;
    edges: Array<{
      fromNodeId: string;
      toNodeId: string;
      distanceM: number;
      stepFree: boolean;
      oneWay: boolean;
    }>;
  },
  origin: Origin,
): MapCollection {
  const byId = new Map(map.nodes.map((n) => [n.id, n]));
  return {
    type: "FeatureCollection",
    features: [
      ...map.nodes.map((n) => ({
        type: "Feature" as const,
        id: n.key,
        geometry: { type: "Point" as const, coordinates: toLonLat(origin, n.x, n.y) },
        properties: {
          kind: n.kind,
          floor: n.floor,
          name: n.name,
          ...(n.roomCode ? { roomCode: n.roomCode } : {}),
        },
      })),
      ...map.edges.map((e) => {
        const a = byId.get(e.fromNodeId) as DraftNode;
        const b = byId.get(e.toNodeId) as DraftNode;
        return {
          type: "Feature" as const,
          geometry: {
            type: "LineString" as const,
            coordinates: [toLonLat(origin, a.x, a.y), toLonLat(origin, b.x, b.y)],
          },
          properties: {
            from: a.key,
            to: b.key,
            stepFree: e.stepFree,
            oneWay: e.oneWay,
            distance: e.distanceM,
          },
        };
      }),
    ],
  };
}
