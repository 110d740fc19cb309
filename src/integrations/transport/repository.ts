/** SQL of the transport adapter's tables (migrations/0052_pharmacy_transport.sql). */
import { sql } from "kysely";
import type { Executor } from "../../platform/db.js";
import type { RideStatus } from "./schema.js";

export type RideAction = "create" | "update" | "cancel" | "poll";

export interface RideRow {
  id: string;
  appointment_id: string;
  patient_id: string;
  location_id: string;
  origin: "home" | "location";
  from_location_id: string | null;
  from_appointment_id: string | null;
  pickup_at: Date;
  travel_minutes: number;
  status: RideStatus;
  remote_id: string | null;
  task_id: string | null;
  pending: RideAction | null;
  attempts: number;
  next_attempt_at: Date;
  claimed_until: Date | null;
  last_error: string | null;
  requested_by: string;
  created_at: Date;
  updated_at: Date;
  /** the location's region: the partition the row lives in (migrations/0056) */
  region: string;
}

/** A ride with the names the screens show. */
export interface RideView extends RideRow {
  patient_name: string;
  location_name: string;
  time_zone: string;
  from_location_name: string | null;
  from_time_zone: string | null;
  starts_at: Date;
}

const VIEW = sql`
  SELECT r.*, p.given_name || ' ' || p.family_name AS patient_name, l.name AS location_name,
         l.time_zone, f.name AS from_location_name, f.time_zone AS from_time_zone, a.starts_at
  FROM rides r
  JOIN patients p ON p.id = r.patient_id
  JOIN locations l ON l.id = r.location_id
  JOIN appointments a ON a.id = r.appointment_id
  LEFT JOIN locations f ON f.id = r.from_location_id`;

export const transportRepository = {
  async need(db: Executor, patientId: string) {
    return (
      await sql<{ needed: boolean; source: "patient" | "staff"; note: string | null }>`
        SELECT needed, source, note FROM transport_needs WHERE patient_id = ${patientId}`.execute(db)
    ).rows[0];
  },
  async setNeed(
    db: Executor,
    n: {
      patientId: string;
      needed: boolean;
      source: "patient" | "staff";
      note: string | null;
      by: string;
      now: Date;
    },
  ): Promise<void> {
    await sql`
      INSERT INTO transport_needs (patient_id, needed, source, note, set_by, set_at)
      VALUES (${n.patientId}, ${n.needed}, ${n.source}, ${n.note}, ${n.by}, ${n.now})
      ON CONFLICT (patient_id) DO UPDATE SET needed = EXCLUDED.needed, source = EXCLUDED.source,
        note = EXCLUDED.note, set_by = EXCLUDED.set_by, set_at = EXCLUDED.set_at`.execute(db);
  },
  async insert(
    db: Executor,
    r: Pick<
      RideRow,
      | "appointment_id"
      | "patient_id"
      | "location_id"
      | "origin"
      | "from_location_id"
      | "from_appointment_id"
      | "pickup_at"
      | "travel_minutes"
      | "requested_by"
    >,
    now: Date,
  ): Promise<string> {
    const row = await sql<{ id: string }>`
      INSERT INTO rides (appointment_id, patient_id, location_id, origin, from_location_id, from_appointment_id,
        pickup_at, travel_minutes, requested_by, pending, next_attempt_at, created_at, updated_at, region)
      VALUES (${r.appointment_id}, ${r.patient_id}, ${r.location_id}, ${r.origin}, ${r.from_location_id},
        ${r.from_appointment_id}, ${r.pickup_at}, ${r.travel_minutes}, ${r.requested_by}, 'create', ${now}, ${now}, ${now},
        (SELECT data_residency FROM locations WHERE id = ${r.location_id}))
      RETURNING id`.execute(db);
    return row.rows[0]!.id;
  },
  async view(db: Executor, id: string): Promise<RideView | undefined> {
    return (await sql<RideView>`${VIEW} WHERE r.id = ${id}`.execute(db)).rows[0];
  },
  async ofPatient(db: Executor, patientId: string): Promise<RideView[]> {
    return (
      await sql<RideView>`${VIEW} WHERE r.patient_id = ${patientId} ORDER BY r.pickup_at DESC LIMIT 100`.execute(
        db,
      )
    ).rows;
  },
  /** Rides to or from the location whose pickup falls in [from, to). */
  async atLocation(db: Executor, locationId: string, from: Date, to: Date): Promise<RideView[]> {
    return (
      await sql<RideView>`${VIEW}
        WHERE (r.location_id = ${locationId} OR r.from_location_id = ${locationId})
          AND r.pickup_at >= ${from} AND r.pickup_at < ${to}
        ORDER BY r.pickup_at, r.id`.execute(db)
    ).rows;
  },
  /** The live ride to an appointment, locked. */
  async liveFor(db: Executor, appointmentId: string): Promise<RideRow | undefined> {
    return (
      await sql<RideRow>`
        SELECT * FROM rides WHERE appointment_id = ${appointmentId} AND status <> 'cancelled' FOR UPDATE`.execute(
        db,
      )
    ).rows[0];
  },
  /** What the transport service must be told next, due now (a newer change replaces an older one). */
  async plan(
    db: Executor,
    id: string,
    change: Partial<
      Pick<RideRow, "appointment_id" | "location_id" | "pickup_at" | "travel_minutes" | "status">
    > & {
      pending: RideAction | null;
    },
    now: Date,
  ): Promise<void> {
    await sql`
      UPDATE rides SET pending = ${change.pending}, attempts = 0, next_attempt_at = ${now}, claimed_until = NULL,
        appointment_id = COALESCE(${change.appointment_id ?? null}::uuid, appointment_id),
        location_id = COALESCE(${change.location_id ?? null}::uuid, location_id),
        -- a ride moved to a location of another region moves to that region's partition
        region = COALESCE((SELECT data_residency FROM locations WHERE id = ${change.location_id ?? null}::uuid), region),
        pickup_at = COALESCE(${change.pickup_at ?? null}::timestamptz, pickup_at),
        travel_minutes = COALESCE(${change.travel_minutes ?? null}::integer, travel_minutes),
        status = COALESCE(${change.status ?? null}, status), updated_at = ${now}
      WHERE id = ${id}`.execute(db);
  },
  /** SKIP LOCKED with a lease: two replicas never work on the same ride. */
  async claim(db: Executor, now: Date, leaseMs: number, limit: number): Promise<RideRow[]> {
    return (
      await sql<RideRow>`
        UPDATE rides SET claimed_until = ${new Date(now.getTime() + leaseMs)}, attempts = attempts + 1
        WHERE id IN (
          SELECT id FROM rides
          WHERE pending IS NOT NULL AND next_attempt_at <= ${now}
            AND (claimed_until IS NULL OR claimed_until < ${now})
          ORDER BY next_attempt_at LIMIT ${limit}
          FOR UPDATE SKIP LOCKED)
        RETURNING *`.execute(db)
    ).rows;
  },
  /**
   * The far side answered the action claimed as `action`; a change planned meanwhile (the
   * appointment moved or was cancelled while we were sending) is left pending.
   */
  async answered(
    db: Executor,
    id: string,
    action: RideAction,
    a: { status: RideStatus; remoteId: string | null; taskId: string | null; nextAt: Date | null; now: Date },
  ): Promise<void> {
    // the service's ids are kept whatever happened meanwhile: a later change is sent to them
    if (a.remoteId || a.taskId)
      await sql`
        UPDATE rides SET remote_id = COALESCE(${a.remoteId}, remote_id), task_id = COALESCE(${a.taskId}, task_id)
        WHERE id = ${id}`.execute(db);
    await sql`
      UPDATE rides SET status = ${a.status}, pending = ${a.nextAt ? "poll" : null},
        next_attempt_at = ${a.nextAt ?? a.now}, attempts = 0, claimed_until = NULL, last_error = NULL,
        updated_at = ${a.now}
      WHERE id = ${id} AND pending = ${action} AND claimed_until IS NOT NULL`.execute(db);
  },
  /** Never sent, and never will be: the service may not receive the location's region's data. */
  async withheld(db: Executor, id: string, reason: string, now: Date): Promise<void> {
    await sql`
      UPDATE rides SET status = 'withheld', pending = NULL, claimed_until = NULL,
        last_error = ${reason.slice(0, 500)}, updated_at = ${now}
      WHERE id = ${id}`.execute(db);
  },
  async failed(
    db: Executor,
    id: string,
    action: RideAction,
    error: string,
    nextAt: Date,
    now: Date,
  ): Promise<void> {
    await sql`
      UPDATE rides SET last_error = ${error.slice(0, 500)}, next_attempt_at = ${nextAt}, claimed_until = NULL,
        updated_at = ${now}
      WHERE id = ${id} AND pending = ${action}`.execute(db);
  },
  async lockCursor(db: Executor): Promise<number> {
    const r = await sql<{
      seq: string | number;
    }>`SELECT seq FROM transport_cursor WHERE id = 1 FOR UPDATE`.execute(db);
    return Number(r.rows[0]?.seq ?? 0);
  },
  async moveCursor(db: Executor, seq: number): Promise<void> {
    await sql`UPDATE transport_cursor SET seq = ${seq} WHERE id = 1`.execute(db);
  },
};
