/** SQL of demand-based copays: rules, caps per plan, assistance flags, booked prices, the event cursor. */
import type { Generated, Insertable, Selectable } from "kysely";
import type { Executor } from "../../../platform/db.js";
import type { PriceCap, PricingRule, PricingRuleKind } from "./price.js";

export type PricingTables = {
  pricing_rules: {
    id: Generated<string>;
    location_id: string;
    appointment_type_id: string | null;
    kind: PricingRuleKind;
    weekdays: number[];
    start_time: string;
    end_time: string;
    utilisation_threshold: string | number;
    percent: number;
    active: Generated<boolean>;
    created_by: string;
    created_at: Generated<Date>;
  };
  pricing_caps: { plan: string; max_surcharge_cents: number; max_discount_cents: number; updated_at: Date };
  pricing_assistance: { patient_id: string; set_by: string; set_at: Date };
  appointment_prices: {
    appointment_id: string;
    location_id: string;
    base_cents: number;
    price_cents: number;
    rule_ids: string[];
    plan: string;
    utilisation: string | number;
    reason: string;
    recorded_at: Date;
  };
  pricing_cursor: { id: number; seq: string | number };
};

export type RuleRow = Selectable<PricingTables["pricing_rules"]>;
export type PriceRow = PricingTables["appointment_prices"];

const q = (db: Executor) => db.withTables<PricingTables>();

export const toRule = (r: RuleRow): PricingRule & { createdAt: Date } => ({
  id: r.id,
  locationId: r.location_id,
  appointmentTypeId: r.appointment_type_id,
  kind: r.kind,
  weekdays: r.weekdays.map(Number),
  startTime: r.start_time,
  endTime: r.end_time,
  utilisationThreshold: Number(r.utilisation_threshold),
  percent: r.percent,
  active: r.active,
  createdAt: r.created_at,
});

export const pricingRepository = {
  async insertRule(db: Executor, row: Insertable<PricingTables["pricing_rules"]>): Promise<RuleRow> {
    return q(db).insertInto("pricing_rules").values(row).returningAll().executeTakeFirstOrThrow();
  },

  async rules(
    db: Executor,
    filter: { locationId?: string; limit: number; offset: number },
  ): Promise<{ rows: RuleRow[]; total: number }> {
    let base = q(db).selectFrom("pricing_rules");
    if (filter.locationId) base = base.where("location_id", "=", filter.locationId);
    const [rows, count] = await Promise.all([
      base
        .selectAll()
        .orderBy("created_at")
        .orderBy("id")
        .limit(filter.limit)
        .offset(filter.offset)
        .execute(),
      base.select((eb) => eb.fn.countAll<string>().as("n")).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.n) };
  },

  /** The active rules of a location (what a price reads). */
  async activeAt(db: Executor, locationId: string): Promise<RuleRow[]> {
    return q(db)
      .selectFrom("pricing_rules")
      .selectAll()
      .where("location_id", "=", locationId)
      .where("active", "=", true)
      .execute();
  },

  async rule(db: Executor, id: string, forUpdate = false): Promise<RuleRow | undefined> {
    let s = q(db).selectFrom("pricing_rules").selectAll().where("id", "=", id);
    if (forUpdate) s = s.forUpdate();
    return s.executeTakeFirst();
  },

  async setActive(db: Executor, id: string, active: boolean): Promise<RuleRow> {
    return q(db)
      .updateTable("pricing_rules")
      .set({ active })
      .where("id", "=", id)
      .returningAll()
      .executeTakeFirstOrThrow();
  },

  async caps(db: Executor): Promise<PricingTables["pricing_caps"][]> {
    return q(db).selectFrom("pricing_caps").selectAll().orderBy("plan").execute();
  },

  /** The plan's caps, else the default plan's, else none. */
  async capFor(db: Executor, plan: string): Promise<PriceCap | undefined> {
    const rows = await q(db)
      .selectFrom("pricing_caps")
      .selectAll()
      .where("plan", "in", [plan, "default"])
      .execute();
    const r = rows.find((x) => x.plan === plan) ?? rows.find((x) => x.plan === "default");
    return r && { maxSurchargeCents: r.max_surcharge_cents, maxDiscountCents: r.max_discount_cents };
  },

  async putCap(db: Executor, plan: string, cap: PriceCap, now: Date): Promise<void> {
    const values = {
      plan,
      max_surcharge_cents: cap.maxSurchargeCents,
      max_discount_cents: cap.maxDiscountCents,
      updated_at: now,
    };
    await q(db)
      .insertInto("pricing_caps")
      .values(values)
      .onConflict((oc) => oc.column("plan").doUpdateSet(values))
      .execute();
  },

  async assisted(db: Executor, patientId: string): Promise<boolean> {
    const r = await q(db)
      .selectFrom("pricing_assistance")
      .select("patient_id")
      .where("patient_id", "=", patientId)
      .executeTakeFirst();
    return r !== undefined;
  },

  async setAssisted(db: Executor, patientId: string, flagged: boolean, by: string, now: Date): Promise<void> {
    if (flagged)
      await q(db)
        .insertInto("pricing_assistance")
        .values({ patient_id: patientId, set_by: by, set_at: now })
        .onConflict((oc) => oc.column("patient_id").doNothing())
        .execute();
    else await q(db).deleteFrom("pricing_assistance").where("patient_id", "=", patientId).execute();
  },

  async price(db: Executor, appointmentId: string): Promise<PriceRow | undefined> {
    return q(db)
      .selectFrom("appointment_prices")
      .selectAll()
      .where("appointment_id", "=", appointmentId)
      .executeTakeFirst();
  },

  /** Keeps the first price recorded for an appointment (a replayed event changes nothing). */
  async insertPrice(db: Executor, row: PriceRow): Promise<boolean> {
    const r = await q(db)
      .insertInto("appointment_prices")
      .values(row)
      .onConflict((oc) => oc.column("appointment_id").doNothing())
      .returning("appointment_id")
      .executeTakeFirst();
    return r !== undefined;
  },

  /** The cursor, locked: one recorder pass at a time across replicas. */
  async lockCursor(db: Executor): Promise<number> {
    const r = await q(db)
      .selectFrom("pricing_cursor")
      .select("seq")
      .where("id", "=", 1)
      .forUpdate()
      .executeTakeFirstOrThrow();
    return Number(r.seq);
  },

  async moveCursor(db: Executor, seq: number): Promise<void> {
    await q(db).updateTable("pricing_cursor").set({ seq }).where("id", "=", 1).execute();
  },
};
