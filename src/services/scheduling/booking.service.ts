/**
 * Holds and bookings. An option id is opened with the server's key (forged, tampered or expired
 * ids go no further); inside the booking transaction, under per-physician and per-patient locks,
 * the few rows that decide the option are read (`booking.facts.ts`, against the facilities as of
 * the stamp read with those locks) and the pure `checkOption` the search shares decides it, so
 * the end, room, equipment and travel buffers are the server's own; the exclusion constraints on
 * the tables are the last word on overlaps, however many replicas race.
 */

import type { TelehealthLinks } from "../../integrations/telehealth/index.js";
import type { Actor } from "../../platform/access.js";
import { auditService } from "../../platform/audit/index.js";
import type { BookingConfig } from "../../platform/config.js";
import type { Db, Executor } from "../../platform/db.js";
import { ProblemError, problems } from "../../platform/errors.js";
import type { ScheduleEventInput } from "../../platform/events.js";
import { auditContextOf } from "../../platform/identity/index.js";
import { mayEver, type PatientAction, type Policies, patient } from "../../platform/policy.js";
import {
  type AppointmentRow,
  appointmentRepository as appts,
  type PlacedRow,
} from "./appointments.repository.js";
import type { SlotOptionDto } from "./appointments.schema.js";
import { checkOption, type OptionCheck } from "./availability/check.js";
import type { OptionIds, OptionRef } from "./availability/option-id.js";
import type { ExtraSeat } from "./availability/overbooking.js";
import { searchOptions, toOptionDto } from "./availability.service.js";
import { reasonOf } from "./booking.explain.js";
import { bookingFacts } from "./booking.facts.js";
import { publishChange, type SchedulingCaches } from "./caches.js";
import { equipmentTransport } from "./equipment-transport.repository.js";
import { checkAsExtraSeat } from "./extra-seat.check.js";
import type { NoShowRisk } from "./suggestions.schema.js";

export type DecodedOption = OptionRef;
export { BookingConflict, openOrFail } from "./booking.refusals.js";

import { BookingConflict, openOrFail } from "./booking.refusals.js";

/** What holds and bookings need besides the database. */
export interface BookingDeps {
  rules: BookingConfig;
  /** Opens the option ids clients send back (and signs the alternatives offered with a 409). */
  optionIds: OptionIds;
  /** The caches searches and bookings read through (this server's). */
  caches: SchedulingCaches;
  /** The access policy: may this actor book for this patient. */
  policies: Pick<Policies, "authorize">;
  /** Issues, moves and revokes video visits' join links inside the booking transaction. */
  telehealth: TelehealthLinks;
  /** The no-show model's risks: they decide which slot an overbooking rule's extra seat is. */
  noShowRisk?: NoShowRisk | undefined;
}

/** A booked video visit gets its join link in the transaction that books it. */
export const visitOf = (row: AppointmentRow) => ({
  appointmentId: row.id,
  start: row.starts_at,
  end: row.ends_at,
});

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

export interface PlaceMode {
  status: "held" | "booked";
  reason?: string | undefined;
  overrideReason?: string | undefined;
  idempotencyKey?: string | undefined;
  rescheduledFrom?: string | undefined;
  /** An appointment being moved: it no longer counts against the patient. */
  excludeAppointmentId?: string | undefined;
}

/** How many times a booking looks for another room after losing one to a concurrent booking. */
const MAX_ROOM_ROUNDS = 25;

/**
 * Inside a transaction: take the locks, read the few rows that decide the option, check it with
 * the pure `checkOption` (the search's own engine), then insert it. Throws BookingConflict.
 */
export async function place(
  tx: Executor,
  {
    rules,
    caches,
    telehealth,
    noShowRisk,
  }: Pick<BookingDeps, "rules" | "caches" | "telehealth" | "noShowRisk">,
  actor: Actor,
  opt: DecodedOption,
  patientId: string,
  mode: PlaceMode,
): Promise<PlacedRow & { seat?: ExtraSeat }> {
  // the facilities' stamp comes with the locks: the facts are read against it
  const { facilitiesStamp } = await appts.lockForBooking(
    tx,
    { physicianId: opt.physicianId, patientId, roomId: opt.roomId, equipmentIds: opt.equipmentIds },
    new Date(opt.start),
    new Date(opt.end),
  );
  const request = {
    option: opt,
    patientId,
    rules: { minNoticeMinutes: rules.minNoticeMinutes, horizonDays: rules.horizonDays },
    facilitiesStamp,
    ignoreContinuity: mode.overrideReason !== undefined || actor.role === "admin",
    excludeAppointmentId: mode.excludeAppointmentId,
    now: Date.now(),
  };
  // the offered equipment was locked with the physician and patient; equipment that travels,
  // chosen otherwise, is locked (and the facts read again) before its transport is planned
  const locked = new Set<string>();
  let roomLost = false;
  // a concurrent booking may take the chosen room between the check and the insert; each such
  // round leaves one more room visibly taken (or frees one a lapsed hold still held), so the
  // rounds end when the rooms do
  for (let round = 0; round < MAX_ROOM_ROUNDS; round++) {
    const facts = await bookingFacts(tx, request, caches);
    // the appointment type was withdrawn since the search: the option is gone, which is a
    // conflict with the present, not a malformed request
    if (facts === "withdrawn") throw new BookingConflict("unavailable");
    // the room the patient was shown, when still free; after a lost room, any
    // an extra seat is its session's one doubled slot, decided again here (`extra-seat.check.ts`)
    const check: OptionCheck & { seat?: ExtraSeat } = opt.extraSeat
      ? await checkAsExtraSeat(tx, noShowRisk, actor, facts, opt)
      : checkOption(facts, { ...opt, roomId: roomLost ? null : opt.roomId });
    if (!check.ok) throw new BookingConflict(check.reason);
    const travelling = facts.equipment.filter((e) => e.travels && check.equipmentIds.includes(e.id));
    if (travelling.some((e) => !locked.has(e.id))) {
      await equipmentTransport.lock(
        tx,
        travelling.map((e) => e.id),
      );
      const known = travelling.every((e) => locked.has(e.id) || opt.equipmentIds.includes(e.id));
      for (const e of travelling) locked.add(e.id);
      // an item nobody had locked for this booking may have been booked meanwhile: decide again
      if (!known) continue;
    }
    // everything inserted is the server's own derivation (or the same as offered), never the id's
    const start = new Date(opt.start);
    const end = new Date(check.end);
    const row = await insertFor(tx, {
      patient_id: patientId,
      physician_id: opt.physicianId,
      location_id: opt.locationId,
      room_id: check.roomId,
      appointment_type_id: facts.appointmentType.id,
      starts_at: start,
      ends_at: end,
      status: mode.status,
      hold_expires_at: mode.status === "held" ? new Date(Date.now() + rules.holdMinutes * 60_000) : null,
      telehealth: opt.telehealth,
      reason: mode.reason ?? null,
      created_by: actor.userId,
      idempotency_key: mode.idempotencyKey ?? null,
      rescheduled_from: mode.rescheduledFrom ?? null,
      cancel_reason: null,
      override_reason: mode.overrideReason ?? null,
      checked_in_at: null,
      started_at: null,
      completed_at: null,
      extra_seat: opt.extraSeat === true,
    });
    if (!row) {
      // taken by a booking that has committed, which the next check sees, or by a hold that has
      // lapsed, which the check ignores but the room's constraint still counts until it expires
      await appts.expireLapsedHoldsIn(tx, check.roomId!, start, end);
      roomLost = true;
      continue;
    }
    await equipmentTransport.reserve(
      tx,
      { appointmentId: row.id, start: row.starts_at, end: row.ends_at, locationId: row.location_id },
      check.equipmentIds.filter((id) => !travelling.some((e) => e.id === id)),
      travelling.map((e) => ({ id: e.id, home: e.locationId })),
      facts.travelMinutes,
    );
    // a moved visit takes its link along (moveWithin); a new booking gets one
    if (row.telehealth && mode.status === "booked" && !mode.rescheduledFrom)
      await telehealth.issue(tx, visitOf(row));
    return {
      ...row,
      equipmentIds: [...check.equipmentIds].sort(),
      ...(check.seat ? { seat: check.seat } : {}),
    };
  }
  throw new BookingConflict("room");
}

/** Inserts the appointment; a patient who does not exist is a 404, as a search for them is. */
async function insertFor(
  tx: Executor,
  row: Parameters<typeof appts.insertUnlessRoomTaken>[1],
): Promise<AppointmentRow | undefined> {
  try {
    return await appts.insertUnlessRoomTaken(tx, row);
  } catch (err) {
    const e = err as { code?: unknown; constraint?: unknown };
    if (e.code === "23503" && e.constraint === "appointments_patient_fk")
      throw problems.notFound("patient", "query.patientId");
    throw err;
  }
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
