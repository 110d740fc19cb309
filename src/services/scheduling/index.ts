/** The scheduling module's public surface: the only file other modules may import. */

import { telehealthLinks } from "../../integrations/telehealth/index.js";
import type { Executor } from "../../platform/db.js";
import type { App } from "../../platform/http.js";
import { appointmentRepository } from "./appointments.repository.js";
import { appointmentRoutes } from "./appointments.routes.js";
import { type AppointmentDeps, createAppointments } from "./appointments.service.js";
import { catalogRoutes } from "./catalog.routes.js";
import { createCatalog } from "./catalog.service.js";
import { createExtraSeats } from "./extra-seat.service.js";
import { mobileEquipmentRoutes } from "./mobile-equipment.routes.js";
import { createMobileEquipment } from "./mobile-equipment.service.js";
import { createMoves } from "./moves.js";
import { overbookingRoutes } from "./overbooking.routes.js";
import { createOverbooking } from "./overbooking.service.js";
import { scheduleRoutes } from "./schedule.routes.js";
import { createSchedules, type ScheduleDeps } from "./schedule.service.js";
import { suggestionRoutes } from "./suggestions.routes.js";
import type { NoShowRisk } from "./suggestions.schema.js";
import { createSuggestions } from "./suggestions.service.js";
import { visitRepository } from "./visits.repository.js";

export type { Appointment, AvailabilityQuery, EquipmentInUse, SlotOptionDto } from "./appointments.schema.js";
export { appointment as appointmentSchema, slotOption } from "./appointments.schema.js";
export type { Appointments } from "./appointments.service.js";
export { createOptionIds, type OptionIds } from "./availability/option-id.js";
export { searchOptions } from "./availability.service.js";
export { createSchedulingCaches, type SchedulingCaches } from "./caches.js";
export type { AppointmentType } from "./catalog.schema.js";
export { roomKinds as appointmentRoomKinds, visitKinds } from "./catalog.schema.js";
export { appointmentTypeCatalog } from "./catalog.service.js";
export type { MobileEquipmentItem, MobileEquipmentList } from "./mobile-equipment.schema.js";
export { ALTERNATIVES, type Moves, type UpcomingAppointment } from "./moves.js";
export { optionSigningKey } from "./option-key.js";
export type { NoShowRisk, ProspectiveVisit } from "./suggestions.schema.js";
export type { CompletedVisit, ReportFacts, VisitFacts } from "./visits.schema.js";

/** What scheduling needs: the platform's, the booking rules, the option signer and the physicians. */
export type SchedulingDeps = AppointmentDeps &
  ScheduleDeps & {
    /** The no-show model's risk for "suggested for you" (analytics, through the composition root). */
    noShowRisk?: NoShowRisk | undefined;
  };

/**
 * Scheduling's services: the appointment-type catalogue, appointments (search, hold, book,
 * reschedule, lifecycle) and physicians' unified schedules, each operation authorizing, auditing
 * and owning its transaction.
 */
export function createScheduling(deps: SchedulingDeps) {
  return {
    catalog: createCatalog(deps),
    appointments: createAppointments(deps),
    schedules: createSchedules(deps),
    /** "Suggested for you": the best few of a search's options for a patient, with reasons. */
    suggestions: createSuggestions(deps),
    /** Each location's overbooking rule (off unless its staff or an administrator turn it on). */
    overbooking: createOverbooking(deps),
    /** The extra seat an overbooking rule offers, booked by the location's staff. */
    extraSeats: createExtraSeats(deps),
    /** Where the equipment that travels between locations is, and when it moves. */
    mobileEquipment: createMobileEquipment(deps),
    /** Reads and moves another service makes inside its own transaction (it authorized them). */
    moves: createMoves({
      rules: deps.booking,
      optionIds: deps.optionIds,
      caches: deps.caches,
      telehealth: deps.telehealth,
    }),
  };
}

/** The scheduling services as the composition root wires them. */
export type Scheduling = ReturnType<typeof createScheduling>;

export function schedulingRoutes(app: App, scheduling: Scheduling): void {
  catalogRoutes(app, scheduling.catalog);
  appointmentRoutes(app, scheduling.appointments);
  suggestionRoutes(app, scheduling.suggestions);
  overbookingRoutes(app, scheduling.overbooking, scheduling.extraSeats);
  scheduleRoutes(app, scheduling.schedules);
  mobileEquipmentRoutes(app, scheduling.mobileEquipment);
}

/** Teaches the access rules who has seen whom, and where: only appointments know that. */
/** The care relationships only scheduling knows, for the access policy's patient scope. */
export const schedulingScopeFacts = {
  physicianCares: appointmentRepository.physicianHasSeen,
  appointmentAt: appointmentRepository.patientHasAppointmentAt,
  patientIdsFor: appointmentRepository.patientIdsFor,
};

/** One appointment as the notification service needs it; callers decide who may see it. */
export interface AppointmentFacts {
  id: string;
  patientId: string;
  physicianId: string;
  locationId: string;
  /** The room, when one is assigned (absent on messages made up for a preview). */
  roomId?: string | null;
  appointmentTypeId: string;
  start: Date;
  end: Date;
  status: string;
  telehealth: boolean;
  /** A booked video visit's live join link; null otherwise (cancelled: revoked). */
  joinUrl: string | null;
  reason: string | null;
  cancelReason: string | null;
  /** The first appointment of a reschedule chain: calendar entries keep its id across moves. */
  originalId: string;
  /** How many times the appointment has been moved (an iCalendar SEQUENCE). */
  moves: number;
  /** A second patient in a booked slot, under the location's overbooking rule (absent: no). */
  extraSeat?: boolean;
}

export const appointmentFacts = {
  async get(db: Executor, id: string): Promise<AppointmentFacts | undefined> {
    const row = await appointmentRepository.get(db, id);
    if (!row) return undefined;
    let originalId = row.id;
    let moves = 0;
    for (let from = row.rescheduled_from; from && moves < 50; moves++) {
      originalId = from;
      from = (await appointmentRepository.get(db, from))?.rescheduled_from ?? null;
    }
    return {
      id: row.id,
      patientId: row.patient_id,
      physicianId: row.physician_id,
      locationId: row.location_id,
      roomId: row.room_id,
      appointmentTypeId: row.appointment_type_id,
      start: row.starts_at,
      end: row.ends_at,
      status: row.status,
      telehealth: row.telehealth,
      joinUrl: row.telehealth ? await telehealthLinks.joinUrlOf(db, row.id) : null,
      reason: row.reason,
      cancelReason: row.cancel_reason,
      originalId,
      moves,
      extraSeat: row.extra_seat,
    };
  },
};

/** A booked or checked-in appointment as the imaging worklist publishes it. */
export interface ScheduledVisit {
  id: string;
  patientId: string;
  physicianId: string;
  locationId: string;
  roomId: string | null;
  appointmentTypeId: string;
  start: Date;
  end: Date;
  status: "booked" | "checked_in";
  reason: string | null;
}

/**
 * Booked and checked-in appointments of some types starting in [from, to), optionally at some
 * locations, earliest first (at most `limit`): what the DICOM worklist publishes. Callers decide
 * who may see what it returns.
 */
export async function scheduledVisits(
  db: Executor,
  f: {
    appointmentTypeIds: string[];
    locationIds?: string[] | undefined;
    from: Date;
    to: Date;
    limit: number;
  },
): Promise<ScheduledVisit[]> {
  if (f.appointmentTypeIds.length === 0 || f.locationIds?.length === 0) return [];
  const { rows } = await appointmentRepository.list(db, {
    appointmentTypeIds: f.appointmentTypeIds,
    locationIds: f.locationIds,
    status: ["booked", "checked_in"],
    from: f.from,
    to: f.to,
    limit: f.limit,
    offset: 0,
  });
  return rows
    .filter((r) => r.starts_at >= f.from)
    .map((r) => ({
      id: r.id,
      patientId: r.patient_id,
      physicianId: r.physician_id,
      locationId: r.location_id,
      roomId: r.room_id,
      appointmentTypeId: r.appointment_type_id,
      start: r.starts_at,
      end: r.ends_at,
      status: r.status as ScheduledVisit["status"],
      reason: r.reason,
    }));
}

/**
 * Appointments as a history of visits (completed, missed, upcoming) with each patient's earlier
 * no-shows and cancellations: what the analytics service's no-show model reads. Callers decide who
 * may see what it returns.
 */
export const visitHistory = {
  outcomes: visitRepository.outcomes,
  upcoming: visitRepository.upcoming,
  reportFacts: visitRepository.reportFacts,
  completedIn: visitRepository.completedIn,
};
