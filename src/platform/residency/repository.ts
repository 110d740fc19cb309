/** SQL of the residency report: the locations' regions and, from the catalogue, where each table lives. */
import { sql } from "kysely";
import type { Executor } from "../db.js";

export interface LocationRegion {
  id: string;
  name: string;
  region: string;
}
export interface PartitionPlace {
  parent: string;
  region: string;
  partition: string;
  tablespace: string;
}
export interface RegionPlace {
  region: string;
  tablespace: string | null;
  exists: boolean;
  locations: number;
}

export const residencyRepository = {
  /** Every location (the locations module's table: the report names each one and its region). */
  async locations(db: Executor, region: string | undefined): Promise<LocationRegion[]> {
    return (
      await sql<LocationRegion>`
        SELECT id, name, data_residency AS region FROM locations
        ${region ? sql`WHERE data_residency = ${region}` : sql``}
        ORDER BY data_residency, name, id`.execute(db)
    ).rows;
  },
  /** Each region's partitions and the tablespace the catalogue puts them in. */
  async partitions(db: Executor): Promise<PartitionPlace[]> {
    return (
      await sql<PartitionPlace>`
        SELECT rp.parent, rp.region, rp.partition, COALESCE(t.spcname, 'default') AS tablespace
        FROM residency_partitions rp
        JOIN pg_class c ON c.oid = to_regclass(rp.partition)
        LEFT JOIN pg_tablespace t ON t.oid = c.reltablespace`.execute(db)
    ).rows;
  },
  /** The tablespace of each of these (unpartitioned or time-partitioned) tables. */
  async tablespaces(db: Executor, tables: readonly string[]): Promise<Map<string, string>> {
    const rows = (
      await sql<{ relname: string; tablespace: string }>`
        SELECT c.relname, COALESCE(t.spcname, 'default') AS tablespace
        FROM pg_class c LEFT JOIN pg_tablespace t ON t.oid = c.reltablespace
        WHERE c.relnamespace = 'public'::regnamespace AND c.relname = ANY(${[...tables]})`.execute(db)
    ).rows;
    return new Map(rows.map((r) => [r.relname, r.tablespace]));
  },
  /** Every region a location has or the configuration named, its tablespace as applied, and whether it exists. */
  async regions(db: Executor): Promise<RegionPlace[]> {
    return (
      await sql<RegionPlace>`
        SELECT r.region, x.tablespace, s.oid IS NOT NULL AS exists,
          (SELECT count(*)::int FROM locations l WHERE l.data_residency = r.region) AS locations
        FROM (SELECT data_residency AS region FROM locations UNION SELECT region FROM residency_regions) r
        LEFT JOIN residency_regions x ON x.region = r.region
        LEFT JOIN pg_tablespace s ON s.spcname = x.tablespace
        ORDER BY r.region`.execute(db)
    ).rows;
  },
  /** The server as it names itself (no credentials): its address, port and database. */
  async server(db: Executor): Promise<{ name: string; host: string | null; port: number | null }> {
    return (
      await sql<{ name: string; host: string | null; port: number | null }>`
        SELECT current_database() AS name, host(inet_server_addr()) AS host, inet_server_port() AS port`.execute(
        db,
      )
    ).rows[0]!;
  },
};
