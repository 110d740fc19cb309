/** An appointment as the API shows it, and the access checks every operation on one starts with. */

import { telehealthLinks } from "../../integrations/telehealth/index.js";
import type { Actor } from "../../platform/access.js";
import type { Executor } from "../../platform/db.js";
import { problems } from "../../platform/errors.js";
import type { Actions, Policies, Target } from "../../platform/policy.js";
import { toIso } from "../../platform/schemas.js";
import {
  type AppointmentRow,
  appointmentRepository as appts,
  type PlacedRow,
} from "./appointments.repository.js";
import type { Appointment } from "./appointments.schema.js";
import { localLabel } from "./availability/intervals.js";
import { facilities } from "./availability.service.js";
import type { SchedulingCaches } from "./caches.js";
import { equipmentInUseAt } from "./equipment-labels.js";

export async function view(
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
    notes: r.notes,
    version: r.version,
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

/** The care team's notes are theirs: a patient sees their appointment without them. */
export const seenBy = (actor: Actor, a: Appointment): Appointment =>
  actor.role === "patient" ? { ...a, notes: null } : a;
