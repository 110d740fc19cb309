/** SQL of the eligibility adapter's own tables (migrations/0050_eligibility.sql). */
import { type Generated, type Selectable, sql } from "kysely";
import type { Executor } from "../../platform/db.js";
import type { Benefit } from "./x12.js";

export type CheckStatus =
  | "pending"
  | "verified_active"
  | "inactive"
  | "not_found"
  | "not_verified"
  /** the payer is limited to other regions (ROUNDS_PAYER_REGIONS): never asked */
  | "withheld";

export type EligibilityTables = {
  patient_coverages: {
    patient_id: string;
    payer_id: string;
    payer_name: string;
    member_id: string;
    group_number: string | null;
    plan_name: string | null;
    updated_at: Generated<Date>;
    updated_by: string | null;
  };
  eligibility_cursor: { name: string; seq: number | string };
  eligibility_checks: {
    id: Generated<string>;
    appointment_id: string;
    patient_id: string;
    location_id: string;
    service_type: string;
    status: Generated<CheckStatus>;
    reason: string | null;
    payer_id: string | null;
    payer_name: string | null;
    member_id: string | null;
    plan_name: string | null;
    copay_cents: number | null;
    deductible_cents: number | null;
    deductible_remaining_cents: number | null;
    benefits: Generated<Benefit[] | string>;
    trace: string | null;
    attempts: Generated<number>;
    next_attempt_at: Date | null;
    claimed_until: Date | null;
    claim: string | null;
    checked_at: Date | null;
    created_at: Generated<Date>;
    /** the location's region: the partition the row lives in (migrations/0056) */
    region: string;
  };
};
/** A row's region is its location's (the partition it is written to). */
const regionOf = (locationId: string) =>
  sql<string>`(SELECT data_residency FROM locations WHERE id = ${locationId})`;

export type CoverageRow = Selectable<EligibilityTables["patient_coverages"]>;
export type CheckRow = Selectable<EligibilityTables["eligibility_checks"]>;

/** What a finished attempt writes over the check. */
export interface Outcome {
  status: Exclude<CheckStatus, "pending">;
  reason: string | null;
  payer_id: string | null;
  payer_name: string | null;
  member_id: string | null;
  plan_name: string | null;
  copay_cents: number | null;
  deductible_cents: number | null;
  deductible_remaining_cents: number | null;
  benefits: Benefit[];
  trace: string | null;
  next_attempt_at: Date | null;
  checked_at: Date;
}

const q = (db: Executor) => db.withTables<EligibilityTables>();
const CURSOR = "booked";

export const eligibilityRepository = {
  coverageOf: (db: Executor, patientId: string): Promise<CoverageRow | undefined> =>
    q(db).selectFrom("patient_coverages").selectAll().where("patient_id", "=", patientId).executeTakeFirst(),
  async putCoverage(db: Executor, row: Omit<CoverageRow, "updated_at">, now: Date): Promise<CoverageRow> {
    return q(db)
      .insertInto("patient_coverages")
      .values({ ...row, updated_at: now })
      .onConflict((oc) => oc.column("patient_id").doUpdateSet({ ...row, updated_at: now }))
      .returningAll()
      .executeTakeFirstOrThrow();
  },
  async deleteCoverage(db: Executor, patientId: string): Promise<boolean> {
    const r = await q(db)
      .deleteFrom("patient_coverages")
      .where("patient_id", "=", patientId)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  },

  async readCursor(db: Executor): Promise<number | undefined> {
    const row = await q(db)
      .selectFrom("eligibility_cursor")
      .select("seq")
      .where("name", "=", CURSOR)
      .executeTakeFirst();
    return row ? Number(row.seq) : undefined;
  },
  /** The cursor, locked until the caller's transaction ends (one replica queues at a time). */
  async lockCursor(db: Executor): Promise<number | undefined> {
    const row = await q(db)
      .selectFrom("eligibility_cursor")
      .select("seq")
      .where("name", "=", CURSOR)
      .forUpdate()
      .executeTakeFirst();
    return row ? Number(row.seq) : undefined;
  },
  async initCursor(db: Executor, seq: number): Promise<void> {
    await q(db)
      .insertInto("eligibility_cursor")
      .values({ name: CURSOR, seq })
      .onConflict((oc) => oc.column("name").doNothing())
      .execute();
  },
  async setCursor(db: Executor, seq: number): Promise<void> {
    await q(db).updateTable("eligibility_cursor").set({ seq }).where("name", "=", CURSOR).execute();
  },

  /** A check due now for a booked appointment (once per appointment). */
  async queue(
    db: Executor,
    c: Pick<CheckRow, "appointment_id" | "patient_id" | "location_id" | "service_type">,
    now: Date,
  ): Promise<void> {
    await q(db)
      .insertInto("eligibility_checks")
      .values({ ...c, next_attempt_at: now, region: regionOf(c.location_id) })
      .onConflict((oc) => oc.columns(["appointment_id", "region"]).doNothing())
      .execute();
  },
  /** The patient's coverage changed: their upcoming appointments are checked again from the start. */
  async requeuePatient(db: Executor, patientId: string, now: Date): Promise<number> {
    const r = await sql`
      UPDATE eligibility_checks c SET status = 'pending', reason = NULL, attempts = 0, next_attempt_at = ${now}
      FROM appointments a
      WHERE c.patient_id = ${patientId} AND a.id = c.appointment_id
        AND a.status IN ('booked', 'checked_in') AND a.ends_at > ${now}`.execute(db);
    return Number(r.numAffectedRows ?? 0);
  },
  /**
   * Claims due checks for `leaseMs` under a claim token (SKIP LOCKED: two replicas never take the
   * same one; a worker that dies leaves its claim to run out).
   */
  async claimDue(
    db: Executor,
    now: Date,
    leaseMs: number,
    limit: number,
    claim: string,
  ): Promise<CheckRow[]> {
    const until = new Date(now.getTime() + leaseMs);
    const r = await sql<CheckRow>`
      UPDATE eligibility_checks SET claimed_until = ${until}, claim = ${claim}, attempts = attempts + 1
      WHERE id IN (
        SELECT id FROM eligibility_checks
        WHERE next_attempt_at <= ${now} AND (claimed_until IS NULL OR claimed_until < ${now})
        ORDER BY next_attempt_at
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED)
      RETURNING *`.execute(db);
    return r.rows;
  },
  /** Takes the appointment's check for an on-demand attempt (a worker's claim on it lapses unheard). */
  async claimNow(
    db: Executor,
    c: Pick<CheckRow, "appointment_id" | "patient_id" | "location_id" | "service_type">,
    now: Date,
    leaseMs: number,
    claim: string,
  ): Promise<CheckRow> {
    const until = new Date(now.getTime() + leaseMs);
    return q(db)
      .insertInto("eligibility_checks")
      .values({
        ...c,
        next_attempt_at: null,
        claimed_until: until,
        claim,
        attempts: 1,
        region: regionOf(c.location_id),
      })
      .onConflict((oc) =>
        oc.columns(["appointment_id", "region"]).doUpdateSet((eb) => ({
          service_type: c.service_type,
          claimed_until: until,
          claim,
          attempts: eb("eligibility_checks.attempts", "+", 1),
        })),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
  },
  /** Writes an attempt's outcome, only while the claim is still the writer's. */
  async finish(db: Executor, id: string, claim: string, o: Outcome): Promise<CheckRow | undefined> {
    return q(db)
      .updateTable("eligibility_checks")
      .set({ ...o, benefits: JSON.stringify(o.benefits), claimed_until: null, claim: null })
      .where("id", "=", id)
      .where("claim", "=", claim)
      .returningAll()
      .executeTakeFirst();
  },
  /** Nothing more to do for a check (its appointment is gone or past): kept as it stands. */
  async retire(db: Executor, id: string, claim: string): Promise<void> {
    await q(db)
      .updateTable("eligibility_checks")
      .set((eb) => ({
        next_attempt_at: null,
        claimed_until: null,
        claim: null,
        attempts: eb("attempts", "-", 1),
      }))
      .where("id", "=", id)
      .where("claim", "=", claim)
      .execute();
  },
  checkOf: (db: Executor, appointmentId: string): Promise<CheckRow | undefined> =>
    q(db)
      .selectFrom("eligibility_checks")
      .selectAll()
      .where("appointment_id", "=", appointmentId)
      .executeTakeFirst(),
  /** The patient's active answers since `since`, newest first (the copay before booking). */
  activeSince: (db: Executor, patientId: string, since: Date): Promise<CheckRow[]> =>
    q(db)
      .selectFrom("eligibility_checks")
      .selectAll()
      .where("patient_id", "=", patientId)
      .where("status", "=", "verified_active")
      .where("checked_at", ">=", since)
      .orderBy("checked_at", "desc")
      .limit(20)
      .execute(),
};
