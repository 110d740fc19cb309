/**
 * The recorded copays as other parts of analytics read them (the revenue report's patient share):
 * what the recorder kept per appointment, and how far through the schedule events it has got.
 */
import type { Executor } from "../../../platform/db.js";
import type { PricingTables } from "./repository.js";

/** Appointment ids per statement (parameters stay well under PostgreSQL's limit). */
const CHUNK = 1000;

export interface CopayReads {
  /** The recorded copay (cents) of each of these appointments that has one. */
  copays(db: Executor, appointmentIds: readonly string[]): Promise<Map<string, number>>;
  /** The last schedule event the recorder has read: every booking up to it has its copay, if any. */
  recordedThrough(db: Executor): Promise<number>;
}

export const copayReads: CopayReads = {
  async copays(db, appointmentIds) {
    const out = new Map<string, number>();
    for (let i = 0; i < appointmentIds.length; i += CHUNK) {
      const rows = await db
        .withTables<PricingTables>()
        .selectFrom("appointment_prices")
        .select(["appointment_id", "price_cents"])
        .where("appointment_id", "in", appointmentIds.slice(i, i + CHUNK))
        .execute();
      for (const r of rows) out.set(r.appointment_id, Number(r.price_cents));
    }
    return out;
  },
  async recordedThrough(db) {
    const r = await db
      .withTables<PricingTables>()
      .selectFrom("pricing_cursor")
      .select("seq")
      .where("id", "=", 1)
      .executeTakeFirst();
    return Number(r?.seq ?? 0);
  },
};
