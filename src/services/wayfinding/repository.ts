import type { Generated, Selectable } from "kysely";
import type { Executor } from "../../platform/db.js";
import type { MapEdge, MapNode, NodeKind } from "./route.js";

// A type alias (not an interface) so Kysely can index it.
export type WayfindingTables = {
  map_nodes: {
    id: Generated<string>;
    location_id: string;
    key: string;
    kind: string;
    name: string | null;
    floor: number;
    x: number;
    y: number;
    room_id: string | null;
  };
  map_edges: {
    id: Generated<string>;
    location_id: string;
    from_node_id: string;
    to_node_id: string;
    distance_m: number;
    step_free: Generated<boolean>;
    one_way: Generated<boolean>;
  };
};

export type MapNodeRow = Selectable<WayfindingTables["map_nodes"]>;
export type MapEdgeRow = Selectable<WayfindingTables["map_edges"]>;

const q = (db: Executor) => db.withTables<WayfindingTables>();

/** Rows go in batches, well under PostgreSQL's 65,535 bind parameters per statement. */
const BATCH = 2_000;

const toNode = (r: MapNodeRow): MapNode => ({
  id: r.id,
  key: r.key,
  kind: r.kind as NodeKind,
  name: r.name,
  floor: r.floor,
  x: r.x,
  y: r.y,
  roomId: r.room_id,
});

const toEdge = (r: MapEdgeRow): MapEdge => ({
  fromNodeId: r.from_node_id,
  toNodeId: r.to_node_id,
  distanceM: r.distance_m,
  stepFree: r.step_free,
  oneWay: r.one_way,
});

export const wayfindingRepository = {
  async nodes(db: Executor, locationId: string): Promise<MapNode[]> {
    const rows = await q(db)
      .selectFrom("map_nodes")
      .selectAll()
      .where("location_id", "=", locationId)
      .orderBy("floor")
      .orderBy("key")
      .execute();
    return rows.map(toNode);
  },
  async edges(db: Executor, locationId: string): Promise<MapEdge[]> {
    const rows = await q(db)
      .selectFrom("map_edges")
      .selectAll()
      .where("location_id", "=", locationId)
      .orderBy("id")
      .execute();
    return rows.map(toEdge);
  },
  async hasMap(db: Executor, locationId: string): Promise<boolean> {
    const row = await q(db)
      .selectFrom("map_nodes")
      .select("id")
      .where("location_id", "=", locationId)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  },
  /** Removes a location's map (its links go with its places). */
  async clear(db: Executor, locationId: string): Promise<void> {
    await q(db).deleteFrom("map_edges").where("location_id", "=", locationId).execute();
    await q(db).deleteFrom("map_nodes").where("location_id", "=", locationId).execute();
  },
  /** Inserts places and returns their ids by key. */
  async insertNodes(
    db: Executor,
    locationId: string,
    nodes: Array<Omit<MapNode, "id">>,
  ): Promise<Map<string, string>> {
    const ids = new Map<string, string>();
    for (let i = 0; i < nodes.length; i += BATCH) {
      const rows = await q(db)
        .insertInto("map_nodes")
        .values(
          nodes.slice(i, i + BATCH).map((n) => ({
            location_id: locationId,
            key: n.key,
            kind: n.kind,
            name: n.name,
            floor: n.floor,
            x: n.x,
            y: n.y,
            room_id: n.roomId,
          })),
        )
        .returning(["id", "key"])
        .execute();
      for (const r of rows) ids.set(r.key, r.id);
    }
    return ids;
  },
  async insertEdges(db: Executor, locationId: string, edges: MapEdge[]): Promise<void> {
    for (let i = 0; i < edges.length; i += BATCH) {
      await q(db)
        .insertInto("map_edges")
        .values(
          edges.slice(i, i + BATCH).map((e) => ({
            location_id: locationId,
            from_node_id: e.fromNodeId,
            to_node_id: e.toNodeId,
            distance_m: e.distanceM,
            step_free: e.stepFree,
            one_way: e.oneWay,
          })),
        )
        .execute();
    }
  },
  /** Serialises map replacements of one location (two administrators uploading at once). */
  async lockLocation(db: Executor, locationId: string): Promise<void> {
    await q(db)
      .selectNoFrom((eb) =>
        eb
          .fn<unknown>("pg_advisory_xact_lock", [eb.fn<number>("hashtext", [eb.val(`map:${locationId}`)])])
          .as("locked"),
      )
      .execute();
  },
};
