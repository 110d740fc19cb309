import { z } from "zod";
import { regionTag, uuid } from "../schemas.js";

export const residencyQuery = z
  .object({ region: regionTag.optional().describe("only the locations of this region") })
  .strict();
export type ResidencyQuery = z.infer<typeof residencyQuery>;

export const DATA_KINDS = [
  "appointments",
  "notes",
  "eligibility",
  "prescriptions",
  "rides",
  "audit",
  "notifications",
  "backups",
] as const;
export type DataKind = (typeof DATA_KINDS)[number];

export const dataPlacement = z.object({
  kind: z.enum(DATA_KINDS),
  database: z
    .string()
    .describe("host:port/name of the server (no credentials), or the embedded data directory"),
  table: z.string().nullable().describe("the table (or partition's parent) holding it; null for backups"),
  partition: z.string().nullable().describe("the region's partition, for the partitioned tables"),
  tablespace: z.string().describe('the tablespace the catalogue names ("default" for the database\'s own)'),
  placement: z
    .string()
    .describe('"placed": in its region\'s tablespace; "shared: <why>": where every region\'s data is'),
});
export type DataPlacement = z.infer<typeof dataPlacement>;

export const locationResidency = z.object({
  id: uuid,
  name: z.string(),
  region: z.string(),
  data: z.array(dataPlacement),
});

export const regionResidency = z.object({
  region: z.string(),
  locations: z.number().int(),
  tablespace: z.string().nullable().describe("configured (as last applied); null: the default tablespace"),
  tablespaceExists: z.boolean(),
});

export const residencyReport = z.object({
  database: z.object({
    kind: z.enum(["postgres", "embedded"]),
    host: z.string().nullable(),
    name: z.string(),
  }),
  regions: z.array(regionResidency),
  locations: z.array(locationResidency),
});
export type ResidencyReport = z.infer<typeof residencyReport>;
