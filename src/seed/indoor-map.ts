/**
 * The demo's indoor maps: each main campus gets a real-sized map of every floor its rooms are on.
 * Per floor, two parallel corridors (A and B, 60 m apart) joined by west, central and east links;
 * lift A (west) and lift B (east) and stairs 1 (central) between floors; rooms off both sides of
 * the corridors. On the ground floor the main entrance (south), the north entrance, the
 * multi-storey car park (west, by a covered walkway) and the visitor car park (south). A room
 * reached through a short flight of stairs (not step-free) has a stepped link.
 */
import type { Random } from "./random.js";
import type { LocationRow, MapEdgeRow, MapNodeRow, RoomRow } from "./tables.js";

const STEP = 10;
const GAP = 60;
const ROOM_OFFSET = 6;

export function planIndoorMap(
  rng: Random,
  location: LocationRow,
  rooms: readonly RoomRow[],
): { nodes: MapNodeRow[]; edges: MapEdgeRow[] } {
  const nodes: MapNodeRow[] = [];
  const edges: MapEdgeRow[] = [];
  const byKey = new Map<string, MapNodeRow>();
  const place = (
    key: string,
    kind: MapNodeRow["kind"],
    floor: number,
    x: number,
    y: number,
    name: string | null,
    roomId: string | null = null,
  ) => {
    const n: MapNodeRow = {
      id: rng.uuid(),
      location_id: location.id,
      key,
      kind,
      name,
      floor,
      x,
      y,
      room_id: roomId,
    };
    nodes.push(n);
    byKey.set(key, n);
    return n;
  };
  const link = (a: MapNodeRow, b: MapNodeRow, stepFree = true, distance?: number) =>
    edges.push({
      id: rng.uuid(),
      location_id: location.id,
      from_node_id: a.id,
      to_node_id: b.id,
      distance_m: distance ?? Math.round(Math.hypot(a.x - b.x, a.y - b.y) * 100) / 100,
      step_free: stepFree,
      one_way: false,
    });

  const floors = [...new Set([0, ...rooms.map((r) => r.floor)])].sort((a, b) => a - b);
  const perFloor = Math.max(...floors.map((f) => rooms.filter((r) => r.floor === f).length));
  // four rooms per corridor position (both sides of both corridors), and at least 150 m of corridor
  const length = Math.max(150, Math.ceil(perFloor / 4) * STEP);
  const centre = Math.round(length / 2 / STEP) * STEP;
  const label = (floor: number) => (floor === 0 ? "G" : String(floor));

  for (const floor of floors) {
    const key = (what: string) => `${label(floor)}-${what}`;
    for (const [corridor, y] of [
      ["A", 0],
      ["B", GAP],
    ] as const) {
      let previous: MapNodeRow | undefined;
      for (let x = 0; x <= length; x += STEP) {
        const n = place(
          key(`${corridor}${x}`),
          "corridor",
          floor,
          x,
          y,
          `corridor ${label(floor)}${corridor}`,
        );
        if (previous) link(previous, n);
        previous = n;
      }
    }
    for (const [side, x] of [
      ["west", 0],
      ["central", centre],
      ["east", length],
    ] as const) {
      let previous = byKey.get(key(`A${x}`)) as MapNodeRow;
      for (let y = STEP; y < GAP; y += STEP) {
        const n = place(key(`${side}${y}`), "corridor", floor, x, y, `the ${side} link`);
        link(previous, n);
        previous = n;
      }
      link(previous, byKey.get(key(`B${x}`)) as MapNodeRow);
    }
    const liftA = place(key("liftA"), "lift", floor, 3, GAP / 2, "lift A");
    link(liftA, byKey.get(key(`west${GAP / 2}`)) as MapNodeRow);
    const liftB = place(key("liftB"), "lift", floor, length - 3, GAP / 2, "lift B");
    link(liftB, byKey.get(key(`east${GAP / 2}`)) as MapNodeRow);
    const stairs = place(key("stairs1"), "stairs", floor, centre + 3, GAP / 2, "stairs 1");
    link(stairs, byKey.get(key(`central${GAP / 2}`)) as MapNodeRow);

    const here = rooms.filter((r) => r.floor === floor).sort((a, b) => a.code.localeCompare(b.code));
    here.forEach((room, i) => {
      const slot = Math.floor(i / 4);
      const corridor = i % 4 < 2 ? "A" : "B";
      const side = i % 2 === 0 ? -1 : 1;
      const x = Math.min(slot * STEP + STEP / 2, length);
      const y = (corridor === "A" ? 0 : GAP) + side * ROOM_OFFSET;
      const door = byKey.get(key(`${corridor}${Math.floor(x / STEP) * STEP}`)) as MapNodeRow;
      const n = place(`room-${room.code}`, "room", floor, x, y, room.name, room.id);
      link(door, n, room.step_free);
    });
  }
  // between floors: a lift ride 4 m a floor, a flight of stairs 8 m a floor
  for (let i = 1; i < floors.length; i++) {
    const [below, above] = [label(floors[i - 1] as number), label(floors[i] as number)];
    const rise = (floors[i] as number) - (floors[i - 1] as number);
    for (const what of ["liftA", "liftB"])
      link(
        byKey.get(`${below}-${what}`) as MapNodeRow,
        byKey.get(`${above}-${what}`) as MapNodeRow,
        true,
        4 * rise,
      );
    link(
      byKey.get(`${below}-stairs1`) as MapNodeRow,
      byKey.get(`${above}-stairs1`) as MapNodeRow,
      false,
      8 * rise,
    );
  }

  const ground = (what: string) => byKey.get(`G-${what}`) as MapNodeRow;
  const main = place("entrance-main", "entrance", 0, centre, -20, "the main entrance");
  link(main, ground(`A${centre}`));
  const north = place("entrance-north", "entrance", 0, centre, GAP + 20, "the north entrance");
  link(north, ground(`B${centre}`));
  const garage = place("parking-garage", "parking", 0, -50, 0, "the multi-storey car park");
  link(garage, ground("A0"));
  const visitors = place("parking-visitors", "parking", 0, centre, -120, "the visitor car park");
  link(visitors, main);
  return { nodes, edges };
}
