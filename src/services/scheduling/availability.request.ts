/**
 * What an availability search is asked (`SearchNeed`) and what it answers (`SearchResult`), and
 * their HTTP forms: a query turned into a need, an option turned into its signed DTO.
 */

import type { Actor } from "../../platform/access.js";
import { problems } from "../../platform/errors.js";
import { mayEver } from "../../platform/policy.js";
import { distanceKm, type NetworkSnapshot } from "../locations/index.js";
import type { AvailabilityQuery, SlotOptionDto } from "./appointments.schema.js";
import { localLabel } from "./availability/intervals.js";
import type { OptionIds } from "./availability/option-id.js";
import type { AppointmentTypeInfo, PhysicianInfo, SlotOption } from "./availability/types.js";
import { equipmentInUseAt } from "./equipment-labels.js";

const DAY = 86_400_000;
const MAX_WINDOW_DAYS = 62;

export interface SearchNeed {
  appointmentTypeId: string;
  specialty?: string | undefined;
  physicianIds?: string[] | undefined;
  from: number;
  to: number;
  locationIds?: string[] | undefined;
  patientId?: string | undefined;
  telehealth: boolean;
  stepFree?: boolean | undefined;
  /** Only these rooms may be offered (a booking first re-checks the room the patient was shown). */
  roomIds?: string[] | undefined;
  language?: string | undefined;
  limit: number;
  /** Staff override of follow-up continuity (the reason is audited by the caller). */
  ignoreContinuity?: boolean;
  /** An appointment being moved: its own time does not count against the patient. */
  excludeAppointmentId?: string | undefined;
  /**
   * An appointment being moved to another room at its own time: that time does not count against
   * its physician either (the booking's re-check excludes it the same way).
   */
  ownTime?: { physicianId: string; start: number; end: number } | undefined;
  now?: number;
  /** Called inside a transaction (the booking re-check). */
  inTransaction?: boolean;
  /** The facilities' stamp, when the caller has just read it in this transaction (saves a query). */
  facilitiesStamp?: string | undefined;
}

export interface SearchResult {
  options: SlotOption[];
  physicians: PhysicianInfo[];
  physicianNames: Map<string, string>;
  followUpRestrictedTo: string[] | null;
  snapshot: NetworkSnapshot;
  appointmentType: AppointmentTypeInfo;
  patientHome: { latitude: number; longitude: number } | null;
  /** The need asked for step-free rooms (its options' ids carry it into the booking). */
  stepFree: boolean;
  /** Physicians of this care who saw the patient before (empty when continuity was overridden). */
  previousPhysicianIds: string[];
}

/** An option as a search answers it, with an id signed by `optionIds` (issued now). */
export function toOptionDto(o: SlotOption, r: SearchResult, optionIds: OptionIds): SlotOptionDto {
  const loc = r.snapshot.locations.find((l) => l.id === o.locationId)!;
  const label = localLabel(o.start, loc.timeZone);
  const distance =
    r.patientHome && loc.latitude !== null && loc.longitude !== null && loc.kind !== "virtual"
      ? Math.round(distanceKm(r.patientHome, { latitude: loc.latitude, longitude: loc.longitude }) * 10) / 10
      : null;
  return {
    id: optionIds.issue({
      physicianId: o.physicianId,
      locationId: o.locationId,
      roomId: o.roomId,
      equipmentIds: o.equipmentIds,
      start: o.start,
      end: o.end,
      appointmentTypeId: r.appointmentType.id,
      telehealth: o.telehealth,
      stepFree: r.stepFree,
    }),
    physicianId: o.physicianId,
    physicianName: r.physicianNames.get(o.physicianId) ?? "",
    locationId: o.locationId,
    locationName: loc.name,
    locationKind: loc.kind,
    roomId: o.roomId,
    equipmentIds: o.equipmentIds,
    equipment: equipmentInUseAt(r.snapshot, o.equipmentIds, o.locationId),
    appointmentTypeId: r.appointmentType.id,
    start: new Date(o.start).toISOString(),
    end: new Date(o.end).toISOString(),
    local: { ...label, timeZone: loc.timeZone },
    telehealth: o.telehealth,
    distanceKm: distance,
    score: o.score,
    reasons: o.reasons,
  };
}

/** Turns the HTTP query into a need, applying defaults and limits. */
export function needFromQuery(actor: Actor, q: AvailabilityQuery): SearchNeed {
  const now = Date.now();
  const from = q.from ? Date.parse(q.from) : now;
  const to = q.to ? Date.parse(q.to) : from + 14 * DAY;
  if (to <= from) throw problems.invalid("query.to", "must be after from");
  if (to - from > MAX_WINDOW_DAYS * DAY)
    throw problems.invalid("query.to", `the window may span at most ${MAX_WINDOW_DAYS} days`);
  if (q.overrideReason && !mayEver(actor, "patient", "override_continuity")) {
    throw problems.invalid("query.overrideReason", "only staff may override follow-up continuity");
  }
  return {
    appointmentTypeId: q.appointmentTypeId,
    specialty: q.specialty,
    physicianIds: q.physicianId ? [q.physicianId] : undefined,
    from,
    to,
    locationIds: q.locationIds,
    patientId: q.patientId,
    telehealth: q.telehealth,
    stepFree: q.stepFree,
    language: q.language,
    limit: q.limit,
    ignoreContinuity: q.overrideReason !== undefined,
  };
}
