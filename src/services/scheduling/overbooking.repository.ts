/** Overbooking rules per location (migration 0035). SQL only. */
import type { Executor } from "../../platform/db.js";

type OverbookingTables = {
  overbooking_rules: {
    location_id: string;
    enabled: boolean;
    threshold: string | number;
    updated_at: Date;
    updated_by: string | null;
  };
};
const q = (db: Executor) => db.withTables<OverbookingTables>();

export interface StoredRule {
  enabled: boolean;
  threshold: number;
  updatedAt: Date;
}

export const overbookingRepository = {
  async get(db: Executor, locationId: string): Promise<StoredRule | undefined> {
    const row = await q(db)
      .selectFrom("overbooking_rules")
      .select(["enabled", "threshold", "updated_at"])
      .where("location_id", "=", locationId)
      .executeTakeFirst();
    return row && { enabled: row.enabled, threshold: Number(row.threshold), updatedAt: row.updated_at };
  },

  /** The rule as it was before (undefined: never set), for the audit trail, then the new one. */
  async put(
    db: Executor,
    locationId: string,
    rule: { enabled: boolean; threshold: number },
    by: string | null,
    at: Date,
  ): Promise<void> {
    await q(db)
      .insertInto("overbooking_rules")
      .values({ location_id: locationId, ...rule, updated_at: at, updated_by: by })
      .onConflict((oc) => oc.column("location_id").doUpdateSet({ ...rule, updated_at: at, updated_by: by }))
      .execute();
  },
};
