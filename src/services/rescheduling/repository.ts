import type { Generated, Selectable } from "kysely";
import type { Executor } from "../../platform/db.js";
import { pageOf } from "../../platform/paging.js";

export type ReschedulingTables = {
  reschedule_plans: {
    id: Generated<string>;
    physician_id: string;
    change: unknown;
    plan_stamp: string;
    status: Generated<string>;
    items: unknown;
    created_by: string;
    created_at: Generated<Date>;
    expires_at: Date;
    applied_by: string | null;
    applied_at: Date | null;
  };
  reschedule_outcomes: {
    plan_id: string;
    appointment_id: string;
    location_id: string;
    patient_id: string;
    starts_at: Date;
    policy: string;
    state: string;
    new_appointment_id: string | null;
    note: string | null;
    resolved_at: Date | null;
  };
};
export type PlanRow = Selectable<ReschedulingTables["reschedule_plans"]>;
export type OutcomeRow = Selectable<ReschedulingTables["reschedule_outcomes"]>;

const q = (db: Executor) => db.withTables<ReschedulingTables>();

export const reschedulingRepository = {
  insertPlan(
    db: Executor,
    row: Pick<PlanRow, "physician_id" | "change" | "plan_stamp" | "items" | "created_by" | "expires_at">,
  ): Promise<PlanRow> {
    return q(db)
      .insertInto("reschedule_plans")
      .values({ ...row, change: JSON.stringify(row.change), items: JSON.stringify(row.items) })
      .returningAll()
      .executeTakeFirstOrThrow();
  },
  getPlan(db: Executor, id: string, forUpdate = false): Promise<PlanRow | undefined> {
    let query = q(db).selectFrom("reschedule_plans").selectAll().where("id", "=", id);
    if (forUpdate) query = query.forUpdate();
    return query.executeTakeFirst();
  },
  markApplied(db: Executor, id: string, by: string, at: Date): Promise<PlanRow> {
    return q(db)
      .updateTable("reschedule_plans")
      .set({ status: "applied", applied_by: by, applied_at: at })
      .where("id", "=", id)
      .returningAll()
      .executeTakeFirstOrThrow();
  },
  async insertOutcomes(db: Executor, rows: OutcomeRow[]): Promise<void> {
    if (rows.length) await q(db).insertInto("reschedule_outcomes").values(rows).execute();
  },
  outcomesOf(db: Executor, planId: string): Promise<OutcomeRow[]> {
    return q(db).selectFrom("reschedule_outcomes").selectAll().where("plan_id", "=", planId).execute();
  },
  handovers(db: Executor, locationId: string, page: { limit: number; offset: number }) {
    const query = q(db)
      .selectFrom("reschedule_outcomes")
      .where("location_id", "=", locationId)
      .where("state", "=", "needs_attention")
      .where("resolved_at", "is", null);
    return pageOf(query, query.selectAll().orderBy("starts_at").orderBy("appointment_id"), page);
  },
};
