/**
 * Placing one option inside the booking transaction: the locks, the few rows that decide it, the
 * pure check the search shares (or the extra-seat check), the insert, and the equipment and video
 * link that come with it. Holds, bookings, moves and family trips all place through here.
 */
import type { TelehealthLinks } from "../../integrations/telehealth/index.js";
import type { Actor } from "../../platform/access.js";
import type { BookingConfig } from "../../platform/config.js";
import type { Executor } from "../../platform/db.js";
import { problems } from "../../platform/errors.js";
import {
  type AppointmentRow,
  appointmentRepository as appts,
  type PlacedRow,
} from "./appointments.repository.js";
import { checkOption, type OptionCheck } from "./availability/check.js";
import type { OptionRef } from "./availability/option-id.js";
import type { ExtraSeat } from "./availability/overbooking.js";
import { bookingFacts } from "./booking.facts.js";
import { BookingConflict } from "./booking.refusals.js";
import type { SchedulingCaches } from "./caches.js";
import { equipmentTransport } from "./equipment-transport.repository.js";
import { checkAsExtraSeat } from "./extra-seat.check.js";
import type { NoShowRisk } from "./suggestions.schema.js";

/** What placing an option needs besides the transaction. */
export interface PlaceDeps {
  rules: BookingConfig;
  /** The caches searches and bookings read through (this server's). */
  caches: SchedulingCaches;
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
  { rules, caches, telehealth, noShowRisk }: PlaceDeps,
  actor: Actor,
  opt: OptionRef,
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
