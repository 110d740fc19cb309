import { type Generated, type Selectable, sql } from "kysely";
import type { Executor } from "../../platform/db.js";
import { pageOf } from "../../platform/paging.js";

export type NotificationTables = {
  notification_preferences: {
    patient_id: string;
    email: boolean;
    sms: boolean;
    in_app: boolean;
    language: string;
    quiet_start: string | null;
    quiet_end: string | null;
    quiet_time_zone: string | null;
    updated_at: Generated<Date>;
  };
  notification_jobs: {
    id: Generated<string>;
    kind: string;
    reminder_hours: number | null;
    appointment_id: string;
    patient_id: string;
    channel: string;
    starts_at: Date;
    event_seq: number | null;
    payload: unknown;
    run_at: Date;
    attempts: Generated<number>;
    max_attempts: Generated<number>;
    status: Generated<string>;
    dedupe_key: string;
    last_error: string | null;
    locked_until: Date | null;
    locked_by: string | null;
    sent_at: Date | null;
    provider_message_id: string | null;
    created_at: Generated<Date>;
    updated_at: Generated<Date>;
  };
  notifications: {
    id: Generated<string>;
    patient_id: string;
    appointment_id: string | null;
    job_id: string | null;
    kind: string;
    title: string;
    body: string;
    created_at: Generated<Date>;
    read_at: Date | null;
  };
  event_cursor: {
    consumer: string;
    last_seq: number;
    updated_at: Generated<Date>;
  };
};
export type PreferencesRow = Selectable<NotificationTables["notification_preferences"]>;
export type JobRow = Selectable<NotificationTables["notification_jobs"]>;
export type NotificationRow = Selectable<NotificationTables["notifications"]>;
export type NewJob = Omit<
  NotificationTables["notification_jobs"],
  | "id"
  | "attempts"
  | "max_attempts"
  | "status"
  | "last_error"
  | "locked_until"
  | "locked_by"
  | "sent_at"
  | "provider_message_id"
  | "created_at"
  | "updated_at"
>;

const q = (db: Executor) => db.withTables<NotificationTables>();

export const notificationRepository = {
  preferences(db: Executor, patientId: string): Promise<PreferencesRow | undefined> {
    return q(db)
      .selectFrom("notification_preferences")
      .selectAll()
      .where("patient_id", "=", patientId)
      .executeTakeFirst();
  },
  preferencesOf(db: Executor, patientIds: string[]): Promise<PreferencesRow[]> {
    if (!patientIds.length) return Promise.resolve([]);
    return q(db)
      .selectFrom("notification_preferences")
      .selectAll()
      .where("patient_id", "in", patientIds)
      .execute();
  },
  upsertPreferences(db: Executor, row: Omit<PreferencesRow, "updated_at">): Promise<PreferencesRow> {
    const { patient_id: _id, ...changes } = row;
    return q(db)
      .insertInto("notification_preferences")
      .values(row)
      .onConflict((oc) => oc.column("patient_id").doUpdateSet({ ...changes, updated_at: sql`now()` }))
      .returningAll()
      .executeTakeFirstOrThrow();
  },

  /** Queues jobs; a job whose dedupe key exists already is silently kept as it is. */
  async insertJobs(db: Executor, jobs: NewJob[]): Promise<number> {
    if (!jobs.length) return 0;
    const rows = await q(db)
      .insertInto("notification_jobs")
      .values(jobs.map((j) => ({ ...j, payload: JSON.stringify(j.payload ?? {}) })))
      .onConflict((oc) => oc.column("dedupe_key").doNothing())
      .returning("id")
      .execute();
    return rows.length;
  },
  async hasJob(db: Executor, appointmentId: string, kinds: string[]): Promise<boolean> {
    const row = await q(db)
      .selectFrom("notification_jobs")
      .select("id")
      .where("appointment_id", "=", appointmentId)
      .where("kind", "in", kinds)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  },
  /**
   * Cancels what has not gone out yet for an appointment. A job being sent right now is left to its
   * sender; should it come back unsent, the check before sending finds the appointment changed.
   */
  async cancelPending(db: Executor, appointmentId: string, reason: string, now: Date): Promise<number> {
    const r = await q(db)
      .updateTable("notification_jobs")
      .set({ status: "cancelled", last_error: reason, updated_at: sql`now()` })
      .where("appointment_id", "=", appointmentId)
      .where("status", "=", "pending")
      .where((eb) => eb.or([eb("locked_until", "is", null), eb("locked_until", "<=", now)]))
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  },

  /**
   * Claims due jobs on the channels this worker can send, for `leaseMs`. SKIP LOCKED lets
   * replicas claim side by side without waiting or overlapping; an expired lease is claimable
   * again, which is how a job held by a crashed worker gets sent.
   */
  async claimDue(
    db: Executor,
    opts: { now: Date; channels: string[]; limit: number; leaseMs: number; workerId: string },
  ): Promise<JobRow[]> {
    if (!opts.channels.length) return [];
    const until = new Date(opts.now.getTime() + opts.leaseMs);
    const r = await sql<JobRow>`
      UPDATE notification_jobs SET locked_until = ${until}, locked_by = ${opts.workerId},
        attempts = attempts + 1, updated_at = now()
      WHERE id IN (
        SELECT id FROM notification_jobs
        WHERE status = 'pending' AND run_at <= ${opts.now}
          AND channel IN (${sql.join(opts.channels)})
          AND (locked_until IS NULL OR locked_until <= ${opts.now})
        ORDER BY run_at, id
        LIMIT ${opts.limit}
        FOR UPDATE SKIP LOCKED)
      RETURNING *`.execute(db);
    return r.rows;
  },
  /** Only the worker that still holds the lease may settle a job. */
  async settle(
    db: Executor,
    id: string,
    workerId: string,
    change: {
      status: "pending" | "sent" | "failed" | "cancelled";
      runAt?: Date;
      lastError?: string | null;
      sentAt?: Date;
      providerMessageId?: string | null;
      /** A deferral (quiet hours) is not an attempt. */
      refundAttempt?: boolean;
    },
  ): Promise<boolean> {
    const r = await q(db)
      .updateTable("notification_jobs")
      .set({
        status: change.status,
        ...(change.runAt ? { run_at: change.runAt } : {}),
        ...(change.lastError !== undefined ? { last_error: change.lastError } : {}),
        ...(change.sentAt ? { sent_at: change.sentAt } : {}),
        ...(change.providerMessageId !== undefined ? { provider_message_id: change.providerMessageId } : {}),
        ...(change.refundAttempt ? { attempts: sql`attempts - 1` } : {}),
        locked_until: null,
        locked_by: null,
        updated_at: sql`now()`,
      })
      .where("id", "=", id)
      .where("locked_by", "=", workerId)
      .where("status", "=", "pending")
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },
  /** Pending messages about appointments that have begun are no use to anyone. */
  async cancelStarted(db: Executor, now: Date): Promise<number> {
    const r = await q(db)
      .updateTable("notification_jobs")
      .set({ status: "cancelled", last_error: "the appointment has started", updated_at: sql`now()` })
      .where("status", "=", "pending")
      .where("starts_at", "<=", now)
      // a survey is sent after the visit by design
      .where("kind", "<>", "survey")
      .where((eb) => eb.or([eb("locked_until", "is", null), eb("locked_until", "<=", now)]))
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  },
  async jobs(
    db: Executor,
    f: { appointmentId?: string | undefined; patientId?: string | undefined; status?: string | undefined },
    page: { limit: number; offset: number },
  ): Promise<{ rows: JobRow[]; total: number }> {
    let base = q(db).selectFrom("notification_jobs");
    if (f.appointmentId) base = base.where("appointment_id", "=", f.appointmentId);
    if (f.patientId) base = base.where("patient_id", "=", f.patientId);
    if (f.status) base = base.where("status", "=", f.status);
    return pageOf(base, base.selectAll().orderBy("run_at").orderBy("id"), page);
  },

  /** Delivers an in-app job; the caller has just settled the job as sent, so this runs once per job. */
  async insertNotification(
    db: Executor,
    row: Omit<NotificationRow, "id" | "created_at" | "read_at">,
  ): Promise<void> {
    await q(db).insertInto("notifications").values(row).execute();
  },
  async inbox(
    db: Executor,
    f: {
      patientIds: string[] | undefined;
      unread?: boolean | undefined;
      from?: string | undefined;
      to?: string | undefined;
    },
    page: { limit: number; offset: number },
  ): Promise<{ rows: NotificationRow[]; total: number }> {
    if (f.patientIds && !f.patientIds.length) return { rows: [], total: 0 };
    let base = q(db).selectFrom("notifications");
    if (f.patientIds) base = base.where("patient_id", "in", f.patientIds);
    if (f.unread !== undefined) base = base.where("read_at", f.unread ? "is" : "is not", null);
    if (f.from) base = base.where("created_at", ">=", new Date(f.from));
    if (f.to) base = base.where("created_at", "<", new Date(f.to));
    return pageOf(base, base.selectAll().orderBy("created_at", "desc").orderBy("id"), page);
  },
  notification(db: Executor, id: string): Promise<NotificationRow | undefined> {
    return q(db).selectFrom("notifications").selectAll().where("id", "=", id).executeTakeFirst();
  },
  markRead(db: Executor, id: string, at: Date): Promise<NotificationRow | undefined> {
    return q(db)
      .updateTable("notifications")
      .set((eb) => ({ read_at: eb.fn.coalesce("read_at", sql<Date>`${at}`) }))
      .where("id", "=", id)
      .returningAll()
      .executeTakeFirst();
  },

  /** Where the consumer's cursor stands, without waiting for whoever holds it (metrics). */
  async readCursor(db: Executor, consumer: string): Promise<number | undefined> {
    const row = await q(db)
      .selectFrom("event_cursor")
      .select("last_seq")
      .where("consumer", "=", consumer)
      .executeTakeFirst();
    return row ? Number(row.last_seq) : undefined;
  },
  /** Takes the consumer's cursor for this transaction, or undefined when another replica holds it. */
  async lockCursor(db: Executor, consumer: string): Promise<number | undefined> {
    const row = await q(db)
      .selectFrom("event_cursor")
      .select("last_seq")
      .where("consumer", "=", consumer)
      .forUpdate()
      .skipLocked()
      .executeTakeFirst();
    return row ? Number(row.last_seq) : undefined;
  },
  async advanceCursor(db: Executor, consumer: string, seq: number): Promise<void> {
    await q(db)
      .updateTable("event_cursor")
      .set({ last_seq: seq, updated_at: sql`now()` })
      .where("consumer", "=", consumer)
      .execute();
  },
};
