/**
 * What is taken when: active appointments (valid holds included) of physicians, patients, rooms
 * and equipment over a window, as availability, the occupancy cache and booking checks read them.
 * Every scan is bounded by the longest possible appointment (`MAX_APPOINTMENT_MS`).
 */
import { sql } from "kysely";
import { groupBy, push } from "../../platform/collections.js";
import type { Executor } from "../../platform/db.js";
import { MAX_APPOINTMENT_MS } from "./appointments.repository.js";

function groupBusy<K extends string>(
  rows: ReadonlyArray<Record<K, string> & { s: number; e: number }>,
  key: K,
): Map<string, Array<{ start: number; end: number }>> {
  const out = new Map<string, Array<{ start: number; end: number }>>();
  for (const r of rows) push(out, r[key], { start: Number(r.s), end: Number(r.e) });
  return out;
}

export interface TimedAt {
  start: number;
  end: number;
  locationId: string;
}

/** An active booking as the occupancy cache files it. */
export interface BookedRow {
  /** The physician, or the room, it is filed under. */
  owner: string;
  start: number;
  end: number;
  locationId: string;
  /** When a hold lapses; null for anything else. */
  holdUntil: number | null;
}

/**
 * Active bookings filed under a physician or a room, overlapping [from, to): with lapsed holds
 * (the occupancy cache drops them itself as they lapse) or without.
 */
function bookedBy(owner: "physician_id" | "room_id", holds: "lapsed too" | "valid only") {
  const validOnly = holds === "valid only" ? sql`AND (status <> 'held' OR hold_expires_at > now())` : sql``;
  return async (db: Executor, ids: string[], from: Date, to: Date): Promise<BookedRow[]> => {
    if (!ids.length) return [];
    const rows = await sql<{ owner: string; s: number; e: number; l: string; h: number | null }>`
      SELECT ${sql.ref(owner)} AS owner, (extract(epoch FROM starts_at) * 1000)::float8 AS s,
             (extract(epoch FROM ends_at) * 1000)::float8 AS e, location_id AS l,
             (extract(epoch FROM hold_expires_at) * 1000)::float8 AS h
      FROM appointments
      WHERE ${sql.ref(owner)} = ANY(${ids}::uuid[]) AND active ${validOnly}
        AND starts_at < ${to} AND starts_at > ${new Date(from.getTime() - MAX_APPOINTMENT_MS)} AND ends_at > ${from}`.execute(
      db,
    );
    return rows.rows.map(toBooked);
  };
}

/** The same, by owner: what a booking's re-check reads inside its transaction. */
function busyBy(owner: "physician_id" | "room_id") {
  const read = bookedBy(owner, "valid only");
  return async (db: Executor, ids: string[], from: Date, to: Date): Promise<Map<string, BookedRow[]>> =>
    groupBy(await read(db, ids, from, to), (b) => b.owner);
}

const toBooked = (r: { owner: string; s: number; e: number; l: string; h: number | null }): BookedRow => ({
  owner: r.owner,
  start: Number(r.s),
  end: Number(r.e),
  locationId: r.l,
  holdUntil: r.h === null ? null : Number(r.h),
});

/** What a booking reads in one statement, besides the physician and the plans. */
export interface BookingRead {
  /** The appointment type as it is now; undefined when it no longer exists. */
  type:
    | {
        id: string;
        active: boolean;
        durationMinutes: number;
        slotIntervalMinutes: number;
        roomKind: string | null;
        equipmentKinds: string[];
        telehealthAllowed: boolean;
        visitKind: "new" | "follow_up" | "procedure";
      }
    | undefined;
  /** The physicians who have seen (or are booked to see) the patient. */
  previousPhysicianIds: string[];
  physician: TimedAt[];
  patient: TimedAt[];
  rooms: Map<string, Array<{ start: number; end: number }>>;
  /** With the place of each booking (equipment that travels needs it). */
  equipment: Map<string, TimedAt[]>;
}

type BusyTuple = ["physician" | "patient" | "room" | "equipment", string, number, number, string];

export const busyRepository = {
  /** Active appointments (valid holds included) of these physicians overlapping the window. */
  physicianCommitments: busyBy("physician_id"),
  /** Active appointments and holds (lapsed or not) of these physicians overlapping [from, to). */
  bookedByPhysicians: bookedBy("physician_id", "lapsed too"),
  /** Active appointments and holds (lapsed or not) in these rooms overlapping [from, to). */
  bookedInRooms: bookedBy("room_id", "lapsed too"),
  /**
   * In one query, what a search needs of a patient's appointments: the physicians who have seen
   * (or are booked to see) them, and their active appointments (valid holds included) overlapping
   * [from, to), except `excludeId`.
   */
  async patientHistory(
    db: Executor,
    patientId: string,
    from: Date,
    to: Date,
    excludeId?: string,
  ): Promise<{ previousPhysicianIds: string[]; commitments: TimedAt[] }> {
    const rows = await sql<{
      physician_id: string | null;
      s: number | null;
      e: number | null;
      location_id: string | null;
    }>`
      SELECT DISTINCT physician_id, NULL::float8 AS s, NULL::float8 AS e, NULL::uuid AS location_id
      FROM appointments
      WHERE patient_id = ${patientId} AND status IN ('booked', 'checked_in', 'in_progress', 'completed')
      UNION ALL
      SELECT NULL::uuid, (extract(epoch FROM starts_at) * 1000)::float8, (extract(epoch FROM ends_at) * 1000)::float8, location_id
      FROM appointments
      WHERE patient_id = ${patientId} AND active AND (status <> 'held' OR hold_expires_at > now())
        AND starts_at < ${to} AND starts_at > ${new Date(from.getTime() - MAX_APPOINTMENT_MS)} AND ends_at > ${from}
        AND (${excludeId ?? null}::uuid IS NULL OR id <> ${excludeId ?? null}::uuid)`.execute(db);
    const previousPhysicianIds: string[] = [];
    const commitments: TimedAt[] = [];
    for (const r of rows.rows) {
      if (r.location_id === null) previousPhysicianIds.push(r.physician_id!);
      else commitments.push({ start: Number(r.s), end: Number(r.e), locationId: r.location_id });
    }
    return { previousPhysicianIds, commitments };
  },
  /**
   * Everything a booking decides on besides the physician's plan, in one statement: the
   * appointment type, the patient's previous physicians, and the active appointments (valid holds
   * included) of the physician and the patient over `around` (travel margin included, except
   * `excludeId`), of the rooms and equipment over the appointment itself, and of the equipment
   * that travels (`travellingIds`) over `around`.
   */
  async forBooking(
    db: Executor,
    who: {
      appointmentTypeId: string;
      physicianId: string;
      patientId: string;
      roomIds: string[];
      equipmentIds: string[];
      travellingIds?: string[];
      excludeId?: string | undefined;
    },
    around: { from: Date; to: Date },
    slot: { from: Date; to: Date },
  ): Promise<BookingRead> {
    const valid = sql`active AND (status <> 'held' OR hold_expires_at > now())`;
    const overlapping = (w: { from: Date; to: Date }, prefix = sql``) =>
      sql`${prefix}starts_at < ${w.to} AND ${prefix}starts_at > ${new Date(w.from.getTime() - MAX_APPOINTMENT_MS)} AND ${prefix}ends_at > ${w.from}`;
    const ms = (col: string) => sql`(extract(epoch FROM ${sql.ref(col)}) * 1000)::float8`;
    const excludeId = who.excludeId ?? null;
    const { rows } = await sql<{
      type: Record<string, unknown> | null;
      previous: string[];
      busy: BusyTuple[];
    }>`
      SELECT
        (SELECT json_build_object('id', id, 'active', active, 'durationMinutes', duration_minutes,
                  'slotIntervalMinutes', slot_interval_minutes, 'roomKind', room_kind,
                  'equipmentKinds', equipment_kinds, 'telehealthAllowed', telehealth_allowed,
                  'visitKind', visit_kind)
           FROM appointment_types WHERE id = ${who.appointmentTypeId}) AS type,
        ARRAY(SELECT DISTINCT physician_id FROM appointments
              WHERE patient_id = ${who.patientId}
                AND status IN ('booked', 'checked_in', 'in_progress', 'completed'))::text[] AS previous,
        (SELECT coalesce(json_agg(json_build_array(k, o, s, e, l)), '[]') FROM (
           SELECT 'physician' AS k, physician_id::text AS o, ${ms("starts_at")} AS s, ${ms("ends_at")} AS e, location_id::text AS l
           FROM appointments WHERE physician_id = ${who.physicianId} AND ${valid} AND ${overlapping(around)}
           UNION ALL
           SELECT 'patient', patient_id::text, ${ms("starts_at")}, ${ms("ends_at")}, location_id::text
           FROM appointments WHERE patient_id = ${who.patientId} AND ${valid} AND ${overlapping(around)}
             AND (${excludeId}::uuid IS NULL OR id <> ${excludeId}::uuid)
           UNION ALL
           SELECT 'room', room_id::text, ${ms("starts_at")}, ${ms("ends_at")}, location_id::text
           FROM appointments WHERE room_id = ANY(${who.roomIds}::uuid[]) AND ${valid} AND ${overlapping(slot)}
           UNION ALL
           SELECT 'equipment', r.equipment_id::text, ${ms("r.starts_at")}, ${ms("r.ends_at")}, a.location_id::text
           FROM equipment_reservations r JOIN appointments a ON a.id = r.appointment_id
           WHERE r.equipment_id = ANY(${who.equipmentIds}::uuid[]) AND r.active
             AND (a.status <> 'held' OR a.hold_expires_at > now()) AND ${overlapping(slot, sql`r.`)}
           UNION ALL
           SELECT 'equipment', r.equipment_id::text, ${ms("r.starts_at")}, ${ms("r.ends_at")}, a.location_id::text
           FROM equipment_reservations r JOIN appointments a ON a.id = r.appointment_id
           WHERE r.equipment_id = ANY(${who.travellingIds ?? []}::uuid[]) AND r.active
             AND (a.status <> 'held' OR a.hold_expires_at > now()) AND ${overlapping(around, sql`r.`)}
        ) b) AS busy`.execute(db);
    const row = rows[0]!;
    const out: BookingRead = {
      type: (row.type ?? undefined) as BookingRead["type"],
      previousPhysicianIds: row.previous,
      physician: [],
      patient: [],
      rooms: new Map(),
      equipment: new Map(),
    };
    const busyRows = typeof row.busy === "string" ? (JSON.parse(row.busy) as BusyTuple[]) : row.busy;
    for (const [kind, owner, s, e, locationId] of busyRows) {
      if (kind === "physician" || kind === "patient") out[kind].push({ start: s, end: e, locationId });
      else if (kind === "room") push(out.rooms, owner, { start: s, end: e });
      else push(out.equipment, owner, { start: s, end: e, locationId });
    }
    return out;
  },
  /** Active appointments (valid holds included) in these rooms overlapping the window. */
  roomBusy: busyBy("room_id"),
  async equipmentBusy(
    db: Executor,
    equipmentIds: string[],
    from: Date,
    to: Date,
  ): Promise<Map<string, Array<{ start: number; end: number }>>> {
    if (!equipmentIds.length) return new Map();
    const rows = await sql<{ equipment_id: string; s: number; e: number }>`
      SELECT r.equipment_id, (extract(epoch FROM r.starts_at) * 1000)::float8 AS s, (extract(epoch FROM r.ends_at) * 1000)::float8 AS e
      FROM equipment_reservations r JOIN appointments a ON a.id = r.appointment_id
      WHERE r.equipment_id = ANY(${equipmentIds}::uuid[]) AND r.active AND (a.status <> 'held' OR a.hold_expires_at > now())
        AND r.starts_at < ${to} AND r.starts_at > ${new Date(from.getTime() - MAX_APPOINTMENT_MS)} AND r.ends_at > ${from}`.execute(
      db,
    );
    return groupBusy(rows.rows, "equipment_id");
  },
};
