/**
 * Holds and bookings. An option id is opened with the server's key (forged, tampered or expired
 * ids go no further); inside the booking transaction, under per-physician and per-patient locks,
 * the few rows that decide the option are read (`booking.facts.ts`, against the facilities as of
 * the stamp read with those locks) and the pure `checkOption` the search shares decides it, so
 * the end, room, equipment and travel buffers are the server's own; the exclusion constraints on
 * the tables are the last word on overlaps, however many replicas race.
 */

import type { Actor } from "../../platform/access.js";
import { auditService } from "../../platform/audit/index.js";
import type { Db, Executor } from "../../platform/db.js";
import { ProblemError, problems } from "../../platform/errors.js";
import type { ScheduleEventInput } from "../../platform/events.js";
import { auditContextOf } from "../../platform/identity/index.js";
import { mayEver, type PatientAction, type Policies, patient } from "../../platform/policy.js";
import { type AppointmentRow, appointmentRepository as appts } from "./appointments.repository.js";
import type { SlotOptionDto } from "./appointments.schema.js";
import type { OptionIds, OptionRef } from "./availability/option-id.js";
import { searchOptions, toOptionDto } from "./availability.service.js";
import { reasonOf } from "./booking.explain.js";
import { publishChange } from "./caches.js";

export type DecodedOption = OptionRef;
export { type PlaceDeps, type PlaceMode, place, visitOf } from "./booking.place.js";
export { BookingConflict, openOrFail } from "./booking.refusals.js";

import { type PlaceDeps, place, visitOf } from "./booking.place.js";
import { BookingConflict, openOrFail } from "./booking.refusals.js";

/** What holds and bookings need besides the database. */
export interface BookingDeps extends PlaceDeps {
  /** Opens the option ids clients send back (and signs the alternatives offered with a 409). */
  optionIds: OptionIds;
  /** The access policy: may this actor book for this patient. */
  policies: Pick<Policies, "authorize">;
}

export function eventOf(
  type: ScheduleEventInput["type"],
  row: AppointmentRow,
  payload: Record<string, unknown> = {},
): ScheduleEventInput {
  return {
    type,
    appointmentId: row.id,
    patientId: row.patient_id,
    physicianId: row.physician_id,
    locationId: row.location_id,
    payload: {
      start: row.starts_at.toISOString(),
      end: row.ends_at.toISOString(),
      status: row.status,
      roomId: row.room_id,
      ...payload,
    },
  };
}

/**
 * Whether the actor may book, hold or search for this patient: staff book patients of their
 * location's scope at any location (that is how cross-location referrals work), never others.
 */
export async function requireBookingFor(
  policies: Pick<Policies, "authorize">,
  db: Executor,
  actor: Actor,
  patientId: string,
  action: Extract<PatientAction, "book" | "search_for"> = "book",
  field = "body.patientId",
): Promise<void> {
  await policies.authorize(db, actor, action, patient(patientId, field));
}

/** A few nearest options for the same need, to offer with a 409. */
async function alternatives(
  db: Db,
  { rules, optionIds, caches }: BookingDeps,
  opt: DecodedOption,
  patientId: string,
): Promise<SlotOptionDto[]> {
  try {
    const result = await searchOptions(
      db,
      rules,
      {
        appointmentTypeId: opt.appointmentTypeId,
        physicianIds: [opt.physicianId],
        from: Math.max(Date.now(), opt.start - 2 * 3_600_000),
        to: opt.start + 14 * 86_400_000,
        patientId,
        telehealth: opt.telehealth,
        stepFree: opt.stepFree,
        // the search stops once it has this many (a day or two of one physician's time, not weeks)
        limit: 12,
        ignoreContinuity: true,
      },
      caches,
    );
    return result.options
      .sort((a, b) => Math.abs(a.start - opt.start) - Math.abs(b.start - opt.start))
      .slice(0, 3)
      .map((o) => toOptionDto(o, result, optionIds));
  } catch {
    return [];
  }
}

/** Runs `work` in a transaction and turns overlap violations into a 409 with alternatives. */
export async function withConflictHandling<T>(
  db: Db,
  deps: BookingDeps,
  opt: DecodedOption,
  patientId: string,
  work: (tx: Executor) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(work);
    } catch (err) {
      // two bookings expiring the same lapsed holds in opposite orders: PostgreSQL cancels one,
      // which starts again from the beginning
      if ((err as { code?: unknown }).code === "40P01" && attempt < 3) continue;
      const reason = err instanceof BookingConflict ? err.reason : reasonOf(err);
      if (!reason) throw err;
      throw new BookingConflict(reason, await alternatives(db, deps, opt, patientId));
    }
  }
}

/**
 * Inside the caller's transaction: cancels the appointment and places it at the option, as one
 * move (throws BookingConflict, leaving the caller to roll back). The option is already opened.
 */
export async function moveWithin(
  tx: Executor,
  deps: Pick<BookingDeps, "rules" | "caches" | "telehealth">,
  actor: Actor,
  appointmentId: string,
  opt: DecodedOption,
  reason: string | undefined,
): Promise<AppointmentRow> {
  const fresh = await appts.get(tx, appointmentId, true);
  if (!fresh || !["booked", "held"].includes(fresh.status))
    throw problems.conflict(
      "invalid_transition",
      `An appointment that is ${fresh?.status} cannot be rescheduled`,
      "params.id",
    );
  await appts.setStatus(tx, fresh.id, "cancelled", {
    cancel_reason: reason ? `rescheduled: ${reason}` : "rescheduled",
    cancelled_by: actor.userId,
    hold_expires_at: null,
  });
  const row = await place(tx, deps, actor, opt, fresh.patient_id, {
    status: "booked",
    reason: fresh.reason ?? undefined,
    rescheduledFrom: fresh.id,
    overrideReason: actor.role === "patient" ? undefined : "reschedule keeps the care team",
  });
  // a video visit keeps its link (calendar entries and earlier messages stay right); one moved
  // to an in-person option loses it
  if (fresh.telehealth || row.telehealth)
    await deps.telehealth.move(tx, fresh.id, { ...visitOf(row), telehealth: row.telehealth });
  await publishChange(
    deps.caches,
    tx,
    eventOf("appointment.rescheduled", row, {
      previousAppointmentId: fresh.id,
      previousStart: fresh.starts_at.toISOString(),
      previousEnd: fresh.ends_at.toISOString(),
      previousPhysicianId: fresh.physician_id,
      previousLocationId: fresh.location_id,
      previousRoomId: fresh.room_id,
      reason: reason ?? null,
      byHospital: actor.role !== "patient",
    }),
  );
  await auditService.record(tx, auditContextOf(actor), {
    action: "appointment.reschedule",
    resourceType: "appointment",
    resourceId: row.id,
    patientId: row.patient_id,
    locationId: row.location_id,
    detail: { from: fresh.id, previousStart: fresh.starts_at.toISOString(), reason: reason ?? null },
  });
  return row;
}

export const booking = {
  async hold(
    db: Db,
    deps: BookingDeps,
    actor: Actor,
    optionId: string,
    patientId: string,
  ): Promise<AppointmentRow> {
    const { rules } = deps;
    const opt = openOrFail(deps.optionIds, optionId);
    await requireBookingFor(deps.policies, db, actor, patientId);
    return withConflictHandling(db, deps, opt, patientId, async (tx) => {
      if ((await appts.openHoldsBy(tx, actor.userId)) >= rules.maxOpenHolds) {
        throw new ProblemError(
          429,
          "too_many_holds",
          `You already hold ${rules.maxOpenHolds} options; book or release one first`,
        );
      }
      const row = await place(tx, deps, actor, opt, patientId, { status: "held" });
      await publishChange(deps.caches, tx, eventOf("appointment.held", row));
      await auditService.record(tx, auditContextOf(actor), {
        action: "appointment.hold",
        resourceType: "appointment",
        resourceId: row.id,
        patientId,
        locationId: row.location_id,
        actingFor: actor.role === "patient" && actor.patientId !== patientId ? patientId : null,
      });
      return row;
    });
  },

  async book(
    db: Db,
    deps: BookingDeps,
    actor: Actor,
    input: {
      optionId?: string | undefined;
      holdId?: string | undefined;
      patientId: string;
      reason?: string | undefined;
      overrideReason?: string | undefined;
    },
    idempotencyKey: string | undefined,
  ): Promise<{ row: AppointmentRow; replayed: boolean }> {
    if (idempotencyKey) {
      const previous = await appts.byIdempotencyKey(db, actor.userId, idempotencyKey);
      if (previous) return { row: previous, replayed: true };
    }
    if (input.overrideReason && !mayEver(actor, "patient", "override_continuity")) {
      throw problems.invalid("body.overrideReason", "only staff may override follow-up continuity");
    }
    await requireBookingFor(deps.policies, db, actor, input.patientId);
    const audit = async (tx: Executor, row: AppointmentRow) => {
      await publishChange(
        deps.caches,
        tx,
        eventOf("appointment.booked", row, { reason: input.reason ?? null }),
      );
      await auditService.record(tx, auditContextOf(actor), {
        action: "appointment.book",
        resourceType: "appointment",
        resourceId: row.id,
        patientId: row.patient_id,
        locationId: row.location_id,
        actingFor: actor.role === "patient" && actor.patientId !== row.patient_id ? row.patient_id : null,
        detail: input.overrideReason ? { continuityOverride: input.overrideReason } : {},
      });
    };

    try {
      if (input.holdId) {
        const holdId = input.holdId;
        return await db.transaction().execute(async (tx) => {
          const hold = await appts.get(tx, holdId, true);
          if (!hold || hold.created_by !== actor.userId || hold.patient_id !== input.patientId)
            throw problems.notFound("hold", "body.holdId");
          if (
            hold.status !== "held" ||
            !hold.hold_expires_at ||
            hold.hold_expires_at.getTime() <= Date.now()
          ) {
            throw new BookingConflict("hold_expired");
          }
          const row = await appts.setStatus(tx, hold.id, "booked", {
            hold_expires_at: null,
            reason: input.reason ?? hold.reason,
            idempotency_key: idempotencyKey ?? null,
          });
          if (row.telehealth) await deps.telehealth.issue(tx, visitOf(row));
          await audit(tx, row);
          return { row, replayed: false };
        });
      }
      const opt = openOrFail(deps.optionIds, input.optionId!);
      return await withConflictHandling(db, deps, opt, input.patientId, async (tx) => {
        const row = await place(tx, deps, actor, opt, input.patientId, {
          status: "booked",
          reason: input.reason,
          overrideReason: input.overrideReason,
          idempotencyKey,
        });
        await audit(tx, row);
        return { row, replayed: false };
      });
    } catch (err) {
      // the same key raced with itself: the other request won, return its appointment
      if (idempotencyKey && (err as { code?: unknown }).code === "23505") {
        const previous = await appts.byIdempotencyKey(db, actor.userId, idempotencyKey);
        if (previous) return { row: previous, replayed: true };
      }
      throw err;
    }
  },

  /** Moves an appointment: the old time is released only if the new one is taken. */
  async reschedule(
    db: Db,
    deps: BookingDeps,
    actor: Actor,
    current: AppointmentRow,
    optionId: string,
    reason: string | undefined,
  ): Promise<AppointmentRow> {
    const opt = openOrFail(deps.optionIds, optionId);
    if (opt.appointmentTypeId !== current.appointment_type_id) {
      throw problems.invalid("body.optionId", "the new option is for a different appointment type");
    }
    return withConflictHandling(db, deps, opt, current.patient_id, (tx) =>
      moveWithin(tx, deps, actor, current.id, opt, reason),
    );
  },
};
