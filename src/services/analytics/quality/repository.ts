/** SQL of quality and compliance monitoring: surveys, their links, thresholds and alerts. */
import { type ColumnType, type Generated, type Selectable, sql } from "kysely";
import type { Executor } from "../../../platform/db.js";

export type QualityTables = {
  satisfaction_surveys: {
    id: Generated<string>;
    appointment_id: string;
    patient_id: string;
    location_id: string;
    physician_id: string;
    visit_start: Date;
    sent_at: Date;
    expires_at: Date;
    rating: number | null;
    comment: string | null;
    answered_at: Date | null;
  };
  satisfaction_survey_links: {
    token_hash: Buffer;
    survey_id: string;
    channel: string;
    created_at: Generated<Date>;
  };
  compliance_thresholds: {
    id: number;
    break_glass_review_hours: number;
    refusals_per_account: number;
    refusal_window_hours: number;
    updated_at: Generated<Date>;
    updated_by: string | null;
  };
  compliance_alerts: {
    id: Generated<string>;
    kind: string;
    subject: string;
    // jsonb: read as objects, written as JSON text
    detail: ColumnType<Record<string, unknown>, string, never>;
    raised_at: Date;
    acknowledged_at: Date | null;
    acknowledged_by: string | null;
    acknowledge_note: string | null;
    resolved_at: Date | null;
    resolved_by: string | null;
    resolution_note: string | null;
  };
};
export type SurveyRow = Selectable<QualityTables["satisfaction_surveys"]>;
export type AlertRow = Selectable<QualityTables["compliance_alerts"]>;
export type ThresholdRow = Selectable<QualityTables["compliance_thresholds"]>;

const q = (db: Executor) => db.withTables<QualityTables>();

export interface Visit {
  appointmentId: string;
  patientId: string;
  locationId: string;
  physicianId: string;
  start: Date;
}

export const qualityRepository = {
  /** The visit's survey, created on the first message about it (two messages racing: one row). */
  async surveyFor(db: Executor, v: Visit, sentAt: Date, expiresAt: Date): Promise<SurveyRow> {
    await q(db)
      .insertInto("satisfaction_surveys")
      .values({
        appointment_id: v.appointmentId,
        patient_id: v.patientId,
        location_id: v.locationId,
        physician_id: v.physicianId,
        visit_start: v.start,
        sent_at: sentAt,
        expires_at: expiresAt,
      })
      .onConflict((oc) => oc.column("appointment_id").doNothing())
      .execute();
    return q(db)
      .selectFrom("satisfaction_surveys")
      .selectAll()
      .where("appointment_id", "=", v.appointmentId)
      .executeTakeFirstOrThrow();
  },

  insertLink: (db: Executor, row: { token_hash: Buffer; survey_id: string; channel: string }) =>
    q(db).insertInto("satisfaction_survey_links").values(row).execute(),

  byToken(db: Executor, tokenHash: Buffer, forUpdate = false) {
    const query = q(db)
      .selectFrom("satisfaction_surveys")
      .selectAll()
      .where("id", "in", (eb) =>
        eb.selectFrom("satisfaction_survey_links").select("survey_id").where("token_hash", "=", tokenHash),
      );
    return (forUpdate ? query.forUpdate() : query).executeTakeFirst();
  },

  /** Records the answer unless the survey is already answered; undefined when it was. */
  answer: (db: Executor, id: string, a: { rating: number; comment: string | null; at: Date }) =>
    q(db)
      .updateTable("satisfaction_surveys")
      .set({ rating: a.rating, comment: a.comment, answered_at: a.at })
      .where("id", "=", id)
      .where("answered_at", "is", null)
      .returningAll()
      .executeTakeFirst(),

  /** Answered surveys of visits in [from, to), of a location or a physician. */
  answered(
    db: Executor,
    f: {
      locationId?: string | undefined;
      physicianId?: string | undefined;
      from: Date;
      to: Date;
      limit: number;
    },
  ) {
    let query = q(db)
      .selectFrom("satisfaction_surveys")
      .select(["location_id", "physician_id", "rating", "comment", "answered_at", "visit_start"])
      .where("answered_at", "is not", null)
      .where("visit_start", ">=", f.from)
      .where("visit_start", "<", f.to);
    if (f.locationId) query = query.where("location_id", "=", f.locationId);
    if (f.physicianId) query = query.where("physician_id", "=", f.physicianId);
    return query.orderBy("answered_at", "desc").limit(f.limit).execute();
  },

  thresholds: (db: Executor) =>
    q(db).selectFrom("compliance_thresholds").selectAll().where("id", "=", 1).executeTakeFirstOrThrow(),

  setThresholds: (
    db: Executor,
    t: {
      break_glass_review_hours: number;
      refusals_per_account: number;
      refusal_window_hours: number;
      updated_by: string;
    },
  ) =>
    q(db)
      .updateTable("compliance_thresholds")
      .set({ ...t, updated_at: sql<Date>`now()` })
      .where("id", "=", 1)
      .returningAll()
      .executeTakeFirstOrThrow(),

  /** Inserts the alerts not raised before; returns the ones that are new. */
  async raise(
    db: Executor,
    drafts: ReadonlyArray<{ kind: string; subject: string; detail: Record<string, unknown> }>,
    at: Date,
  ): Promise<AlertRow[]> {
    if (drafts.length === 0) return [];
    return q(db)
      .insertInto("compliance_alerts")
      .values(
        drafts.map((d) => ({
          kind: d.kind,
          subject: d.subject,
          detail: JSON.stringify(d.detail),
          raised_at: at,
        })),
      )
      .onConflict((oc) => oc.columns(["kind", "subject"]).doNothing())
      .returningAll()
      .execute();
  },

  /** Alerts not yet resolved (acknowledged or not), newest first; or the latest resolved ones. */
  alerts: (db: Executor, f: { resolved: boolean; limit: number }) => {
    const query = q(db)
      .selectFrom("compliance_alerts")
      .selectAll()
      .where("resolved_at", f.resolved ? "is not" : "is", null);
    return (f.resolved ? query.orderBy("resolved_at", "desc") : query.orderBy("raised_at", "desc"))
      .orderBy("id")
      .limit(f.limit)
      .execute();
  },

  /** Someone is on it: an open alert, not acknowledged before, is marked with who, when and why. */
  acknowledge: (db: Executor, id: string, by: string, at: Date, note: string | null) =>
    q(db)
      .updateTable("compliance_alerts")
      .set({ acknowledged_at: at, acknowledged_by: by, acknowledge_note: note })
      .where("id", "=", id)
      .where("acknowledged_at", "is", null)
      .where("resolved_at", "is", null)
      .returningAll()
      .executeTakeFirst(),

  /** Closes an unresolved alert with a note; one never acknowledged is acknowledged by the same act. */
  resolve: (db: Executor, id: string, by: string, at: Date, note: string) =>
    q(db)
      .updateTable("compliance_alerts")
      .set((eb) => ({
        acknowledged_at: eb.fn.coalesce("acknowledged_at", sql<Date>`${at}`),
        acknowledged_by: eb.fn.coalesce("acknowledged_by", sql<string>`${by}::uuid`),
        resolved_at: at,
        resolved_by: by,
        resolution_note: note,
      }))
      .where("id", "=", id)
      .where("resolved_at", "is", null)
      .returningAll()
      .executeTakeFirst(),

  alert: (db: Executor, id: string) =>
    q(db).selectFrom("compliance_alerts").selectAll().where("id", "=", id).executeTakeFirst(),
};
