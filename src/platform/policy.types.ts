/**
 * The vocabulary of the access policy (policy.ts): the actions on each kind of resource, what a
 * rule's condition sees of a resource, the grounds recorded in the audit trail, and `allow`, the
 * constructor of a rule of the table (policy.rules.ts).
 */
import type { Actor, ActorRole } from "./access.js";
import type { Executor } from "./db.js";
import type { ScopeFacts } from "./scope.js";
export interface Actions {
  patient:
    | "read"
    | "update"
    | "update_identity"
    | "read_family"
    | "link_family"
    | "book"
    | "search_for"
    | "override_continuity"
    | "read_messages"
    | "read_access_log"
    | "break_glass"
    | "verify_identity"
    | "refer"
    | "triage_waitlist"
    /** Book into the extra seat a location's overbooking rule offers (staff and administrators). */
    | "book_extra_seat"
    | "flag_financial_assistance"
    /** The clinical record from the EMR: problems, allergies, medications, encounters, lab results. */
    | "read_records"
    /** Prescriptions made during visits, with the pharmacy's status (policy.rules.pharmacy.ts). */
    | "read_prescriptions"
    /** Whether the patient needs transport to their appointments: their preference, or staff's flag. */
    | "set_transport_need";
  appointment:
    | "read"
    | "cancel"
    | "reschedule"
    | "change_status"
    | "release_hold"
    /** Write the care team's notes on the visit. */
    | "annotate"
    /** Ask the patient's payer now whether the coverage is active (X12 270/271). */
    | "check_eligibility"
    /** Prescribe during the visit (sent to the patient's pharmacy). */
    | "prescribe"
    /** Book a ride to the appointment with the transport service. */
    | "request_transport";
  physician:
    | "read_schedule"
    | "read_time_off_reason"
    | "manage_profile"
    | "manage_schedule"
    | "manage_time_off"
    | "declare_unavailable"
    | "read_no_show_risk"
    | "read_surveys"
    | "read_reports";
  location: /** Register new patients there (they become that location's patients). */
    | "register_patients"
    | "read_resources"
    | "manage_resources"
    | "manage_map"
    | "handle_handovers"
    | "manage_waitlist"
    | "read_no_show_risk"
    | "read_surveys"
    | "manage_overbooking"
    | "read_reports"
    | "manage_fees"
    /** Its billing identity (place of service, facility NPI, tax id) and the export of its charges. */
    | "manage_billing"
    | "manage_pricing"
    /** The DICOM worklist's state (AE titles, today's entries, last queries), and its settings. */
    | "read_imaging"
    | "manage_imaging"
    /** The day's rides to and from the location. */
    | "read_rides"
    /** Where its data lives and whether that is in its region (the data residency report). */
    | "read_residency";
  /** Accept or decline is "answer"; booking it links the appointment. */
  referral: "read" | "answer" | "cancel" | "book";
  /** A specialty across the network: capacity plans for it. */
  specialty: "plan_capacity";
}
export type Kind = keyof Actions;
export type PatientAction = Actions["patient"];

/** What a rule's condition looks at, per kind of resource. */
export interface Resources {
  patient: { id: string };
  appointment: { id: string; patientId: string; physicianId: string; locationId: string };
  /**
   * The physician's specialties, and the locations where they work today, are read only when a
   * rule needs them (absent: none).
   */
  physician: { id: string; specialties: () => Promise<string[]>; worksTodayAt?: () => Promise<string[]> };
  location: { id: string };
  referral: {
    id: string;
    patientId: string;
    referredBy: string;
    toLocationId: string;
    toPhysicianId: string | null;
  };
  specialty: { id: string };
}

/** A resource to authorize against, and the request field its id came from (`params.id`…). */
export type Target<K extends Kind> = {
  kind: K;
  field?: string;
  /** What the caller named, when the id names a record of the resource (a room of a location). */
  noun?: string;
} & Resources[K];

/** How the caller reaches the resource: also the ground recorded in the audit event. */
export type Ground =
  | "own"
  | "guardian"
  | "care"
  | "location"
  | "department"
  | "break_glass"
  | "admin"
  | "audit"
  | "staff"
  | "network"
  | "referral"
  | "referrer"
  /** A system keeping records in step with the EMR (the HL7 interface). */
  | "interface"
  /** An imaging modality reporting its performed procedure steps (DICOM MPPS). */
  | "modality";
export type PatientGround = Ground;

export type Condition<K extends Kind> = (
  db: Executor,
  actor: Actor,
  r: Resources[K],
  facts: ScopeFacts,
) => Promise<boolean> | boolean;

export interface Rule<K extends Kind = Kind> {
  kind: K;
  roles: readonly ActorRole[];
  actions: readonly Actions[K][];
  ground: Ground;
  /** Absent: the rule holds for every resource of its kind. */
  when?: Condition<K>;
  /** The rule in words, for ARCHITECTURE.md and the tests. */
  says: string;
}

/** A rule of any kind. */
export type AnyRule = { [K in Kind]: Rule<K> }[Kind];

export function allow<K extends Kind>(
  roles: ActorRole | readonly ActorRole[],
  actions: Actions[K] | readonly Actions[K][],
  kind: K,
  ground: Ground,
  says: string,
  when?: Condition<K>,
): Rule<K> {
  return {
    kind,
    roles: typeof roles === "string" ? [roles] : roles,
    actions: (Array.isArray(actions) ? actions : [actions]) as readonly Actions[K][],
    ground,
    says,
    ...(when ? { when } : {}),
  };
}
