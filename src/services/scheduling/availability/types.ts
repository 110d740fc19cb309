/**
 * The availability engine's plain-data inputs and outputs. Times are epoch milliseconds and every
 * interval is half-open [start, end). The database side loads these; the engine never queries.
 */

export interface Interval {
  start: number;
  end: number;
}

/**
 * A planned working block; empty appointmentTypeIds means every appointment type is allowed.
 * A block only says where the physician may be booked: travel is reserved between engagements,
 * so a block elsewhere constrains nothing unless it is `onSite`, a promise to be at its location
 * for all of it, which appointments elsewhere must leave time to travel to and from.
 */
export interface Block {
  physicianId: string;
  locationId: string;
  start: number;
  end: number;
  appointmentTypeIds: string[];
  /** Absent means false. */
  onSite?: boolean;
}

/**
 * An engagement: an existing active appointment (or valid hold) of a physician or of the patient.
 * Consecutive engagements at different locations must leave time to travel between them.
 */
export interface Commitment {
  start: number;
  end: number;
  locationId: string;
}

/** Virtual locations and locations with empty openingHours are always open. */
export interface LocationInfo {
  id: string;
  kind: string;
  timeZone: string;
  latitude: number | null;
  longitude: number | null;
  /** ISO weekday 1-7 (Monday = 1), local wall-clock `HH:MM`. */
  openingHours: { weekday: number; opens: string; closes: string }[];
}

export interface RoomInfo {
  id: string;
  locationId: string;
  kind: string;
  stepFree: boolean;
  busy: Interval[];
}

/** A booking of an item of equipment; for equipment that travels, with where it is (absent: at home). */
export interface EquipmentUse extends Interval {
  locationId?: string;
}

export interface EquipmentInfo {
  id: string;
  /** Where it stands; for equipment that travels, its home location. */
  locationId: string;
  kind: string;
  busy: EquipmentUse[];
  /**
   * Mobile equipment that may be booked at any location (absent means false): it must have time
   * to be brought from where its previous booking leaves it, and taken on to its next
   * (`availability/transport.ts`). Its bookings never overlap (the database guards it).
   */
  travels?: boolean;
}

export interface AppointmentTypeInfo {
  id: string;
  durationMinutes: number;
  slotIntervalMinutes: number;
  roomKind: string | null;
  equipmentKinds: string[];
  telehealthAllowed: boolean;
  visitKind: "new" | "follow_up" | "procedure";
}

export interface PhysicianInfo {
  id: string;
  languages: string[];
  offersTelehealth: boolean;
  acceptsNewPatients: boolean;
}

export interface BookingRules {
  minNoticeMinutes: number;
  horizonDays: number;
}

export interface PatientContext {
  home: { latitude: number; longitude: number } | null;
  preferredLocationIds: string[];
  previousPhysicianIds: string[];
  commitments: Commitment[];
}

export interface AvailabilityInput {
  now: number;
  from: number;
  to: number;
  appointmentType: AppointmentTypeInfo;
  physicians: PhysicianInfo[];
  blocks: Block[];
  /** By physicianId. */
  physicianCommitments: Map<string, Commitment[]>;
  locations: Map<string, LocationInfo>;
  rooms: RoomInfo[];
  equipment: EquipmentInfo[];
  /** Minutes from one location to another; 0 for the same location and to or from a virtual one. */
  travelMinutes: (fromLocationId: string, toLocationId: string) => number;
  rules: BookingRules;
  patient: PatientContext | null;
  /** The patient accepts a video visit. */
  telehealth: boolean;
  stepFree: boolean;
  language: string | null;
  limit: number;
  /**
   * Rooms and equipment are left for `allocateResources`: every start otherwise bookable is
   * offered with no room, so a search can look up rooms only where its best options are.
   */
  deferResources?: boolean;
}

export interface SlotOption {
  physicianId: string;
  locationId: string;
  roomId: string | null;
  equipmentIds: string[];
  start: number;
  end: number;
  telehealth: boolean;
  score: number;
  reasons: string[];
}

/** A bookable option before ranking: what the engine and the reference both produce. */
export type SlotCandidate = Omit<SlotOption, "score" | "reasons">;
