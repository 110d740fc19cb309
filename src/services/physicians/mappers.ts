/** Physician rows as the API shows them. */
import { toHHMM, toIso } from "../../platform/schemas.js";
import type { OverrideRow, PhysicianRow, TemplateRow, TimeOffRow } from "./repository.js";
import type { AssignmentOverride, AssignmentTemplate, Physician, TimeOff } from "./schema.js";

/** What an availability search reads of a physician. */
export type SearchablePhysician = Pick<
  Physician,
  | "id"
  | "givenName"
  | "familyName"
  | "title"
  | "languages"
  | "acceptsNewPatients"
  | "offersTelehealth"
  | "active"
> & { planStamp: string };

export function toPhysician(r: PhysicianRow, specialties: string[]): Physician {
  return {
    id: r.id,
    npi: r.npi,
    givenName: r.given_name,
    familyName: r.family_name,
    title: r.title,
    primarySpecialty: r.primary_specialty,
    specialties,
    homeDepartmentId: r.home_department_id,
    languages: r.languages,
    acceptsNewPatients: r.accepts_new_patients,
    offersTelehealth: r.offers_telehealth,
    active: r.active,
    createdAt: toIso(r.created_at),
    updatedAt: toIso(r.updated_at),
  };
}

export function toTemplate(r: TemplateRow): AssignmentTemplate {
  return {
    id: r.id,
    physicianId: r.physician_id,
    locationId: r.location_id,
    weekday: r.weekday,
    startTime: toHHMM(r.start_time),
    endTime: toHHMM(r.end_time),
    effectiveFrom: r.effective_from,
    effectiveTo: r.effective_to,
    appointmentTypeIds: r.appointment_type_ids,
    notes: r.notes,
    onSite: r.on_site,
    createdAt: toIso(r.created_at),
  };
}

export function toOverride(r: OverrideRow): AssignmentOverride {
  return {
    id: r.id,
    physicianId: r.physician_id,
    locationId: r.location_id,
    kind: r.kind as AssignmentOverride["kind"],
    rotationName: r.rotation_name,
    startDate: r.start_date,
    endDate: r.end_date,
    weekdays: r.weekdays.map(Number),
    startTime: toHHMM(r.start_time),
    endTime: toHHMM(r.end_time),
    appointmentTypeIds: r.appointment_type_ids,
    reason: r.reason,
    onSite: r.on_site,
    createdAt: toIso(r.created_at),
  };
}

export function toTimeOff(r: TimeOffRow): TimeOff {
  return {
    id: r.id,
    physicianId: r.physician_id,
    startsAt: toIso(r.starts_at),
    endsAt: toIso(r.ends_at),
    reason: r.reason,
    status: r.status as TimeOff["status"],
    createdAt: toIso(r.created_at),
  };
}
