/**
 * Reading the schedule_events outbox in seq order without ever stepping over an event.
 *
 * seq is drawn when a transaction inserts its event, but transactions commit in any order: seq 11
 * can be visible while seq 10's transaction is still running, and a reader that moved its cursor
 * to 11 would never see 10. So a read first takes a horizon: the sequence's last value, and the
 * transactions that are writing to schedule_events right now (any transaction that has drawn a
 * seq holds a RowExclusiveLock on the table until it ends). Once those transactions have ended,
 * every seq up to the horizon is final: committed and visible, or rolled back for good. Waiting
 * is for concurrent event writers only (milliseconds), not for unrelated long transactions.
 * (Read by the notification worker and the HL7 sender alike.)
 */
import { sql } from "kysely";
import type { Executor } from "./db.js";
import type { ScheduleEvent, ScheduleEventType } from "./events.js";

interface Row {
  seq: number | string;
  id: string;
  occurred_at: Date | string;
  type: ScheduleEventType;
  appointment_id: string;
  patient_id: string;
  physician_id: string;
  location_id: string;
  payload: Record<string, unknown> | string;
}

const toEvent = (r: Row): ScheduleEvent => ({
  seq: Number(r.seq),
  id: r.id,
  occurredAt: new Date(r.occurred_at).toISOString(),
  type: r.type,
  appointmentId: r.appointment_id,
  patientId: r.patient_id,
  physicianId: r.physician_id,
  locationId: r.location_id,
  payload: typeof r.payload === "string" ? (JSON.parse(r.payload) as Record<string, unknown>) : r.payload,
});

const writersOf = sql`
  FROM pg_locks
  WHERE locktype = 'relation' AND relation = 'schedule_events'::regclass AND mode = 'RowExclusiveLock'
    AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
    AND pid <> pg_backend_pid()`;

/** The last seq handed out (committed or not); 0 before the first event. */
export async function lastSeq(db: Executor): Promise<number> {
  const r = await sql<{ last_value: number | string; is_called: boolean }>`
    SELECT last_value, is_called FROM schedule_events_seq_seq`.execute(db);
  const s = r.rows[0];
  return s?.is_called ? Number(s.last_value) : 0;
}

/**
 * Waits until the transactions writing events right now have ended; false when they did not
 * within `waitMs`. Call it after reading `lastSeq`: whoever drew a seq up to that value is then
 * either finished or among the writers waited for.
 */
export async function writersFinished(db: Executor, waitMs = 2000): Promise<boolean> {
  const writers = await sql<{
    vxid: string;
  }>`SELECT DISTINCT virtualtransaction AS vxid ${writersOf}`.execute(db);
  const vxids = writers.rows.map((w) => w.vxid);
  const deadline = Date.now() + waitMs;
  while (vxids.length) {
    const still = await sql<{ n: number | string }>`
      SELECT count(*) AS n ${writersOf} AND virtualtransaction = ANY(${vxids}::text[])`.execute(db);
    if (Number(still.rows[0]?.n ?? 0) === 0) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 5));
  }
  return true;
}

export interface OutboxRead {
  events: ScheduleEvent[];
  /**
   * How far the reader may move its cursor: to the horizon when it read everything up to it (a
   * rolled-back seq is then skipped too), to the last event of a full batch, or nowhere while
   * writers are unfinished.
   */
  through: number;
  /** False when event writers were still busy: there may be more to read right away. */
  settled: boolean;
}

/** Final events after `afterSeq`, oldest first. */
export async function readAfter(db: Executor, afterSeq: number, limit = 200): Promise<OutboxRead> {
  const upTo = await lastSeq(db);
  // nothing new is the common case, and costs one small query
  if (upTo <= afterSeq) return { events: [], through: afterSeq, settled: true };
  if (!(await writersFinished(db))) return { events: [], through: afterSeq, settled: false };
  const r = await sql<Row>`
    SELECT seq, id, occurred_at, type, appointment_id, patient_id, physician_id, location_id, payload
    FROM schedule_events WHERE seq > ${afterSeq} AND seq <= ${upTo}
    ORDER BY seq LIMIT ${limit}`.execute(db);
  const events = r.rows.map(toEvent);
  return { events, through: events.length === limit ? events.at(-1)!.seq : upTo, settled: true };
}

/**
 * "From now on": the newest final seq. A writer stuck for several seconds (an idle transaction
 * holding its insert) is given up on, and its event counts as before "now".
 */
export async function head(db: Executor): Promise<number> {
  const last = await lastSeq(db);
  await writersFinished(db, 5000);
  return last;
}
