/**
 * Appointments as a history of visits, for the analytics service's no-show model: what happened
 * (completed or no-show) and what is coming, each with the patient's earlier no-shows and
 * cancellations. Reads only; callers decide who may see what they return.
 */
import { sql } from "kysely";
import type { Executor } from "../../platform/db.js";
import type { AppointmentTables } from "./appointments.repository.js";
import type { CatalogTables } from "./catalog.repository.js";
import type { CompletedVisit, ReportFacts, VisitFacts } from "./visits.schema.js";

const q = (db: Executor) => db.withTables<AppointmentTables>();

function visits(db: Executor) {
  return q(db)
    .selectFrom("appointments as a")
    .select((eb) => [
      "a.id as id",
      "a.patient_id as patientId",
      "a.physician_id as physicianId",
      "a.location_id as locationId",
      "a.appointment_type_id as appointmentTypeId",
      "a.starts_at as start",
      "a.created_at as bookedAt",
      "a.status as status",
      "a.telehealth as telehealth",
      eb
        .selectFrom("appointments as p")
        .select(sql<number>`count(*) FILTER (WHERE p.status = 'no_show')::int`.as("n"))
        .whereRef("p.patient_id", "=", "a.patient_id")
        .whereRef("p.starts_at", "<", "a.starts_at")
        .as("priorNoShows"),
      eb
        .selectFrom("appointments as p")
        .select(sql<number>`count(*) FILTER (WHERE p.status = 'cancelled')::int`.as("n"))
        .whereRef("p.patient_id", "=", "a.patient_id")
        .whereRef("p.starts_at", "<", "a.starts_at")
        .as("priorCancellations"),
    ]);
}

type Row = Omit<VisitFacts, "priorNoShows" | "priorCancellations"> & {
  priorNoShows: number | null;
  priorCancellations: number | null;
};
const toFacts = (r: Row): VisitFacts => ({
  ...r,
  priorNoShows: Number(r.priorNoShows ?? 0),
  priorCancellations: Number(r.priorCancellations ?? 0),
});

export const visitRepository = {
  /** Completed and missed appointments that started in [from, to), the latest `limit` of them. */
  async outcomes(db: Executor, range: { from: Date; to: Date; limit: number }): Promise<VisitFacts[]> {
    const rows = await visits(db)
      .where("a.status", "in", ["completed", "no_show"])
      .where("a.starts_at", ">=", range.from)
      .where("a.starts_at", "<", range.to)
      .orderBy("a.starts_at", "desc")
      .limit(range.limit)
      .execute();
    return rows.map(toFacts);
  },

  /** Booked or checked-in appointments starting in [from, to) at the locations or of the physician given. */
  async upcoming(
    db: Executor,
    filter: { from: Date; to: Date; locationIds?: readonly string[]; physicianId?: string; limit: number },
  ): Promise<VisitFacts[]> {
    let query = visits(db)
      .where("a.status", "in", ["booked", "checked_in"])
      .where("a.starts_at", ">=", filter.from)
      .where("a.starts_at", "<", filter.to);
    if (filter.locationIds) {
      if (filter.locationIds.length === 0) return [];
      query = query.where("a.location_id", "in", [...filter.locationIds]);
    }
    if (filter.physicianId) query = query.where("a.physician_id", "=", filter.physicianId);
    const rows = await query.orderBy("a.starts_at").orderBy("a.id").limit(filter.limit).execute();
    return rows.map(toFacts);
  },

  /**
   * A patient's recent visits (completed or booked, started before `before`), latest first, with
   * their no-shows and cancellations so far: what "suggested for you" reads as habits.
   */
  async recentOf(
    db: Executor,
    patientId: string,
    before: Date,
    limit: number,
  ): Promise<{ visits: { locationId: string; start: Date }[]; noShows: number; cancellations: number }> {
    const [visits, counts] = await Promise.all([
      q(db)
        .selectFrom("appointments")
        .select(["location_id as locationId", "starts_at as start", "telehealth"])
        .where("patient_id", "=", patientId)
        .where("status", "in", ["completed", "booked", "checked_in", "in_progress"])
        .where("starts_at", "<", before)
        .orderBy("starts_at", "desc")
        .limit(limit)
        .execute(),
      q(db)
        .selectFrom("appointments")
        .select([
          sql<number>`count(*) FILTER (WHERE status = 'no_show')::int`.as("noShows"),
          sql<number>`count(*) FILTER (WHERE status = 'cancelled')::int`.as("cancellations"),
        ])
        .where("patient_id", "=", patientId)
        .where("starts_at", "<", before)
        .executeTakeFirst(),
    ]);
    return {
      // a video visit says nothing about where the patient likes to go
      visits: visits.filter((v) => !v.telehealth).map((v) => ({ locationId: v.locationId, start: v.start })),
      noShows: Number(counts?.noShows ?? 0),
      cancellations: Number(counts?.cancellations ?? 0),
    };
  },

  /** Completed appointments that started in [from, to), oldest first: what billing turns into charges. */
  async completedIn(db: Executor, range: { from: Date; to: Date }): Promise<CompletedVisit[]> {
    return q(db)
      .selectFrom("appointments as a")
      .select([
        "a.id as id",
        "a.patient_id as patientId",
        "a.physician_id as physicianId",
        "a.location_id as locationId",
        "a.appointment_type_id as appointmentTypeId",
        "a.starts_at as start",
        "a.ends_at as end",
        "a.telehealth as telehealth",
      ])
      .where("a.status", "=", "completed")
      .where("a.starts_at", ">=", range.from)
      .where("a.starts_at", "<", range.to)
      .orderBy("a.starts_at")
      .orderBy("a.id")
      .execute();
  },

  /**
   * Appointments as the reports read them: the ones named, or (keyset paging by id) the next
   * `limit` after `afterId`. Holds that never became bookings are left out.
   */
  async reportFacts(
    db: Executor,
    filter: { ids: readonly string[] } | { afterId: string | null; limit: number },
  ): Promise<ReportFacts[]> {
    let query = db
      .withTables<AppointmentTables & CatalogTables>()
      .selectFrom("appointments as a")
      .innerJoin("appointment_types as t", "t.id", "a.appointment_type_id")
      .leftJoin("appointments as prev", "prev.id", "a.rescheduled_from")
      .select([
        "a.id as id",
        "a.patient_id as patientId",
        "a.physician_id as physicianId",
        "a.location_id as locationId",
        "a.appointment_type_id as appointmentTypeId",
        "t.specialty as specialty",
        "a.starts_at as start",
        "a.ends_at as end",
        "a.created_at as bookedAt",
        "a.status as status",
        "a.cancel_reason as cancelReason",
        "a.cancelled_at as cancelledAt",
        "a.checked_in_at as checkedInAt",
        "a.started_at as startedAt",
        "prev.location_id as previousLocationId",
        // a follow-up's origin: the patient's last completed visit of the specialty before it
        sql<string | null>`CASE WHEN t.visit_kind = 'follow_up' THEN (
          SELECT p.location_id FROM appointments p
          JOIN appointment_types pt ON pt.id = p.appointment_type_id
          WHERE p.patient_id = a.patient_id AND pt.specialty = t.specialty AND p.status = 'completed'
            AND p.starts_at < a.starts_at AND p.id <> a.id
          ORDER BY p.starts_at DESC LIMIT 1) END`.as("followedUpFromLocationId"),
      ]);
    if ("ids" in filter) {
      if (filter.ids.length === 0) return [];
      query = query.where("a.id", "in", [...filter.ids]);
    } else {
      if (filter.afterId) query = query.where("a.id", ">", filter.afterId);
      query = query.orderBy("a.id").limit(filter.limit);
    }
    const rows = await query.execute();
    return rows.map((r) => ({
      ...r,
      previousLocationId: r.previousLocationId ?? null,
      followedUpFromLocationId: r.followedUpFromLocationId ?? null,
    }));
  },
};
