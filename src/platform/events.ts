/**
 * Schedule changes as events, written in the same transaction as the change (an outbox), so a
 * reader never sees an event for a change that rolled back and never misses one that committed.
 * `pg_notify` wakes listeners on every replica once the transaction commits.
 */
import { sql } from "kysely";
import type { Executor } from "./db.js";

export const EVENTS_CHANNEL = "rounds_events";

export type ScheduleEventType =
  | "appointment.held"
  | "appointment.booked"
  | "appointment.cancelled"
  | "appointment.rescheduled"
  | "appointment.status_changed"
  /** A freed slot was held for a waiting patient and offered to them (the appointment is the hold). */
  | "waitlist.offered"
  /**
   * A physician's schedule may have opened time (a new weekly template or temporary assignment,
   * time off removed): no appointment and no patient; `locationId` is empty when it may be any of
   * theirs, and the payload's `from`/`to` bound the time (`to` null: open-ended).
   */
  | "schedule.opened"
  /** An alternative is held for the patient of an appointment a schedule change made impossible. */
  | "reschedule.offered";

export interface ScheduleEventInput {
  type: ScheduleEventType;
  appointmentId: string;
  patientId: string;
  physicianId: string;
  locationId: string;
  payload?: Record<string, unknown>;
}

export interface ScheduleEvent extends ScheduleEventInput {
  seq: number;
  id: string;
  occurredAt: string;
  payload: Record<string, unknown>;
}

export async function publish(tx: Executor, e: ScheduleEventInput): Promise<void> {
  // one round trip: the notification is delivered at commit and dropped on rollback
  await sql`
    WITH inserted AS (
      INSERT INTO schedule_events (type, appointment_id, patient_id, physician_id, location_id, payload)
      VALUES (${e.type}, ${e.appointmentId}, ${e.patientId}, ${e.physicianId}, ${e.locationId}, ${JSON.stringify(e.payload ?? {})})
      RETURNING seq
    )
    SELECT pg_notify(${EVENTS_CHANNEL}, '') FROM inserted`.execute(tx);
}

/**
 * Tells the outbox that a physician's schedule may have opened time between `from` and `to`
 * (null: open-ended), at one location or (null) any; waiting patients may now fit there.
 */
export async function publishScheduleOpened(
  tx: Executor,
  e: { physicianId: string; locationId: string | null; from: Date; to: Date | null; reason: string },
): Promise<void> {
  const payload = { from: e.from.toISOString(), to: e.to?.toISOString() ?? null, reason: e.reason };
  await sql`
    WITH inserted AS (
      INSERT INTO schedule_events (type, physician_id, location_id, payload)
      VALUES ('schedule.opened', ${e.physicianId}, ${e.locationId}, ${JSON.stringify(payload)})
      RETURNING seq
    )
    SELECT pg_notify(${EVENTS_CHANNEL}, '') FROM inserted`.execute(tx);
}

/** Events after `afterSeq`, oldest first. */
export async function eventsAfter(db: Executor, afterSeq: number, limit = 500): Promise<ScheduleEvent[]> {
  const rows = await sql<{
    seq: number;
    id: string;
    occurred_at: Date;
    type: ScheduleEventType;
    appointment_id: string;
    patient_id: string;
    physician_id: string;
    location_id: string;
    payload: Record<string, unknown> | string;
  }>`SELECT * FROM schedule_events WHERE seq > ${afterSeq} ORDER BY seq LIMIT ${limit}`.execute(db);
  return rows.rows.map((r) => ({
    seq: Number(r.seq),
    id: r.id,
    occurredAt: r.occurred_at.toISOString(),
    type: r.type,
    appointmentId: r.appointment_id,
    patientId: r.patient_id,
    physicianId: r.physician_id,
    locationId: r.location_id,
    payload: typeof r.payload === "string" ? (JSON.parse(r.payload) as Record<string, unknown>) : r.payload,
  }));
}

export async function latestSeq(db: Executor): Promise<number> {
  const r = await sql<{ seq: number | null }>`SELECT max(seq) AS seq FROM schedule_events`.execute(db);
  return Number(r.rows[0]?.seq ?? 0);
}
