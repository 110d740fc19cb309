/**
 * Data residency's settings (README.md, "Operating Rounds: data residency"): the tablespace each
 * region's partitions are placed in, and the regions each partner may be sent data of. Part of
 * `config.ts`'s schema.
 */
import { z } from "zod";

const REGION = /^[a-z]{2}(-[a-z0-9]+)?$/;
const TABLESPACE = /^[a-z_][a-z0-9_]{0,62}$/;

/** The partners a location's data is sent to, each limited by ROUNDS_<PARTNER>_REGIONS. */
export const RESIDENCY_PARTNERS = ["hl7", "pharmacy", "transport", "payer", "emr"] as const;
export type ResidencyPartner = (typeof RESIDENCY_PARTNERS)[number];

export interface ResidencyConfig {
  /** region → the PostgreSQL tablespace its partitions live in (ROUNDS_RESIDENCY_TABLESPACES). */
  tablespaces: Record<string, string>;
  /** partner → the regions whose data it may receive; absent: every region. */
  partnerRegions: Partial<Record<ResidencyPartner, readonly string[]>>;
}

const regionList = z
  .string()
  .transform((v) =>
    v
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .pipe(
    z
      .array(z.string().regex(REGION, "must be region tags such as us-east,us-west separated by commas"))
      .min(1, "must name at least one region")
      .max(50),
  )
  .optional()
  .describe("default: every region");

export const residencyEnv = {
  ROUNDS_RESIDENCY_TABLESPACES: z
    .string()
    .transform((v, ctx) => {
      const map: Record<string, string> = {};
      for (const pair of v
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)) {
        const [region = "", tablespace = "", ...rest] = pair.split("=").map((s) => s.trim());
        if (!REGION.test(region) || !TABLESPACE.test(tablespace) || rest.length || region in map) {
          ctx.addIssue({
            code: "custom",
            message: "must be region=tablespace pairs such as us-east=rounds_us_east,us-west=rounds_us_west",
          });
          return z.NEVER;
        }
        map[region] = tablespace;
      }
      return map;
    })
    .optional()
    .describe("default: every region in the database's default tablespace"),
  ROUNDS_HL7_REGIONS: regionList,
  ROUNDS_PHARMACY_REGIONS: regionList,
  ROUNDS_TRANSPORT_REGIONS: regionList,
  ROUNDS_PAYER_REGIONS: regionList,
  ROUNDS_EMR_REGIONS: regionList,
};

type ResidencyEnv = z.output<z.ZodObject<typeof residencyEnv>>;

export const toResidencyConfig = (e: ResidencyEnv): ResidencyConfig => {
  const partnerRegions: ResidencyConfig["partnerRegions"] = {};
  const lists = {
    hl7: e.ROUNDS_HL7_REGIONS,
    pharmacy: e.ROUNDS_PHARMACY_REGIONS,
    transport: e.ROUNDS_TRANSPORT_REGIONS,
    payer: e.ROUNDS_PAYER_REGIONS,
    emr: e.ROUNDS_EMR_REGIONS,
  };
  for (const p of RESIDENCY_PARTNERS) {
    const list = lists[p];
    if (list) partnerRegions[p] = [...new Set(list)];
  }
  return { tablespaces: e.ROUNDS_RESIDENCY_TABLESPACES ?? {}, partnerRegions };
};
