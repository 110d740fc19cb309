/** Overbooking rules per location (migration 0035). SQL only. */
import type { Executor } from "../../platform/db.js";

type OverbookingTables = {
  overbooking_rules: {
    location_id: string;
    enabled: boolean;
    threshold: string | number;
    offer_to_patients: boolean;
    updated_at: Date;
    updated_by: string | null;
  };
};
const q = (db: Executor) => db.withTables<OverbookingTables>();

export interface StoredRule {
  enabled: boolean;
  threshold: number;
  offerToPatients: boolean;
  updatedAt: Date;
}

const toRule = (row: {
  enabled: boolean;
  threshold: string | number;
  offer_to_patients: boolean;
  updated_at: Date;
}): StoredRule => ({
  enabled: row.enabled,
  threshold: Number(row.threshold),
  offerToPatients: row.offer_to_patients,
  updatedAt: row.updated_at,
});

export const overbookingRepository = {
  async get(db: Executor, locationId: string): Promise<StoredRule | undefined> {
    const row = await q(db)
      .selectFrom("overbooking_rules")
      .select(["enabled", "threshold", "offer_to_patients", "updated_at"])
      .where("location_id", "=", locationId)
      .executeTakeFirst();
    return row && toRule(row);
  },

  /** The rules that are on, by location (a search offers extra seats only there). */
  async enabled(db: Executor): Promise<Map<string, StoredRule>> {
    const rows = await q(db)
      .selectFrom("overbooking_rules")
      .select(["location_id", "enabled", "threshold", "offer_to_patients", "updated_at"])
      .where("enabled", "=", true)
      .execute();
    return new Map(rows.map((r) => [r.location_id, toRule(r)]));
  },

  /** The rule as it was before (undefined: never set), for the audit trail, then the new one. */
  async put(
    db: Executor,
    locationId: string,
    rule: { enabled: boolean; threshold: number; offerToPatients: boolean },
    by: string | null,
    at: Date,
  ): Promise<void> {
    const values = {
      enabled: rule.enabled,
      threshold: rule.threshold,
      offer_to_patients: rule.offerToPatients,
    };
    await q(db)
      .insertInto("overbooking_rules")
      .values({ location_id: locationId, ...values, updated_at: at, updated_by: by })
      .onConflict((oc) => oc.column("location_id").doUpdateSet({ ...values, updated_at: at, updated_by: by }))
      .execute();
  },
};
