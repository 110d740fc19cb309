/**
 * The route through a location's map, as pure functions over plain data: the shortest path (by
 * graphology's bidirectional Dijkstra), then the path told as steps a visitor can follow and drawn
 * as one polyline per floor. No database here, so it is tested on hand-made maps.
 */
import { DirectedGraph } from "graphology";
import { bidirectional } from "graphology-shortest-path/dijkstra.js";

export const nodeKinds = [
  "entrance",
  "parking",
  "lift",
  "stairs",
  "escalator",
  "corridor",
  "room",
  "amenity",
] as const;
export type NodeKind = (typeof nodeKinds)[number];

/** Where a route may start: the places a visitor arrives at. */
export const startKinds: readonly NodeKind[] = ["entrance", "parking"];
/** Ways between floors that a wheelchair, a pram or a walking frame cannot take. */
export const steppedKinds: readonly NodeKind[] = ["stairs", "escalator"];

export interface MapNode {
  id: string;
  key: string;
  kind: NodeKind;
  name: string | null;
  floor: number;
  /** Metres east of the location's coordinates. */
  x: number;
  /** Metres north of the location's coordinates. */
  y: number;
  roomId: string | null;
}

export interface MapEdge {
  fromNodeId: string;
  toNodeId: string;
  distanceM: number;
  stepFree: boolean;
  oneWay: boolean;
}

export interface IndoorMap {
  nodes: MapNode[];
  edges: MapEdge[];
}

export type StepKind = "start" | "walk" | "lift" | "stairs" | "escalator" | "arrive";

export interface RouteStep {
  kind: StepKind;
  /** The step as a sentence ("Take Lift B to floor 3"). */
  text: string;
  /** The floor the step ends on. */
  floor: number;
  metres: number;
}

export interface FloorPath {
  floor: number;
  /** The route on this floor, one polyline per visit, as [x, y] points in metres. */
  lines: Array<Array<[number, number]>>;
}

export interface Route {
  fromNodeId: string;
  toNodeId: string;
  stepFree: boolean;
  metres: number;
  minutes: number;
  steps: RouteStep[];
  floors: FloorPath[];
  nodeIds: string[];
}

export type RouteAnswer =
  | { ok: true; route: Route }
  | { ok: false; reason: "no_step_free_route" | "unreachable" | "unknown_node" };

/** An unhurried walking pace through a hospital (1.1 m/s), and the wait for and ride in a lift. */
const METRES_PER_MINUTE = 66;
const LIFT_MINUTES = 1;

/** The graph a route is searched on: both directions of every two-way link, step-free links only when asked. */
function graphOf(map: IndoorMap, stepFree: boolean): DirectedGraph<{ floor: number }, { weight: number }> {
  const graph = new DirectedGraph<{ floor: number }, { weight: number }>();
  for (const n of map.nodes) graph.addNode(n.id, { floor: n.floor });
  const link = (a: string, b: string, weight: number) => {
    // parallel links keep the shorter
    const existing = graph.edge(a, b);
    if (existing === undefined) graph.addDirectedEdge(a, b, { weight });
    else if (graph.getEdgeAttribute(existing, "weight") > weight)
      graph.setEdgeAttribute(existing, "weight", weight);
  };
  for (const e of map.edges) {
    if (stepFree && !e.stepFree) continue;
    if (!graph.hasNode(e.fromNodeId) || !graph.hasNode(e.toNodeId)) continue;
    link(e.fromNodeId, e.toNodeId, e.distanceM);
    if (!e.oneWay) link(e.toNodeId, e.fromNodeId, e.distanceM);
  }
  return graph;
}

/** The shortest route from one place to another, step-free when asked; or why there is none. */
export function planRoute(
  map: IndoorMap,
  fromNodeId: string,
  toNodeId: string,
  stepFree: boolean,
): RouteAnswer {
  const byId = new Map(map.nodes.map((n) => [n.id, n]));
  if (!byId.has(fromNodeId) || !byId.has(toNodeId)) return { ok: false, reason: "unknown_node" };
  const path =
    fromNodeId === toNodeId
      ? [fromNodeId]
      : bidirectional(graphOf(map, stepFree), fromNodeId, toNodeId, "weight");
  if (!path) {
    if (!stepFree) return { ok: false, reason: "unreachable" };
    const any = bidirectional(graphOf(map, false), fromNodeId, toNodeId, "weight");
    return { ok: false, reason: any ? "no_step_free_route" : "unreachable" };
  }
  const nodes = path.map((id) => byId.get(id) as MapNode);
  const lengths = legLengths(map.edges, path, stepFree);
  return { ok: true, route: describe(nodes, lengths, stepFree) };
}

/** The length of each link the path takes (the shortest of parallel links it may take). */
function legLengths(edges: MapEdge[], path: string[], stepFree: boolean): number[] {
  const shortest = new Map<string, number>();
  for (const e of edges) {
    if (stepFree && !e.stepFree) continue;
    const keys = e.oneWay
      ? [`${e.fromNodeId}>${e.toNodeId}`]
      : [`${e.fromNodeId}>${e.toNodeId}`, `${e.toNodeId}>${e.fromNodeId}`];
    for (const k of keys) shortest.set(k, Math.min(shortest.get(k) ?? Number.POSITIVE_INFINITY, e.distanceM));
  }
  return path.slice(1).map((id, i) => shortest.get(`${path[i]}>${id}`) ?? 0);
}

const floorName = (floor: number): string => (floor === 0 ? "the ground floor" : `floor ${floor}`);
const placeName = (n: MapNode): string => n.name ?? `the ${n.kind}`;
const rounded = (m: number): number => Math.max(1, Math.round(m / 5) * 5);

/** Which way a walker turns at `b` coming from `a` going to `c`, or undefined when (nearly) straight on. */
export function turnAt(a: MapNode, b: MapNode, c: MapNode): "left" | "right" | "back" | undefined {
  const [ux, uy, vx, vy] = [b.x - a.x, b.y - a.y, c.x - b.x, c.y - b.y];
  if ((ux === 0 && uy === 0) || (vx === 0 && vy === 0)) return undefined;
  const angle = Math.atan2(ux * vy - uy * vx, ux * vx + uy * vy) * (180 / Math.PI);
  if (Math.abs(angle) < 30) return undefined;
  if (Math.abs(angle) > 150) return "back";
  // x east, y north: a positive angle turns anticlockwise, to the left
  return angle > 0 ? "left" : "right";
}

/** A path told as steps: where to start, walking legs split at turns, rides between floors, arrival. */
function describe(nodes: MapNode[], lengths: number[], stepFree: boolean): Route {
  const first = nodes[0] as MapNode;
  const last = nodes[nodes.length - 1] as MapNode;
  const steps: RouteStep[] = [
    {
      kind: "start",
      text: `Start at ${placeName(first)} on ${floorName(first.floor)}.`,
      floor: first.floor,
      metres: 0,
    },
  ];
  let lifts = 0;
  let i = 0;
  while (i < nodes.length - 1) {
    const here = nodes[i] as MapNode;
    const next = nodes[i + 1] as MapNode;
    if (next.floor !== here.floor) {
      // one ride or climb: every consecutive link that changes floor
      let j = i;
      let metres = 0;
      while (j < nodes.length - 1 && (nodes[j + 1] as MapNode).floor !== (nodes[j] as MapNode).floor) {
        metres += lengths[j] ?? 0;
        j++;
      }
      const to = nodes[j] as MapNode;
      const via = here.kind === "lift" || here.kind === "stairs" || here.kind === "escalator" ? here : to;
      const kind: StepKind =
        via.kind === "stairs" ? "stairs" : via.kind === "escalator" ? "escalator" : "lift";
      if (kind === "lift") lifts++;
      const direction = to.floor > here.floor ? "up" : "down";
      const text =
        kind === "lift"
          ? `Take ${placeName(via)} to ${floorName(to.floor)}.`
          : `Take ${placeName(via)} ${direction} to ${floorName(to.floor)}.`;
      steps.push({ kind, text, floor: to.floor, metres });
      i = j;
      continue;
    }
    // one walking leg: straight on along one floor until a turn or a change of floor
    let j = i;
    let metres = 0;
    do {
      metres += lengths[j] ?? 0;
      j++;
    } while (
      j < nodes.length - 1 &&
      (nodes[j + 1] as MapNode).floor === (nodes[j] as MapNode).floor &&
      turnAt(nodes[j - 1] as MapNode, nodes[j] as MapNode, nodes[j + 1] as MapNode) === undefined
    );
    const end = nodes[j] as MapNode;
    const turn =
      i > 0 && (nodes[i - 1] as MapNode).floor === here.floor
        ? turnAt(nodes[i - 1] as MapNode, here, next)
        : undefined;
    const along = [next, end].find((n) => n.kind === "corridor" && n.name);
    const walk = `walk ${rounded(metres)} m${along ? ` along ${along.name}` : ""}`;
    const lead =
      turn === "back"
        ? `Turn around and ${walk}`
        : turn
          ? `Turn ${turn} and ${walk}`
          : walk[0]?.toUpperCase() + walk.slice(1);
    const towards = end !== last && end.kind !== "corridor" ? ` to ${placeName(end)}` : "";
    steps.push({ kind: "walk", text: `${lead}${towards}.`, floor: end.floor, metres });
    i = j;
  }
  steps.push({
    kind: "arrive",
    text: `Arrive at ${placeName(last)} on ${floorName(last.floor)}.`,
    floor: last.floor,
    metres: 0,
  });
  const metres = lengths.reduce((s, m) => s + m, 0);
  return {
    fromNodeId: first.id,
    toNodeId: last.id,
    stepFree,
    metres: Math.round(metres),
    minutes: Math.max(1, Math.ceil(metres / METRES_PER_MINUTE + lifts * LIFT_MINUTES)),
    steps,
    floors: floorPaths(nodes),
    nodeIds: nodes.map((n) => n.id),
  };
}

/** The route drawn per floor: each stay on a floor is one polyline, floors in the order first reached. */
function floorPaths(nodes: MapNode[]): FloorPath[] {
  const floors = new Map<number, FloorPath>();
  let current: Array<[number, number]> | undefined;
  let currentFloor: number | undefined;
  for (const n of nodes) {
    if (n.floor !== currentFloor) {
      current = [];
      currentFloor = n.floor;
      const f = floors.get(n.floor) ?? { floor: n.floor, lines: [] };
      f.lines.push(current);
      floors.set(n.floor, f);
    }
    current?.push([round1(n.x), round1(n.y)]);
  }
  return [...floors.values()];
}

const round1 = (v: number): number => Math.round(v * 10) / 10;

/** The places some start reaches (step-free links only when asked): how complete a map is. */
export function reachableFrom(map: IndoorMap, starts: readonly string[], stepFree: boolean): Set<string> {
  const graph = graphOf(map, stepFree);
  const seen = new Set<string>();
  const queue = starts.filter((s) => graph.hasNode(s));
  for (const s of queue) seen.add(s);
  while (queue.length) {
    const here = queue.pop() as string;
    graph.forEachOutNeighbor(here, (next) => {
      if (seen.has(next)) return;
      seen.add(next);
      queue.push(next);
    });
  }
  return seen;
}
