import { type Generated, type Selectable, sql } from "kysely";
import type { Executor } from "../../platform/db.js";
import { pageOf } from "../../platform/paging.js";

export type ReschedulingTables = {
  reschedule_plans: {
    id: Generated<string>;
    physician_id: string | null;
    room_id: string | null;
    equipment_id: string | null;
    change: unknown;
    plan_stamp: string;
    status: Generated<string>;
    items: unknown;
    created_by: string;
    created_at: Generated<Date>;
    expires_at: Date;
    applied_by: string | null;
    applied_at: Date | null;
    cause: Generated<string>;
  };
  reschedule_outcomes: {
    id: string;
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
    hold_id: string | null;
    offer_expires_at: Date | null;
    answered_at: Date | null;
    answer: string | null;
  };
};
export type PlanRow = Selectable<ReschedulingTables["reschedule_plans"]>;
export type OutcomeRow = Selectable<ReschedulingTables["reschedule_outcomes"]>;

const q = (db: Executor) => db.withTables<ReschedulingTables>();

export const reschedulingRepository = {
  insertPlan(
    db: Executor,
    row: Pick<
      PlanRow,
      | "physician_id"
      | "room_id"
      | "equipment_id"
      | "change"
      | "plan_stamp"
      | "items"
      | "created_by"
      | "expires_at"
      | "cause"
    >,
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
  /** A physician's plans, newest first. */
  plansOf(db: Executor, physicianId: string, page: { limit: number; offset: number }) {
    const query = q(db).selectFrom("reschedule_plans").where("physician_id", "=", physicianId);
    return pageOf(query, query.selectAll().orderBy("created_at", "desc").orderBy("id"), page);
  },
  outcomesOfPlans(db: Executor, planIds: readonly string[]): Promise<OutcomeRow[]> {
    if (!planIds.length) return Promise.resolve([]);
    return q(db).selectFrom("reschedule_outcomes").selectAll().where("plan_id", "in", planIds).execute();
  },
  /** Every outcome at a location, the latest appointments first. */
  outcomesAt(db: Executor, locationId: string, page: { limit: number; offset: number }) {
    const query = q(db).selectFrom("reschedule_outcomes").where("location_id", "=", locationId);
    return pageOf(query, query.selectAll().orderBy("starts_at", "desc").orderBy("appointment_id"), page);
  },
  /** An outcome that made an offer (it holds a slot), by its id. */
  offer(db: Executor, id: string, forUpdate = false): Promise<OutcomeRow | undefined> {
    let query = q(db)
      .selectFrom("reschedule_outcomes")
      .selectAll()
      .where("id", "=", id)
      .where("hold_id", "is not", null);
    if (forUpdate) query = query.forUpdate();
    return query.executeTakeFirst();
  },
  /** The offers made to these patients (undefined: anyone's), open ones first, then the latest. */
  offersFor(
    db: Executor,
    patientIds: readonly string[] | undefined,
    filter: { states?: readonly string[]; answers?: readonly string[]; limit: number; offset: number },
  ) {
    let query = q(db).selectFrom("reschedule_outcomes").where("hold_id", "is not", null);
    if (patientIds)
      query = patientIds.length
        ? query.where("patient_id", "in", patientIds)
        : query.where(sql<boolean>`false`);
    if (filter.states || filter.answers)
      query = query.where((eb) =>
        eb.or([
          ...(filter.states?.length ? [eb("state", "in", filter.states)] : []),
          ...(filter.answers?.length ? [eb("answer", "in", filter.answers)] : []),
        ]),
      );
    return pageOf(
      query,
      query
        .selectAll()
        .orderBy(sql`CASE WHEN state = 'offered' THEN 0 ELSE 1 END`)
        .orderBy("offer_expires_at", "desc")
        .orderBy("id"),
      filter,
    );
  },
  /** Open offers whose time ran out, locked for one replica. */
  lapsedOffers(db: Executor, now: Date, limit: number): Promise<OutcomeRow[]> {
    return q(db)
      .selectFrom("reschedule_outcomes")
      .selectAll()
      .where("state", "=", "offered")
      .where("offer_expires_at", "<=", now)
      .orderBy("offer_expires_at")
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
  },
  /** Closes an offer with the patient's answer (or its expiry). */
  answer(
    db: Executor,
    id: string,
    change: Pick<OutcomeRow, "state" | "answer" | "answered_at" | "new_appointment_id" | "note">,
  ): Promise<OutcomeRow> {
    return q(db)
      .updateTable("reschedule_outcomes")
      .set(change)
      .where("id", "=", id)
      .returningAll()
      .executeTakeFirstOrThrow();
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
