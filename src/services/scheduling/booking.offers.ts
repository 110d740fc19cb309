/**
 * Holding an alternative for a patient whose appointment must move, and moving the appointment
 * onto that hold once they accept: the two halves of an offer, each inside the caller's
 * transaction. The hold is placed through the booking path's own check (`place`), so it is an
 * ordinary hold that searches and other bookings respect; accepting cancels the old appointment
 * and books the hold in one step, as a reschedule (the patient is told it moved).
 */
import type { Actor } from "../../platform/access.js";
import { auditService } from "../../platform/audit/index.js";
import type { Executor } from "../../platform/db.js";
import { problems } from "../../platform/errors.js";
import { auditContextOf } from "../../platform/identity/index.js";
import { type AppointmentRow, appointmentRepository as appts } from "./appointments.repository.js";
import {
  BookingConflict,
  type BookingDeps,
  type DecodedOption,
  eventOf,
  place,
  visitOf,
} from "./booking.service.js";
import { publishChange } from "./caches.js";

/** Holds the option for the patient of `forAppointment` until `until` (the offer's expiry). */
export async function holdUntil(
  tx: Executor,
  deps: Pick<BookingDeps, "rules" | "caches" | "telehealth">,
  actor: Actor,
  opt: DecodedOption,
  forAppointment: AppointmentRow,
  until: Date,
): Promise<AppointmentRow> {
  const placed = await place(tx, deps, actor, opt, forAppointment.patient_id, {
    status: "held",
    reason: forAppointment.reason ?? undefined,
    overrideReason: "reschedule keeps the care team",
    // the appointment being replaced does not count against its own patient
    excludeAppointmentId: forAppointment.id,
  });
  const row = await appts.setStatus(tx, placed.id, "held", { hold_expires_at: until });
  await publishChange(deps.caches, tx, eventOf("appointment.held", row));
  await auditService.record(tx, auditContextOf(actor), {
    action: "appointment.hold",
    resourceType: "appointment",
    resourceId: row.id,
    patientId: row.patient_id,
    locationId: row.location_id,
    detail: { offeredFor: forAppointment.id, until: until.toISOString() },
  });
  return row;
}

/**
 * Cancels the appointment and books the hold in its place, as one move. A hold that lapsed or was
 * released is a conflict (`hold_expired`) and nothing changes.
 */
export async function moveOntoHold(
  tx: Executor,
  deps: Pick<BookingDeps, "caches" | "telehealth">,
  actor: Actor,
  appointmentId: string,
  holdId: string,
  reason: string,
  now: Date,
): Promise<AppointmentRow> {
  const fresh = await appts.get(tx, appointmentId, true);
  if (fresh?.status !== "booked")
    throw problems.conflict(
      "invalid_transition",
      `An appointment that is ${fresh?.status} cannot be rescheduled`,
      "params.id",
    );
  const hold = await appts.get(tx, holdId, true);
  if (!hold || hold.patient_id !== fresh.patient_id) throw problems.notFound("hold");
  if (hold.status !== "held" || !hold.hold_expires_at || hold.hold_expires_at.getTime() <= now.getTime())
    throw new BookingConflict("hold_expired");
  await appts.setStatus(tx, fresh.id, "cancelled", {
    cancel_reason: `rescheduled: ${reason}`,
    cancelled_by: actor.userId,
    hold_expires_at: null,
  });
  const row = await appts.setStatus(tx, hold.id, "booked", {
    hold_expires_at: null,
    reason: fresh.reason,
    rescheduled_from: fresh.id,
  });
  // as any reschedule: a video visit keeps its link, one moved to an in-person time loses it, and
  // a held video visit gets its link as it is booked
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
      reason,
      // the patient chose the new time, but the hospital made the move necessary
      byHospital: true,
    }),
  );
  await auditService.record(tx, auditContextOf(actor), {
    action: "appointment.reschedule",
    resourceType: "appointment",
    resourceId: row.id,
    patientId: row.patient_id,
    locationId: row.location_id,
    detail: { from: fresh.id, previousStart: fresh.starts_at.toISOString(), reason, via: "offer" },
  });
  return row;
}

/** Gives a hold back (an offer declined, expired or replaced by another choice); anything else is left alone. */
export async function releaseHoldIn(
  tx: Executor,
  deps: Pick<BookingDeps, "caches">,
  actor: Actor,
  holdId: string,
): Promise<void> {
  const hold = await appts.get(tx, holdId, true);
  if (hold?.status !== "held") return;
  const released = await appts.setStatus(tx, hold.id, "expired", { hold_expires_at: null });
  await publishChange(
    deps.caches,
    tx,
    eventOf("appointment.cancelled", released, { reason: "hold released", from: "held", byHospital: false }),
  );
  await auditService.record(tx, auditContextOf(actor), {
    action: "appointment.hold_release",
    resourceType: "appointment",
    resourceId: hold.id,
    patientId: hold.patient_id,
    locationId: hold.location_id,
  });
}
