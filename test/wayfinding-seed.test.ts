import { describe, expect, it } from "vitest";
import { planIndoorMap } from "../src/seed/indoor-map.js";
import { planNetwork } from "../src/seed/plan.js";
import { Random } from "../src/seed/random.js";
import { type IndoorMap, planRoute, reachableFrom, startKinds } from "../src/services/wayfinding/route.js";

const plan = planNetwork({ scale: "small", seed: 1, today: "2026-12-07" });
const campus = plan.locations.find((l) => l.kind === "main_campus");
if (!campus) throw new Error("the demo network has no main campus");
const rooms = plan.rooms.filter((r) => r.location_id === campus.id);
const rows = planIndoorMap(new Random(1, `indoor-map:${campus.code}`), campus, rooms);
const map: IndoorMap = {
  nodes: rows.nodes.map((n) => ({
    id: n.id,
    key: n.key,
    kind: n.kind,
    name: n.name,
    floor: n.floor,
    x: n.x,
    y: n.y,
    roomId: n.room_id,
  })),
  edges: rows.edges.map((e) => ({
    fromNodeId: e.from_node_id,
    toNodeId: e.to_node_id,
    distanceM: e.distance_m,
    stepFree: e.step_free,
    oneWay: e.one_way,
  })),
};
const starts = map.nodes.filter((n) => startKinds.includes(n.kind));

describe("the demo main campus's indoor map", () => {
  it("is real-sized: several floors, two entrances, car parks, lifts and stairs", () => {
    const floors = new Set(map.nodes.map((n) => n.floor));
    expect(floors.size).toBeGreaterThanOrEqual(3);
    expect(map.nodes.filter((n) => n.kind === "entrance")).toHaveLength(2);
    expect(map.nodes.filter((n) => n.kind === "parking").length).toBeGreaterThanOrEqual(1);
    expect(map.nodes.filter((n) => n.kind === "lift").length).toBe(2 * floors.size);
    expect(map.nodes.filter((n) => n.kind === "stairs").length).toBe(floors.size);
    expect(map.nodes.length).toBeGreaterThan(400);
  });

  it("places every room of the main campus, each reachable from every entrance and car park", () => {
    const placed = new Set(map.nodes.map((n) => n.roomId).filter(Boolean));
    expect(rooms.filter((r) => !placed.has(r.id)).map((r) => r.code)).toEqual([]);
    for (const start of starts) {
      const reached = reachableFrom(map, [start.id], false);
      expect(map.nodes.filter((n) => n.kind === "room" && !reached.has(n.id))).toEqual([]);
    }
  });

  it("reaches every step-free room without steps, and no other", () => {
    const reached = reachableFrom(
      map,
      starts.map((s) => s.id),
      true,
    );
    const stepFree = new Map(rooms.map((r) => [r.id, r.step_free]));
    const roomNodes = map.nodes.filter((n) => n.kind === "room");
    expect(roomNodes.filter((n) => reached.has(n.id) !== stepFree.get(n.roomId as string))).toEqual([]);
  });

  it("a step-free route upstairs takes a lift and never the stairs", () => {
    const upstairs = map.nodes.find((n) => n.kind === "room" && n.floor > 1 && stepFreeRoom(n.roomId));
    const answer = planRoute(map, starts[0]!.id, upstairs!.id, true);
    if (!answer.ok) throw new Error(answer.reason);
    const kinds = answer.route.steps.map((s) => s.kind);
    expect(kinds).toContain("lift");
    expect(kinds).not.toContain("stairs");
  });
});

function stepFreeRoom(id: string | null): boolean {
  return rooms.find((r) => r.id === id)?.step_free === true;
}
