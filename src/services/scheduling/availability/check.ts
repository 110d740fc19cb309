/**
 * Whether one option is bookable, given the facts: the single decision the booking transaction,
 * the search and the explanation of a refusal share. Pure: facts in, answer out.
 *
 * The check asks the search's own engine (`availableSlots`) about exactly one start of one
 * physician at one location, so an option the search offers passes it and one the search would
 * not offer fails it; nothing here re-states a rule the engine already applies. When it fails,
 * `refusalReason` names what is really short, in the order a scheduler would look.
 */
import type { ConflictReason } from "../appointments.schema.js";
import { availableSlots } from "./engine.js";
import { MINUTE_MS } from "./intervals.js";
import { canTravelTo, equipmentCandidates, usesOf } from "./transport.js";
import type {
  AppointmentTypeInfo,
  AvailabilityInput,
  Block,
  BookingRules,
  Commitment,
  EquipmentInfo,
  Interval,
  LocationInfo,
  PatientContext,
  PhysicianInfo,
  RoomInfo,
  SlotCandidate,
} from "./types.js";

/**
 * What decides one option: one physician's plan and engagements around it, the patient's, and the
 * rooms and equipment of its location with their bookings over the appointment.
 */
export interface BookingFacts {
  now: number;
  appointmentType: AppointmentTypeInfo;
  /** The physician, or null when no longer active. */
  physician: PhysicianInfo | null;
  /** The physician's planned blocks around the option (on-site blocks elsewhere bind travel). */
  blocks: Block[];
  /** The physician's engagements around the option (travel margin included). */
  physicianCommitments: Commitment[];
  /** Its previousPhysicianIds already as continuity applies them (empty when overridden). */
  patient: PatientContext | null;
  locations: Map<string, LocationInfo>;
  /** Rooms at the option's location (any kind: the check picks the suitable ones), with their bookings. */
  rooms: RoomInfo[];
  /**
   * Equipment at the option's location, with its bookings over the appointment, and equipment
   * that travels from any location, with its bookings (and their places) over the travel margin.
   */
  equipment: EquipmentInfo[];
  travelMinutes: AvailabilityInput["travelMinutes"];
  rules: BookingRules;
  /** The patient asked for step-free access. */
  stepFree: boolean;
}

/** The option as it was offered (an opened option id). */
export interface AskedOption {
  physicianId: string;
  locationId: string;
  /** The room the patient was shown: kept when still free, else another suitable one. */
  roomId: string | null;
  start: number;
  end: number;
  telehealth: boolean;
}

export type OptionCheck =
  | { ok: true; roomId: string | null; equipmentIds: string[]; end: number }
  | { ok: false; reason: ConflictReason };

/** The engine's input for exactly the asked start (the window is the appointment itself). */
function inputFor(facts: BookingFacts, asked: AskedOption, rooms: RoomInfo[]): AvailabilityInput {
  const durationMs = facts.appointmentType.durationMinutes * MINUTE_MS;
  return {
    now: facts.now,
    from: asked.start,
    to: asked.start + durationMs,
    appointmentType: facts.appointmentType,
    physicians: facts.physician ? [facts.physician] : [],
    blocks: facts.blocks.filter((b) => b.physicianId === asked.physicianId),
    physicianCommitments: new Map([[asked.physicianId, facts.physicianCommitments]]),
    locations: facts.locations,
    rooms,
    equipment: facts.equipment,
    travelMinutes: facts.travelMinutes,
    rules: facts.rules,
    patient: facts.patient,
    telehealth: asked.telehealth,
    stepFree: facts.stepFree,
    language: null,
    limit: 1,
  };
}

/** The engine's candidate for the asked start, place and kind of visit, if it offers one. */
function offered(facts: BookingFacts, asked: AskedOption, rooms: RoomInfo[]): SlotCandidate | undefined {
  if (!facts.physician || facts.physician.id !== asked.physicianId) return undefined;
  return availableSlots(inputFor(facts, asked, rooms)).find(
    (c) => c.locationId === asked.locationId && c.start === asked.start && c.telehealth === asked.telehealth,
  );
}

/**
 * Whether the asked option may be booked on these facts: with the room it was offered with when
 * that is still free (else the first free suitable room by id, as the search chooses), the
 * equipment, and the end the appointment type gives it now. An option whose length changed
 * since it was offered is no longer the one the patient saw: `unavailable`.
 */
export function checkOption(facts: BookingFacts, asked: AskedOption): OptionCheck {
  const end = asked.start + facts.appointmentType.durationMinutes * MINUTE_MS;
  if (end === asked.end) {
    const shown = asked.roomId ? facts.rooms.filter((r) => r.id === asked.roomId) : [];
    const found =
      (shown.length > 0 ? offered(facts, asked, shown) : undefined) ?? offered(facts, asked, facts.rooms);
    if (found) return { ok: true, roomId: found.roomId, equipmentIds: found.equipmentIds, end: found.end };
  }
  return { ok: false, reason: refusalReason(facts, asked) };
}

const overlapping = (a: Interval, b: Interval) => a.start < b.end && a.end > b.start;

/**
 * Why an option cannot be had on these facts, in the order a scheduler would look: what is really
 * short is named (a free room with no free equipment is "equipment", never "room"); anything
 * else (hours, notice, opening hours, continuity) is `unavailable`.
 */
export function refusalReason(facts: BookingFacts, asked: AskedOption): ConflictReason {
  const start = asked.start;
  const end = start + facts.appointmentType.durationMinutes * MINUTE_MS;
  if (end !== asked.end) return "unavailable";
  const slot = { start, end };
  const overlaps = (c: Interval) => overlapping(c, slot);
  const { travelMinutes } = facts;
  // an engagement elsewhere too close to get from or back to in time
  const tooClose = (c: Commitment) =>
    c.locationId !== asked.locationId &&
    c.end + travelMinutes(c.locationId, asked.locationId) * MINUTE_MS > start &&
    end + travelMinutes(asked.locationId, c.locationId) * MINUTE_MS > c.start;
  const physician = facts.physicianCommitments;
  const patient = facts.patient?.commitments ?? [];
  if (physician.some(overlaps)) return "physician";
  if (patient.some(overlaps) || patient.some(tooClose)) return "patient";
  if (physician.some(tooClose)) return "travel";
  return shortResource(facts, asked.locationId, slot) ?? "unavailable";
}

/** The resource the appointment lacks at the location over `slot`, if any. */
function shortResource(
  facts: BookingFacts,
  locationId: string,
  slot: Interval,
): "room" | "equipment" | undefined {
  const location = facts.locations.get(locationId);
  if (!location || location.kind === "virtual") return undefined;
  const type = facts.appointmentType;
  const free = (r: { busy: Interval[] }) => !r.busy.some((b) => overlapping(b, slot));
  if (type.roomKind) {
    // a patient who asked for step-free access is short of a room when only rooms with steps are free
    const rooms = facts.rooms.filter(
      (r) => r.locationId === locationId && r.kind === type.roomKind && (!facts.stepFree || r.stepFree),
    );
    if (!rooms.some(free)) return "room";
  }
  // each kind needs as many free items as the type lists it (one that travels must get here in time)
  const usable = (e: EquipmentInfo) =>
    e.travels ? canTravelTo(usesOf(e), locationId, slot, facts.travelMinutes) : free(e);
  for (const kind of new Set(type.equipmentKinds)) {
    const needed = type.equipmentKinds.filter((k) => k === kind).length;
    const available = equipmentCandidates(facts.equipment, kind, locationId, facts.travelMinutes).filter(
      usable,
    ).length;
    if (available < needed) return "equipment";
  }
  return undefined;
}
