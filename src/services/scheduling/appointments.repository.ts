import { type Generated, type Selectable, sql } from "kysely";
import type { Executor } from "../../platform/db.js";
import { factStamp } from "../../platform/facts.js";
import { pageOf } from "../../platform/paging.js";

export const ACTIVE_STATUSES = ["held", "booked", "checked_in", "in_progress", "completed"] as const;
/** Statuses that mean a real visit was arranged: they open the record to the care team (holds do not). */
/**
 * A standing appointment puts its patient in the scope of its physician and its location's staff:
 * booked or seen (any outcome) within the last SCOPE_MONTHS months or upcoming, and not cancelled
 * by the account that made it within a day of making it (book-and-cancel must not buy access).
 * Holds never do.
 */
export const SCOPE_MONTHS = 24;
const standing = sql<boolean>`(
  starts_at > now() - make_interval(months => ${sql.lit(SCOPE_MONTHS)})
  AND (status IN ('booked', 'checked_in', 'in_progress', 'completed', 'no_show')
    OR (status = 'cancelled' AND NOT (cancelled_by IS NOT DISTINCT FROM created_by AND created_by IS NOT NULL
      AND cancelled_at IS NOT NULL AND cancelled_at < created_at + interval '1 day'))))`;

export type AppointmentTables = {
  appointments: {
    id: Generated<string>;
    patient_id: string;
    physician_id: string;
    location_id: string;
    room_id: string | null;
    appointment_type_id: string;
    starts_at: Date;
    ends_at: Date;
    status: string;
    active: Generated<boolean>;
    hold_expires_at: Date | null;
    telehealth: boolean;
    reason: string | null;
    created_by: string | null;
    idempotency_key: string | null;
    rescheduled_from: string | null;
    cancel_reason: string | null;
    cancelled_by: string | null;
    cancelled_at: Date | null;
    override_reason: string | null;
    checked_in_at: Date | null;
    started_at: Date | null;
    completed_at: Date | null;
    /** A second patient in a booked slot, under a location's overbooking rule (migration 0035). */
    extra_seat: Generated<boolean>;
    /** Moved on by a trigger with every update (migration 0055): what If-Match compares. */
    version: Generated<number>;
    notes: Generated<string | null>;
    created_at: Generated<Date>;
    updated_at: Generated<Date>;
  };
  equipment_reservations: {
    appointment_id: string;
    equipment_id: string;
    starts_at: Date;
    ends_at: Date;
    active: Generated<boolean>;
  };
};
export type AppointmentRow = Selectable<AppointmentTables["appointments"]>;

const q = (db: Executor) => db.withTables<AppointmentTables>();

/**
 * No appointment lasts longer than this (appointment types last at most 8 hours, and the
 * appointments_length_bound constraint holds it): a scan for bookings overlapping a window need
 * only look at those starting this long before it, however long the history.
 */
export const MAX_APPOINTMENT_MS = 8 * 3_600_000;

/** Busy intervals grouped by resource. */
export interface AppointmentFilter {
  locationIds?: string[] | undefined;
  physicianIds?: string[] | undefined;
  patientIds?: string[] | undefined;
  roomIds?: string[] | undefined;
  appointmentTypeIds?: string[] | undefined;
  /** Appointments holding an active reservation of one of these items of equipment. */
  equipmentIds?: string[] | undefined;
  status?: string[] | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  limit: number;
  offset: number;
}

/** A row just written by a booking, which already knows the equipment it reserved. */
export type PlacedRow = AppointmentRow & { equipmentIds?: string[] };

/** Frees the equipment of appointments that no longer hold their time. */
async function releaseEquipmentOf(db: Executor, appointmentIds: string[]): Promise<void> {
  if (appointmentIds.length === 0) return;
  await q(db)
    .updateTable("equipment_reservations")
    .set({ active: false })
    .where("appointment_id", "in", appointmentIds)
    .execute();
}

export const appointmentRepository = {
  get(db: Executor, id: string, forUpdate = false): Promise<AppointmentRow | undefined> {
    let query = q(db).selectFrom("appointments").selectAll().where("id", "=", id);
    if (forUpdate) query = query.forUpdate();
    return query.executeTakeFirst();
  },
  byIdempotencyKey(db: Executor, createdBy: string, key: string): Promise<AppointmentRow | undefined> {
    return q(db)
      .selectFrom("appointments")
      .selectAll()
      .where("created_by", "=", createdBy)
      .where("idempotency_key", "=", key)
      .executeTakeFirst();
  },
  async list(db: Executor, f: AppointmentFilter): Promise<{ rows: AppointmentRow[]; total: number }> {
    let query = q(db).selectFrom("appointments");
    if (f.locationIds) query = query.where("location_id", "in", nonEmpty(f.locationIds));
    if (f.physicianIds) query = query.where("physician_id", "in", nonEmpty(f.physicianIds));
    if (f.patientIds) query = query.where("patient_id", "in", nonEmpty(f.patientIds));
    if (f.roomIds) query = query.where("room_id", "in", nonEmpty(f.roomIds));
    if (f.appointmentTypeIds)
      query = query.where("appointment_type_id", "in", nonEmpty(f.appointmentTypeIds));
    if (f.equipmentIds) {
      const ids = nonEmpty(f.equipmentIds);
      query = query.where("id", "in", (eb) =>
        eb
          .selectFrom("equipment_reservations")
          .select("appointment_id")
          .where("equipment_id", "in", ids)
          .where("active", "=", true),
      );
    }
    if (f.status) query = query.where("status", "in", nonEmpty(f.status));
    if (f.from) {
      const from = f.from;
      // the start bound lets the (…, starts_at) indexes serve the range, however long the history
      query = query
        .where("ends_at", ">", from)
        .where("starts_at", ">", new Date(from.getTime() - MAX_APPOINTMENT_MS));
    }
    if (f.to) query = query.where("starts_at", "<", f.to);
    return pageOf(query, query.selectAll().orderBy("starts_at").orderBy("id"), f);
  },
  insert(
    db: Executor,
    row: Omit<AppointmentRow, "id" | "active" | "created_at" | "updated_at" | "version" | "notes">,
  ): Promise<AppointmentRow> {
    return q(db).insertInto("appointments").values(row).returningAll().executeTakeFirstOrThrow();
  },
  /**
   * Inserts unless a booking committed meanwhile holds the same room at an overlapping time (then
   * nothing is written and undefined comes back, so the caller can choose another room). Every
   * other overlap still raises its exclusion violation.
   */
  insertUnlessRoomTaken(
    db: Executor,
    row: Omit<
      AppointmentRow,
      "id" | "active" | "created_at" | "updated_at" | "cancelled_by" | "cancelled_at" | "version" | "notes"
    >,
  ): Promise<AppointmentRow | undefined> {
    return q(db)
      .insertInto("appointments")
      .values(row)
      .onConflict((oc) => oc.constraint("appointments_room_no_overlap").doNothing())
      .returningAll()
      .executeTakeFirst();
  },
  /** How many active reservations of the item end after `now` (bookings it still has to serve). */
  async upcomingReservations(db: Executor, equipmentId: string, now: Date): Promise<number> {
    const row = await q(db)
      .selectFrom("equipment_reservations")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where("equipment_id", "=", equipmentId)
      .where("active", "=", true)
      .where("ends_at", ">", now)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  },
  async equipmentOf(db: Executor, appointmentId: string): Promise<string[]> {
    const rows = await q(db)
      .selectFrom("equipment_reservations")
      .select("equipment_id")
      .where("appointment_id", "=", appointmentId)
      .orderBy("equipment_id")
      .execute();
    return rows.map((r) => r.equipment_id);
  },
  /** The equipment each of these appointments reserved, by appointment. */
  async equipmentOfMany(db: Executor, appointmentIds: readonly string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (appointmentIds.length === 0) return out;
    const rows = await q(db)
      .selectFrom("equipment_reservations")
      .select(["appointment_id", "equipment_id"])
      .where("appointment_id", "in", [...appointmentIds])
      .orderBy("equipment_id")
      .execute();
    for (const r of rows) out.set(r.appointment_id, [...(out.get(r.appointment_id) ?? []), r.equipment_id]);
    return out;
  },
  async setStatus(
    db: Executor,
    id: string,
    status: string,
    extra: Partial<
      Pick<
        AppointmentRow,
        | "cancel_reason"
        | "cancelled_by"
        | "checked_in_at"
        | "started_at"
        | "completed_at"
        | "hold_expires_at"
        | "reason"
        | "created_by"
        | "idempotency_key"
        | "rescheduled_from"
      >
    > = {},
  ): Promise<AppointmentRow> {
    const row = await q(db)
      .updateTable("appointments")
      .set({ status, updated_at: sql<Date>`now()`, ...extra })
      .where("id", "=", id)
      .returningAll()
      .executeTakeFirstOrThrow();
    if (!row.active) {
      await q(db)
        .updateTable("equipment_reservations")
        .set({ active: false })
        .where("appointment_id", "=", id)
        .execute();
    }
    return row;
  },
  setNotes(db: Executor, id: string, notes: string | null): Promise<AppointmentRow> {
    return q(db)
      .updateTable("appointments")
      .set({ notes, updated_at: sql<Date>`now()` })
      .where("id", "=", id)
      .returningAll()
      .executeTakeFirstOrThrow();
  },
  /**
   * Takes the booking locks and expires the lapsed holds that would stand in the way, in one round
   * trip. The locks serialise bookings of one physician (so the travel rule can be checked against
   * neighbours), of one patient and of the offered equipment (an item that travels plans its
   * transport against the bookings beside it); they are taken physician first, then patient, then
   * equipment by id, the order every booking takes them in. Expiring a lapsed hold needs no lock:
   * it no longer counts for anyone.
   */
  async lockForBooking(
    db: Executor,
    who: { physicianId: string; patientId: string; roomId: string | null; equipmentIds: string[] },
    start: Date,
    end: Date,
  ): Promise<{ facilitiesStamp: string }> {
    // the facilities' stamp rides along (no statement of its own): the re-check that follows reads
    // the facilities again when it moved, so a booking sees every change to rooms, equipment,
    // hours or travel times committed before this statement, on whichever replica made it
    const r = await sql<{ expired: string[]; facilities_stamp: string }>`
      WITH expired AS (
        UPDATE appointments SET status = 'expired', hold_expires_at = NULL, updated_at = now()
        WHERE status = 'held' AND hold_expires_at <= now()
          AND tstzrange(starts_at, ends_at) && tstzrange(${start}, ${end})
          AND (physician_id = ${who.physicianId} OR patient_id = ${who.patientId}
               OR (${who.roomId}::uuid IS NOT NULL AND room_id = ${who.roomId}::uuid)
               OR id IN (SELECT appointment_id FROM equipment_reservations
                         WHERE equipment_id = ANY(${who.equipmentIds}::uuid[]) AND active
                           AND tstzrange(starts_at, ends_at) && tstzrange(${start}, ${end})))
        RETURNING id
      )
      SELECT pg_advisory_xact_lock(hashtextextended(${`physician:${who.physicianId}`}, 0)) AS physician,
             pg_advisory_xact_lock(hashtextextended(${`patient:${who.patientId}`}, 0)) AS patient,
             ARRAY(SELECT pg_advisory_xact_lock(hashtextextended('equipment:' || k.id, 0))::text
                   FROM (SELECT id FROM unnest(${[...new Set(who.equipmentIds)].sort()}::text[]) AS u(id)
                         ORDER BY id OFFSET 0) k) AS equipment,
             (SELECT coalesce(array_agg(id), '{}') FROM expired)::text[] AS expired,
             ${factStamp("facilities")} AS facilities_stamp`.execute(db);
    await releaseEquipmentOf(db, r.rows[0]?.expired ?? []);
    return { facilitiesStamp: r.rows[0]!.facilities_stamp };
  },
  /**
   * Takes these advisory locks (`physician:<id>`, `patient:<id>`) in the order given, in one
   * statement: a booking of several appointments takes them all first, in one order, so two such
   * bookings never wait on each other in a circle (each `lockForBooking` after that takes a lock it
   * already holds).
   */
  async lockInOrder(db: Executor, keys: readonly string[]): Promise<void> {
    await sql`SELECT count(pg_advisory_xact_lock(hashtextextended(k, 0)))
      FROM unnest(${[...keys]}::text[]) WITH ORDINALITY AS t(k, n)`.execute(db);
  },
  /** Expires the lapsed holds in one room overlapping [start, end); says whether there were any. */
  async expireLapsedHoldsIn(db: Executor, roomId: string, start: Date, end: Date): Promise<boolean> {
    const expired = await sql<{ id: string }>`
      UPDATE appointments SET status = 'expired', hold_expires_at = NULL, updated_at = now()
      WHERE status = 'held' AND hold_expires_at <= now() AND room_id = ${roomId}
        AND tstzrange(starts_at, ends_at) && tstzrange(${start}, ${end})
      RETURNING id`.execute(db);
    await releaseEquipmentOf(
      db,
      expired.rows.map((r) => r.id),
    );
    return expired.rows.length > 0;
  },
  async openHoldsBy(db: Executor, userId: string): Promise<number> {
    const r = await q(db)
      .selectFrom("appointments")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("created_by", "=", userId)
      .where("status", "=", "held")
      .where("hold_expires_at", ">", sql<Date>`now()`)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  },

  async physicianHasSeen(db: Executor, physicianId: string, patientId: string): Promise<boolean> {
    const r = await q(db)
      .selectFrom("appointments")
      .select("id")
      .where("physician_id", "=", physicianId)
      .where("patient_id", "=", patientId)
      .where(standing)
      .limit(1)
      .executeTakeFirst();
    return r !== undefined;
  },
  async patientIdsFor(
    db: Executor,
    scope: { physicianId?: string; locationIds?: readonly string[] },
  ): Promise<string[]> {
    let query = q(db).selectFrom("appointments").select("patient_id").distinct().where(standing);
    if (scope.physicianId) query = query.where("physician_id", "=", scope.physicianId);
    else if (scope.locationIds?.length) query = query.where("location_id", "in", [...scope.locationIds]);
    else return [];
    return (await query.execute()).map((r) => r.patient_id);
  },
  async patientHasAppointmentAt(
    db: Executor,
    patientId: string,
    locationIds: readonly string[],
  ): Promise<boolean> {
    if (!locationIds.length) return false;
    const r = await q(db)
      .selectFrom("appointments")
      .select("id")
      .where("patient_id", "=", patientId)
      .where("location_id", "in", [...locationIds])
      .where(standing)
      .limit(1)
      .executeTakeFirst();
    return r !== undefined;
  },
};

function nonEmpty(ids: string[]): string[] {
  return ids.length ? ids : ["00000000-0000-0000-0000-000000000000"];
}
