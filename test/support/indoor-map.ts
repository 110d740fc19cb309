import { toLonLat } from "../../src/services/wayfinding/geojson.js";

type Place = {
  id: string;
  kind: string;
  floor: number;
  x: number;
  y: number;
  name?: string;
  roomCode?: string;
};
type Link = { from: string; to: string; stepFree?: boolean; oneWay?: boolean; distance?: number };

/** A GeoJSON FeatureCollection of places and links, drawn in metres around a location's coordinates. */
export function indoorMap(origin: { latitude: number; longitude: number }, places: Place[], links: Link[]) {
  const at = new Map(places.map((p) => [p.id, p]));
  return {
    type: "FeatureCollection",
    features: [
      ...places.map((p) => ({
        type: "Feature",
        id: p.id,
        geometry: { type: "Point", coordinates: toLonLat(origin, p.x, p.y) },
        properties: {
          kind: p.kind,
          floor: p.floor,
          name: p.name ?? null,
          ...(p.roomCode ? { roomCode: p.roomCode } : {}),
        },
      })),
      ...links.map((l) => {
        const a = at.get(l.from);
        const b = at.get(l.to);
        return {
          type: "Feature",
          geometry: {
            type: "LineString",
            coordinates: [toLonLat(origin, a?.x ?? 0, a?.y ?? 0), toLonLat(origin, b?.x ?? 0, b?.y ?? 0)],
          },
          properties: { ...l },
        };
      }),
    ],
  };
}

/**
 * A small two-storey clinic: the main entrance and a car park on the ground floor, a corridor to
 * the stairs (near) and on to the lift (further), and rooms EX1 and EX2 upstairs.
 */
export function clinicMap(origin: { latitude: number; longitude: number }, opts: { lift?: boolean } = {}) {
  const places: Place[] = [
    { id: "entrance", kind: "entrance", floor: 0, x: 0, y: 0, name: "the main entrance" },
    { id: "parking", kind: "parking", floor: 0, x: -40, y: 0, name: "car park P1" },
    { id: "c0a", kind: "corridor", floor: 0, x: 20, y: 0, name: "the Main Street corridor" },
    { id: "c0b", kind: "corridor", floor: 0, x: 60, y: 0, name: "the Main Street corridor" },
    { id: "stairs0", kind: "stairs", floor: 0, x: 20, y: 5, name: "stairs 1" },
    { id: "lift0", kind: "lift", floor: 0, x: 60, y: 5, name: "lift B" },
    { id: "stairs1", kind: "stairs", floor: 1, x: 20, y: 5, name: "stairs 1" },
    { id: "lift1", kind: "lift", floor: 1, x: 60, y: 5, name: "lift B" },
    { id: "c1a", kind: "corridor", floor: 1, x: 20, y: 20, name: "the east corridor" },
    { id: "c1b", kind: "corridor", floor: 1, x: 60, y: 20, name: "the east corridor" },
    { id: "room-ex1", kind: "room", floor: 1, x: 30, y: 25, name: "Exam 1", roomCode: "EX1" },
    { id: "room-ex2", kind: "room", floor: 1, x: 40, y: 25, name: "Exam 2", roomCode: "EX2" },
  ];
  const links: Link[] = [
    { from: "parking", to: "entrance" },
    { from: "entrance", to: "c0a" },
    { from: "c0a", to: "c0b" },
    { from: "c0a", to: "stairs0" },
    { from: "c0b", to: "lift0" },
    { from: "stairs0", to: "stairs1", stepFree: false, distance: 12 },
    ...(opts.lift === false ? [] : [{ from: "lift0", to: "lift1", distance: 4 }]),
    { from: "stairs1", to: "c1a" },
    { from: "lift1", to: "c1b" },
    { from: "c1a", to: "c1b" },
    { from: "c1a", to: "room-ex1" },
    { from: "c1a", to: "room-ex2" },
  ];
  return indoorMap(origin, places, links);
}
