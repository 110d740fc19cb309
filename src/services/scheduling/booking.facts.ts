/**
 * The facts one booking decides on, read inside its transaction under its locks: the physician
 * (one statement, with the plan stamp), then the appointment type, the patient's previous
 * physicians and every booking that can stand in the way (physician, patient, rooms, equipment)
 * in one more. The plan and the facilities come from their caches under the stamps just read.
 */
import type { Executor } from "../../platform/db.js";
import { problems } from "../../platform/errors.js";
import { physicianService } from "../physicians/index.js";
import type { BookingFacts } from "./availability/check.js";
import { outOfServiceBusy } from "./availability/intervals.js";
import type { OptionRef } from "./availability/option-id.js";
import type { AppointmentTypeInfo, Block, BookingRules } from "./availability/types.js";
import { facilities } from "./availability.service.js";
import { busyRepository as busy } from "./busy.repository.js";
import type { SchedulingCaches } from "./caches.js";

const DAY = 86_400_000;
/** Travel constraints reach at most this far around an appointment (longest plausible trip). */
export const TRAVEL_MARGIN = DAY / 2;

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export interface FactsRequest {
  option: OptionRef;
  patientId: string;
  rules: BookingRules;
  /** The facilities' stamp read with the booking's locks (absent: read now, for a search's check). */
  facilitiesStamp: string | undefined;
  /** Staff override of follow-up continuity, or an admin. */
  ignoreContinuity: boolean;
  /** An appointment being moved: it no longer counts against the patient. */
  excludeAppointmentId?: string | undefined;
  now: number;
}

/**
 * The facts for one option, or "withdrawn" when its appointment type is gone or no longer
 * offered. A physician who no longer exists is a 404, as a search for them is.
 */
export async function bookingFacts(
  tx: Executor,
  req: FactsRequest,
  caches: SchedulingCaches,
): Promise<BookingFacts | "withdrawn"> {
  const { option: opt } = req;
  const cache = caches.facilities;
  let snapshot = await facilities(tx, { inTransaction: true, stamp: req.facilitiesStamp, cache });
  // the location's rooms and equipment of every kind: the type (and so the kind) comes in the same
  // read; equipment that travels may come from any location, its bookings read around the option
  const roomsHere = snapshot.rooms.filter((r) => r.locationId === opt.locationId);
  const equipmentHere = snapshot.equipment.filter((e) => e.locationId === opt.locationId || e.travels);
  const [physicians, read] = await Promise.all([
    physicianService.forSearch(tx, { ids: [opt.physicianId] }),
    busy.forBooking(
      tx,
      {
        appointmentTypeId: opt.appointmentTypeId,
        physicianId: opt.physicianId,
        patientId: req.patientId,
        roomIds: roomsHere.map((r) => r.id),
        equipmentIds: equipmentHere.filter((e) => !e.travels).map((e) => e.id),
        travellingIds: equipmentHere.filter((e) => e.travels).map((e) => e.id),
        excludeId: req.excludeAppointmentId,
      },
      { from: new Date(opt.start - TRAVEL_MARGIN), to: new Date(opt.end + TRAVEL_MARGIN) },
      { from: new Date(opt.start), to: new Date(opt.end) },
    ),
  ]);
  const physician = physicians[0];
  if (!physician) throw problems.notFound("physician", "query.physicianId");
  if (!read.type?.active) return "withdrawn";
  const { active: _active, ...appointmentType } = read.type;
  const type: AppointmentTypeInfo = appointmentType;

  const plans = await physicianService.plans(
    tx,
    [physician.id],
    isoDay(opt.start - TRAVEL_MARGIN - DAY),
    isoDay(opt.end + TRAVEL_MARGIN + DAY),
    new Map([[physician.id, physician.planStamp]]),
    caches.plans,
  );
  const blocks: Block[] = (plans.get(physician.id)?.assignments ?? []).map((b) => ({
    physicianId: physician.id,
    locationId: b.locationId,
    start: Date.parse(b.start),
    end: Date.parse(b.end),
    appointmentTypeIds: b.appointmentTypeIds,
    onSite: b.onSite,
  }));
  if (blocks.some((b) => !snapshot.locations.some((l) => l.id === b.locationId))) {
    // a location created since the stamp was read: read the facilities again
    snapshot = await facilities(tx, { inTransaction: true, cache });
  }

  // continuity counts only this physician (the option names one), and not at all when overridden
  const seen = physician.active && read.previousPhysicianIds.includes(physician.id);
  return {
    now: req.now,
    appointmentType: type,
    physician: physician.active
      ? {
          id: physician.id,
          languages: physician.languages,
          offersTelehealth: physician.offersTelehealth,
          acceptsNewPatients: physician.acceptsNewPatients,
        }
      : null,
    blocks,
    physicianCommitments: read.physician,
    patient: {
      home: null,
      preferredLocationIds: [],
      previousPhysicianIds: seen && !req.ignoreContinuity ? [physician.id] : [],
      commitments: read.patient,
    },
    locations: new Map(snapshot.locations.map((l) => [l.id, l])),
    rooms: roomsHere.map((r) => ({
      id: r.id,
      locationId: r.locationId,
      kind: r.kind,
      stepFree: r.stepFree,
      busy: [...(read.rooms.get(r.id) ?? []), ...outOfServiceBusy(r.outOfService)],
    })),
    equipment: equipmentHere.map((e) => ({
      id: e.id,
      locationId: e.locationId,
      kind: e.kind,
      busy: [...(read.equipment.get(e.id) ?? []), ...outOfServiceBusy(e.outOfService)],
      ...(e.travels ? { travels: true } : {}),
    })),
    travelMinutes: snapshot.travelMinutes,
    rules: req.rules,
    stepFree: opt.stepFree === true,
  };
}
