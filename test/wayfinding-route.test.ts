import { describe, expect, it } from "vitest";
import { type IndoorMap, type MapNode, planRoute } from "../src/services/wayfinding/route.js";

const node = (
  id: string,
  kind: MapNode["kind"],
  floor: number,
  x: number,
  y: number,
  name?: string,
): MapNode => ({
  id,
  key: id,
  kind,
  name: name ?? null,
  floor,
  x,
  y,
  roomId: kind === "room" ? `room-${id}` : null,
});
const edge = (a: string, b: string, distanceM: number, stepFree = true, oneWay = false) => ({
  fromNodeId: a,
  toNodeId: b,
  distanceM,
  stepFree,
  oneWay,
});

/** Two floors: the entrance leads along a corridor to stairs (near) and a lift (further); room 301 is upstairs. */
const map: IndoorMap = {
  nodes: [
    node("in", "entrance", 0, 0, 0, "the main entrance"),
    node("c1", "corridor", 0, 20, 0, "Corridor A"),
    node("c2", "corridor", 0, 60, 0, "Corridor A"),
    node("s0", "stairs", 0, 20, 5, "Stairs 1"),
    node("l0", "lift", 0, 60, 5, "Lift B"),
    node("s1", "stairs", 1, 20, 5, "Stairs 1"),
    node("l1", "lift", 1, 60, 5, "Lift B"),
    node("u1", "corridor", 1, 20, 20, "Corridor C"),
    node("u2", "corridor", 1, 60, 20, "Corridor C"),
    node("r", "room", 1, 25, 20, "Room 301"),
  ],
  edges: [
    edge("in", "c1", 20),
    edge("c1", "c2", 40),
    edge("c1", "s0", 5),
    edge("c2", "l0", 5),
    edge("s0", "s1", 8, false),
    edge("l0", "l1", 4),
    edge("s1", "u1", 15),
    edge("l1", "u2", 15),
    edge("u2", "u1", 40),
    edge("u1", "r", 5),
  ],
};

describe("routes through a location's map", () => {
  it("takes the stairs when they are shortest and the visitor can climb", () => {
    const answer = planRoute(map, "in", "r", false);
    expect(answer.ok).toBe(true);
    if (!answer.ok) return;
    expect(answer.route.nodeIds).toEqual(["in", "c1", "s0", "s1", "u1", "r"]);
    expect(answer.route.metres).toBe(53);
    expect(answer.route.steps.map((s) => s.kind)).toEqual([
      "start",
      "walk",
      "walk",
      "stairs",
      "walk",
      "walk",
      "arrive",
    ]);
    expect(answer.route.steps.map((s) => s.text)).toContain("Take Stairs 1 up to floor 1.");
    expect(answer.route.steps.at(-1)?.text).toBe("Arrive at Room 301 on floor 1.");
  });

  it("a step-free route avoids the stairs and takes the lift", () => {
    const answer = planRoute(map, "in", "r", true);
    expect(answer.ok).toBe(true);
    if (!answer.ok) return;
    expect(answer.route.nodeIds).not.toContain("s0");
    expect(answer.route.nodeIds).toContain("l0");
    expect(answer.route.steps.map((s) => s.text)).toContain("Take Lift B to floor 1.");
    expect(answer.route.metres).toBe(20 + 40 + 5 + 4 + 15 + 40 + 5);
    expect(answer.route.floors.map((f) => f.floor)).toEqual([0, 1]);
    expect(answer.route.floors[1]?.lines[0]?.at(-1)).toEqual([25, 20]);
  });

  it("says when no step-free route exists, rather than sending a wheelchair up the stairs", () => {
    const noLift = { ...map, edges: map.edges.filter((e) => e.fromNodeId !== "l0") };
    expect(planRoute(noLift, "in", "r", true)).toEqual({ ok: false, reason: "no_step_free_route" });
    expect(planRoute(noLift, "in", "r", false).ok).toBe(true);
  });

  it("a room no link reaches is unreachable", () => {
    const island = { ...map, edges: map.edges.filter((e) => e.toNodeId !== "r") };
    expect(planRoute(island, "in", "r", false)).toEqual({ ok: false, reason: "unreachable" });
  });

  it("one-way links are walked in their direction only", () => {
    const oneWay: IndoorMap = {
      nodes: [node("a", "entrance", 0, 0, 0), node("b", "room", 0, 10, 0)],
      edges: [edge("b", "a", 10, true, true)],
    };
    expect(planRoute(oneWay, "a", "b", false)).toEqual({ ok: false, reason: "unreachable" });
    expect(planRoute(oneWay, "b", "a", false).ok).toBe(true);
  });

  it("tells turns apart: left and right as a walker facing the way they go", () => {
    const turns: IndoorMap = {
      nodes: [
        node("a", "entrance", 0, 0, 0, "the north entrance"),
        node("b", "corridor", 0, 0, -10),
        node("c", "corridor", 0, 10, -10, "Corridor D"),
        node("d", "room", 0, 10, -5, "Room 12"),
      ],
      edges: [edge("a", "b", 10), edge("b", "c", 10), edge("c", "d", 5)],
    };
    const answer = planRoute(turns, "a", "d", false);
    if (!answer.ok) throw new Error("no route");
    // walking south, then east is a left turn; then north is a left turn again
    expect(answer.route.steps.map((s) => s.text)).toEqual([
      "Start at the north entrance on the ground floor.",
      "Walk 10 m.",
      "Turn left and walk 10 m along Corridor D.",
      "Turn left and walk 5 m.",
      "Arrive at Room 12 on the ground floor.",
    ]);
  });

  it("an unknown place is named as such", () => {
    expect(planRoute(map, "nowhere", "r", false)).toEqual({ ok: false, reason: "unknown_node" });
  });
});
