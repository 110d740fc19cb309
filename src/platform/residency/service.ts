/**
 * The data residency report: for each location, where each kind of its data lives (server,
 * table, partition, tablespace — read from the catalogue) and whether that is in its region.
 * Administrators and compliance officers (the policy table's `read_residency`); an audited read.
 */
import type { Actor } from "../access.js";
import { auditService } from "../audit/index.js";
import type { Database } from "../db.js";
import { auditContextOf } from "../identity/index.js";
import type { ServiceDeps } from "../module.js";
import { locationTarget } from "../policy.js";
import { type PartitionPlace, type RegionPlace, residencyRepository as repo } from "./repository.js";
import type { DataKind, DataPlacement, ResidencyQuery, ResidencyReport } from "./schema.js";

export interface ResidencyDeps extends ServiceDeps {
  database: Pick<Database, "kind" | "embeddedDir">;
}

/** The partitioned kinds and their tables (migrations/0056). */
const PARTITIONED: Partial<Record<DataKind, string>> = {
  eligibility: "eligibility_checks",
  prescriptions: "prescriptions",
  rides: "rides",
};

/** The kinds every region shares, with their table and why they are not placed by region. */
const SHARED: { kind: DataKind; table: string; why: string }[] = [
  {
    kind: "appointments",
    table: "appointments",
    why: "one table for every region (its exclusion constraints guard physicians and patients across locations)",
  },
  {
    kind: "notes",
    table: "appointments",
    why: "the care team's notes are a column of the appointments table",
  },
  { kind: "audit", table: "audit_events", why: "one hash-chained audit trail for the whole network" },
  { kind: "notifications", table: "notifications", why: "one notification history for the network" },
];

const EMBEDDED = "embedded data directory";

export function createResidency(deps: ResidencyDeps) {
  const { db, policies, database } = deps;
  const embedded = database.kind === "pglite";

  function partitionPlacement(
    region: RegionPlace | undefined,
    regionName: string,
    p: PartitionPlace | undefined,
  ) {
    if (embedded) return "shared: the embedded database keeps every region in one data directory";
    if (!p) return `shared: no partition for ${regionName} yet`;
    const want = region?.tablespace;
    if (!want) return `shared: no tablespace configured for ${regionName} (ROUNDS_RESIDENCY_TABLESPACES)`;
    if (p.tablespace === want) return "placed";
    if (!region?.exists) return `shared: tablespace ${want} does not exist; in the default tablespace`;
    return `shared: not yet moved to ${want} (rounds residency apply)`;
  }

  return {
    async report(actor: Actor, query: ResidencyQuery): Promise<ResidencyReport> {
      return db.transaction().execute(async (tx) => {
        const locations = await repo.locations(tx, query.region);
        for (const l of locations)
          await policies.authorize(tx, actor, "read_residency", locationTarget(l.id));
        const [partitions, regions, tables, server] = await Promise.all([
          repo.partitions(tx),
          repo.regions(tx),
          repo.tablespaces(
            tx,
            SHARED.map((s) => s.table),
          ),
          repo.server(tx),
        ]);
        const place = embedded
          ? (database.embeddedDir ?? EMBEDDED)
          : `${server.host ?? "local socket"}${server.port ? `:${server.port}` : ""}/${server.name}`;
        const regionOf = new Map(regions.map((r) => [r.region, r]));
        const report: ResidencyReport = {
          database: {
            kind: embedded ? "embedded" : "postgres",
            host: embedded ? null : server.host,
            name: server.name,
          },
          regions: regions
            .filter((r) => !query.region || r.region === query.region)
            .map((r) => ({
              region: r.region,
              locations: r.locations,
              tablespace: r.tablespace,
              tablespaceExists: r.exists,
            })),
          locations: locations.map((l) => {
            const data: DataPlacement[] = [];
            for (const s of SHARED)
              data.push({
                kind: s.kind,
                database: place,
                table: s.table,
                partition: null,
                tablespace: embedded ? EMBEDDED : (tables.get(s.table) ?? "default"),
                placement: `shared: ${s.why}`,
              });
            for (const [kind, table] of Object.entries(PARTITIONED) as [DataKind, string][]) {
              const p = partitions.find((x) => x.parent === table && x.region === l.region);
              data.push({
                kind,
                database: place,
                table,
                partition: p?.partition ?? null,
                tablespace: embedded ? EMBEDDED : (p?.tablespace ?? "default"),
                placement: partitionPlacement(regionOf.get(l.region), l.region, p),
              });
            }
            data.push({
              kind: "backups",
              database: "the file rounds backup --location writes",
              table: null,
              partition: null,
              tablespace: "none",
              placement: `shared: written where the operator directs; the backup's manifest names region ${l.region}`,
            });
            const order = [
              "appointments",
              "notes",
              "eligibility",
              "prescriptions",
              "rides",
              "audit",
              "notifications",
              "backups",
            ];
            data.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
            return { id: l.id, name: l.name, region: l.region, data };
          }),
        };
        await auditService.record(tx, auditContextOf(actor), {
          action: "residency.report.read",
          resourceType: "network",
          detail: { region: query.region ?? null, locations: locations.length },
        });
        return report;
      });
    },
  };
}
export type Residency = ReturnType<typeof createResidency>;
