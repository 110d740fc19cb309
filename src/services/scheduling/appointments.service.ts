/** Reading appointments within the caller's scope, and moving them through their lifecycle. */

import type { z } from "zod";
import { type TelehealthLinks, telehealthLinks } from "../../integrations/telehealth/index.js";
import type { Actor } from "../../platform/access.js";
import { auditService } from "../../platform/audit/index.js";
import type { Clock } from "../../platform/clock.js";
import type { BookingConfig } from "../../platform/config.js";
import type { Db, Executor } from "../../platform/db.js";
import { problems } from "../../platform/errors.js";
import { auditContextOf } from "../../platform/identity/index.js";
import type { ServiceDeps } from "../../platform/module.js";
import { type Actions, type Policies, patient, type Target } from "../../platform/policy.js";
import type { ReadDb } from "../../platform/read-db.js";
import type { Page } from "../../platform/schemas.js";
import { toIso } from "../../platform/schemas.js";
import {
  type AppointmentRow,
  appointmentRepository as appts,
  type PlacedRow,
} from "./appointments.repository.js";
import type {
  Appointment,
  AppointmentQuery,
  AvailabilityQuery,
  availabilityResult,
  BookInput,
} from "./appointments.schema.js";
import { localLabel } from "./availability/intervals.js";
import type { OptionIds } from "./availability/option-id.js";
import { facilities, needFromQuery, searchOptions, toOptionDto } from "./availability.service.js";
import { type GroupHold, type GroupOption, groupBooking } from "./booking.group.js";
import { booking, eventOf } from "./booking.service.js";
import { publishChange, type SchedulingCaches } from "./caches.js";
import { equipmentInUseAt } from "./equipment-labels.js";
import { extraSeatOptions } from "./extra-seat.offers.js";
import type { NoShowRisk } from "./suggestions.schema.js";

/** Allowed lifecycle moves: booked → checked_in → in_progress → completed, or cancelled / no_show. */
const TRANSITIONS: Record<string, readonly string[]> = {
  held: ["booked", "cancelled"],
  booked: ["checked_in", "cancelled", "no_show"],
  checked_in: ["in_progress", "no_show", "cancelled"],
  in_progress: ["completed"],
  completed: [],
  cancelled: [],
  no_show: [],
  expired: [],
};

async function view(
  db: Executor,
  r: PlacedRow,
  caches: Pick<SchedulingCaches, "facilities">,
): Promise<Appointment> {
  // only a label: a snapshot checked in the last few seconds will do; callers are often inside a
  // transaction, so never wait on a snapshot load started elsewhere
  const snapshot = await facilities(db, { inTransaction: true, labelsOnly: true, cache: caches.facilities });
  const zone = snapshot.locations.find((l) => l.id === r.location_id)?.timeZone ?? "UTC";
  const equipmentIds = r.equipmentIds ?? (await appts.equipmentOf(db, r.id));
  return {
    id: r.id,
    patientId: r.patient_id,
    physicianId: r.physician_id,
    locationId: r.location_id,
    roomId: r.room_id,
    equipmentIds,
    equipment: equipmentInUseAt(snapshot, equipmentIds, r.location_id),
    appointmentTypeId: r.appointment_type_id,
    start: toIso(r.starts_at),
    end: toIso(r.ends_at),
    local: { ...localLabel(r.starts_at.getTime(), zone), timeZone: zone },
    status: r.status as Appointment["status"],
    holdExpiresAt: r.hold_expires_at ? toIso(r.hold_expires_at) : null,
    telehealth: r.telehealth,
    joinUrl: r.telehealth ? await telehealthLinks.joinUrlOf(db, r.id) : null,
    reason: r.reason,
    cancelReason: r.cancel_reason,
    rescheduledFrom: r.rescheduled_from,
    extraSeat: r.extra_seat,
    createdAt: toIso(r.created_at),
    updatedAt: toIso(r.updated_at),
  };
}

/** Whether the actor may see this appointment (the policy's appointment rules). */
export const canSee = (policies: Policies, db: Executor, actor: Actor, r: AppointmentRow): Promise<boolean> =>
  policies.permits(db, actor, "read", appointmentTarget(r));

/** An appointment row as the access policy sees it. */
export const appointmentTarget = (r: AppointmentRow, field = "params.id"): Target<"appointment"> => ({
  kind: "appointment",
  id: r.id,
  patientId: r.patient_id,
  physicianId: r.physician_id,
  locationId: r.location_id,
  field,
});

export async function requireAppointment(
  policies: Policies,
  db: Executor,
  actor: Actor,
  id: string,
  forUpdate = false,
  action: Actions["appointment"] = "read",
): Promise<AppointmentRow> {
  const row = await appts.get(db, id, forUpdate);
  if (!row) throw problems.notFound("appointment");
  // one that exists behind another door is refused like a missing one, and the refusal is audited
  await policies.authorize(db, actor, action, appointmentTarget(row));
  return row;
}

const ctxFor = auditContextOf;

/** What the appointments service needs besides the platform. */
export interface AppointmentDeps extends ServiceDeps {
  /** The booking rules (ROUNDS_BOOKING_*). */
  booking: BookingConfig;
  /** Signs the option ids searches hand out and opens those bookings send back. */
  optionIds: OptionIds;
  /** This server's scheduling caches (facilities, occupancy, plans). */
  caches: SchedulingCaches;
  /** The configured telehealth provider's links, issued and revoked inside bookings' transactions. */
  telehealth: TelehealthLinks;
  /** The no-show model's risks: where an overbooking rule is on, they open extra seats. */
  noShowRisk?: NoShowRisk | undefined;
  /** Where searches read (a replica within its lag bound); unset: the primary. Bookings never use it. */
  readDb?: ReadDb | undefined;
}

/**
 * Appointments within the caller's scope: search, hold, book, reschedule, read and the lifecycle.
 * Every operation authorizes through the policy, runs in its own transaction and audits there;
 * holding, booking and moving are the booking path's (`booking.service.ts`), called from here.
 */
export function createAppointments({
  db,
  clock,
  policies,
  booking: rules,
  optionIds,
  caches,
  telehealth,
  noShowRisk,
  readDb,
}: AppointmentDeps) {
  const lifecycle = appointmentLifecycle(policies, clock, caches, telehealth);
  const bookingDeps = { rules, optionIds, caches, policies, telehealth, noShowRisk };
  const toAppointment = (ex: Executor, r: PlacedRow) => view(ex, r, caches);
  return {
    /** Bookable options for a need, ranked; searching for a patient is a read of their data. */
    async searchAvailability(
      actor: Actor,
      query: AvailabilityQuery,
    ): Promise<z.infer<typeof availabilityResult>> {
      const need = needFromQuery(actor, query);
      const patientId = need.patientId;
      if (patientId) {
        // the patient's history and commitments shape the answer: that is a read of patient data
        await db.transaction().execute(async (tx) => {
          await policies.authorize(tx, actor, "search_for", patient(patientId, "query.patientId"));
          await auditService.record(tx, ctxFor(actor), {
            action: "availability.search",
            resourceType: "patient",
            resourceId: patientId,
            patientId,
            detail: query.overrideReason ? { continuityOverride: query.overrideReason } : {},
          });
        });
      }
      // an offer, not a promise: the booking re-checks it on the primary, so a replica may answer
      const reads = readDb?.() ?? db;
      const result = await searchOptions(reads, rules, need, caches);
      // the extra seats an overbooking rule opens come after the ordinary options, marked as such
      const seats = await extraSeatOptions(
        reads,
        { rules, caches, optionIds, noShowRisk },
        actor,
        need,
        result,
      );
      return {
        options: [...result.options.map((o) => toOptionDto(o, result, optionIds)), ...seats],
        searched: {
          physicians: result.physicians.length,
          from: new Date(need.from).toISOString(),
          to: new Date(need.to).toISOString(),
          followUpRestrictedTo: result.followUpRestrictedTo,
        },
      };
    },
    /** Holds an option for a few minutes while the patient decides. */
    async hold(actor: Actor, optionId: string, patientId: string): Promise<Appointment> {
      const row = await booking.hold(db, bookingDeps, actor, optionId, patientId);
      return toAppointment(db, row);
    },
    /**
     * Holds an option for a system caller offering it (a waitlist offer): for `minutes` instead of
     * the booking rules' few, and outside the per-user limit on open holds (the caller holds one
     * slot per waiting patient, never two for one).
     */
    async holdFor(actor: Actor, optionId: string, patientId: string, minutes: number): Promise<Appointment> {
      const offerRules = { ...rules, holdMinutes: minutes, maxOpenHolds: Number.MAX_SAFE_INTEGER };
      const row = await booking.hold(db, { ...bookingDeps, rules: offerRules }, actor, optionId, patientId);
      return toAppointment(db, row);
    },
    /** Books an option or a hold; a retry with the same idempotency key answers the first booking. */
    async book(
      actor: Actor,
      input: BookInput,
      idempotencyKey: string | undefined,
    ): Promise<{ appointment: Appointment; replayed: boolean }> {
      const { row, replayed } = await booking.book(db, bookingDeps, actor, input, idempotencyKey);
      return { appointment: await toAppointment(db, row), replayed };
    },
    /**
     * Holds several patients' options together (a family's trip): all in one transaction, or none
     * (409 naming the member's option field).
     */
    async holdTogether(actor: Actor, items: readonly GroupOption[]): Promise<Appointment[]> {
      const rows = await groupBooking.place(db, bookingDeps, actor, items, { status: "held" });
      return Promise.all(rows.map((r) => toAppointment(db, r)));
    },
    /** Books several patients' options, or their holds, together: all in one transaction, or none. */
    async bookTogether(
      actor: Actor,
      items: { options: readonly GroupOption[] } | { holds: readonly GroupHold[] },
      reason: string | undefined,
    ): Promise<Appointment[]> {
      const rows =
        "options" in items
          ? await groupBooking.place(db, bookingDeps, actor, items.options, { status: "booked", reason })
          : await groupBooking.bookHolds(db, bookingDeps, actor, items.holds, reason);
      return Promise.all(rows.map((r) => toAppointment(db, r)));
    },
    /** Moves an appointment to another option atomically (the old time is kept if the new one fails). */
    async reschedule(
      actor: Actor,
      id: string,
      optionId: string,
      reason: string | undefined,
    ): Promise<Appointment> {
      const current = await requireAppointment(policies, db, actor, id, false, "reschedule");
      const row = await booking.reschedule(db, bookingDeps, actor, current, optionId, reason);
      return toAppointment(db, row);
    },
    get: (actor: Actor, id: string) => lifecycle.get(db, actor, id),
    list: (actor: Actor, q: AppointmentQuery) => lifecycle.list(db, actor, q),
    transition: (actor: Actor, id: string, status: "checked_in" | "in_progress" | "completed" | "no_show") =>
      lifecycle.transition(db, actor, id, status),
    releaseHold: (actor: Actor, id: string) => lifecycle.releaseHold(db, actor, id),
    cancel: (actor: Actor, id: string, reason: string) => lifecycle.cancel(db, actor, id, reason),
  };
}

/** The appointments service as the composition root wires it. */
export type Appointments = ReturnType<typeof createAppointments>;

/** Reading appointments and moving them through their lifecycle, each in its own transaction. */
const appointmentLifecycle = (
  policies: Policies,
  clock: Clock,
  caches: SchedulingCaches,
  telehealth: TelehealthLinks,
) => {
  const toAppointment = (ex: Executor, r: PlacedRow) => view(ex, r, caches);
  return {
    async get(db: Db, actor: Actor, id: string): Promise<Appointment> {
      return db.transaction().execute(async (tx) => {
        const row = await requireAppointment(policies, tx, actor, id);
        await auditService.record(tx, ctxFor(actor), {
          action: "appointment.read",
          resourceType: "appointment",
          resourceId: id,
          patientId: row.patient_id,
          locationId: row.location_id,
        });
        return toAppointment(tx, row);
      });
    },

    async list(db: Db, actor: Actor, q: AppointmentQuery): Promise<Page<Appointment>> {
      // the caller's scope is applied first; filters can only narrow it
      const scope = policies.appointmentScope(actor);
      if (!scope) throw problems.forbidden();
      /** A filter within the caller's scope; one outside it answers 404 on its field. */
      const narrow = (
        wanted: string | undefined,
        allowed: string[] | undefined,
        what: string,
        field: string,
      ) => {
        if (wanted === undefined) return allowed;
        if (allowed && !allowed.includes(wanted)) throw problems.notFound(what, field);
        return [wanted];
      };
      const locationIds = narrow(q.locationId, scope.locationIds, "location", "query.locationId");
      const physicianIds = narrow(q.physicianId, scope.physicianIds, "physician", "query.physicianId");
      const patientIds = q.patientId ? [q.patientId] : scope.patientIds;
      // a patient named in the query must be one the caller reaches, whatever else narrows the list
      if (q.patientId) await policies.authorize(db, actor, "read", patient(q.patientId, "query.patientId"));
      let from = q.from ? new Date(q.from) : undefined;
      let to = q.to ? new Date(q.to) : undefined;
      if (q.date) {
        const zone = q.locationId
          ? (await facilities(db, { labelsOnly: true, cache: caches.facilities })).locations.find(
              (l) => l.id === q.locationId,
            )?.timeZone
          : undefined;
        const { Temporal } = await import("temporal-polyfill");
        const day = Temporal.PlainDate.from(q.date);
        from = new Date(day.toZonedDateTime(zone ?? "UTC").epochMilliseconds);
        to = new Date(day.add({ days: 1 }).toZonedDateTime(zone ?? "UTC").epochMilliseconds);
      }
      return db.transaction().execute(async (tx) => {
        const { rows, total } = await appts.list(tx, {
          locationIds,
          physicianIds,
          patientIds,
          status: q.status,
          from,
          to,
          limit: q.limit,
          offset: q.offset,
        });
        await auditService.record(tx, ctxFor(actor), {
          action: "appointment.list",
          resourceType: "appointment",
          patientId: patientIds?.length === 1 ? patientIds[0] : null,
          locationId: locationIds?.length === 1 ? locationIds[0] : null,
          detail: { count: rows.length, ids: rows.map((r) => r.id) },
        });
        return {
          items: await Promise.all(rows.map((r) => toAppointment(tx, r))),
          total,
          limit: q.limit,
          offset: q.offset,
        };
      });
    },

    async transition(
      db: Db,
      actor: Actor,
      id: string,
      status: "checked_in" | "in_progress" | "completed" | "no_show",
    ): Promise<Appointment> {
      return db.transaction().execute(async (tx) => {
        const row = await requireAppointment(policies, tx, actor, id, true, "change_status");
        if (!TRANSITIONS[row.status]?.includes(status)) {
          throw problems.conflict(
            "invalid_transition",
            `An appointment that is ${row.status} cannot become ${status}`,
            "body.status",
            {
              from: row.status,
              allowed: TRANSITIONS[row.status] ?? [],
            },
          );
        }
        const now = clock.now();
        const updated = await appts.setStatus(tx, id, status, {
          ...(status === "checked_in" ? { checked_in_at: now } : {}),
          ...(status === "in_progress" ? { started_at: now } : {}),
          ...(status === "completed" ? { completed_at: now } : {}),
        });
        await publishChange(caches, tx, eventOf("appointment.status_changed", updated, { from: row.status }));
        await auditService.record(tx, ctxFor(actor), {
          action: `appointment.${status}`,
          resourceType: "appointment",
          resourceId: id,
          patientId: row.patient_id,
          locationId: row.location_id,
          detail: { from: row.status },
        });
        return toAppointment(tx, updated);
      });
    },

    /** Gives a hold back before it runs out: only holds, by anyone who may see the appointment. */
    async releaseHold(db: Db, actor: Actor, id: string): Promise<void> {
      await db.transaction().execute(async (tx) => {
        const row = await requireAppointment(policies, tx, actor, id, true, "release_hold");
        if (row.status !== "held") throw problems.notFound("hold");
        const released = await appts.setStatus(tx, id, "expired", { hold_expires_at: null });
        await publishChange(
          caches,
          tx,
          eventOf("appointment.cancelled", released, {
            reason: "hold released",
            from: "held",
            byHospital: false,
          }),
        );
        await auditService.record(tx, ctxFor(actor), {
          action: "appointment.hold_release",
          resourceType: "appointment",
          resourceId: id,
          patientId: row.patient_id,
          locationId: row.location_id,
        });
      });
    },

    async cancel(db: Db, actor: Actor, id: string, reason: string): Promise<Appointment> {
      return db.transaction().execute(async (tx) => {
        const row = await requireAppointment(policies, tx, actor, id, true, "cancel");
        if (!TRANSITIONS[row.status]?.includes("cancelled")) {
          throw problems.conflict(
            "invalid_transition",
            `An appointment that is ${row.status} cannot be cancelled`,
            "params.id",
            { from: row.status },
          );
        }
        const updated = await appts.setStatus(tx, id, "cancelled", {
          cancel_reason: reason,
          cancelled_by: actor.userId,
          hold_expires_at: null,
        });
        // the link stops working in the same transaction; the visit's page then says it was cancelled
        if (row.telehealth) await telehealth.revoke(tx, id);
        // open screens and the patient's messages hear of it (with the reason when the hospital cancels)
        await publishChange(
          caches,
          tx,
          eventOf("appointment.cancelled", updated, {
            reason,
            from: row.status,
            byHospital: actor.role !== "patient",
          }),
        );
        await auditService.record(tx, ctxFor(actor), {
          action: "appointment.cancel",
          resourceType: "appointment",
          resourceId: id,
          patientId: row.patient_id,
          locationId: row.location_id,
          detail: { reason, from: row.status },
        });
        return toAppointment(tx, updated);
      });
    },
  };
};

export const TRANSITION_TABLE = TRANSITIONS;
