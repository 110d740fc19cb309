/**
 * The access policy's table (see policy.ts for what puts a patient in a caller's scope): one rule
 * per (roles, actions, resource, condition), tried in order; the first that holds grants, with its
 * ground. ARCHITECTURE.md's policy section and the access-matrix and policy tests read it.
 */
import { analyticsRules } from "./policy.rules.analytics.js";
import { pharmacyTransportRules } from "./policy.rules.pharmacy.js";
import { type AnyRule, allow, type PatientAction } from "./policy.types.js";

const EVERY_PATIENT_ACTION: readonly PatientAction[] = [
  "read",
  "update",
  "update_identity",
  "read_family",
  "link_family",
  "book",
  "search_for",
  "override_continuity",
  "read_messages",
  "read_access_log",
  "refer",
  "triage_waitlist",
  "book_extra_seat",
  "flag_financial_assistance",
];
const PATIENT_READS = ["read", "read_family", "search_for"] as const;
const OWN = [...PATIENT_READS, "update", "book", "read_messages", "read_access_log"] as const;

/** The table. Rules are tried in order; the first that holds grants, with its ground. */
export const policy: readonly AnyRule[] = [
  // ── patients ──
  allow("admin", EVERY_PATIENT_ACTION, "patient", "admin", "administrators reach every patient"),
  allow(
    "interface",
    ["update", "update_identity"],
    "patient",
    "interface",
    "the HL7 interface brings any patient's demographics in step with the EMR's master patient index, and merges the duplicates it names",
  ),
  allow(
    "patient",
    OWN,
    "patient",
    "own",
    "a patient reaches their own record",
    (_db, a, p) => a.patientId === p.id,
  ),
  allow("patient", OWN, "patient", "guardian", "a guardian reaches their dependents' records", (_db, a, p) =>
    a.patientIds.includes(p.id),
  ),
  allow(
    "physician",
    [...PATIENT_READS, "book", "refer"],
    "patient",
    "care",
    "a physician reaches patients with a standing appointment with them",
    (db, a, p, facts) => a.physicianId !== null && facts.physicianCares(db, a.physicianId, p.id),
  ),
  allow(
    "physician",
    "read_records",
    "patient",
    "care",
    "a physician reads the EMR record (problems, allergies, medications, encounters, lab results) of patients with a standing appointment with them, at any location",
    (db, a, p, facts) => a.physicianId !== null && facts.physicianCares(db, a.physicianId, p.id),
  ),
  allow(
    "location_staff",
    [
      ...PATIENT_READS,
      "update",
      "update_identity",
      "link_family",
      "book",
      "override_continuity",
      "refer",
      "book_extra_seat",
    ],
    "patient",
    "location",
    "staff reach patients registered at, or with a standing appointment at, one of their locations",
    (db, a, p, facts) => facts.atLocations(db, a.locationIds, p.id),
  ),
  allow(
    "location_staff",
    [...PATIENT_READS, "book"],
    "patient",
    "referral",
    "staff of the location a patient is referred to reach that patient while the referral is open",
    (db, a, p, facts) => facts.referredTo(db, a.locationIds, p.id),
  ),
  allow(
    "location_staff",
    "flag_financial_assistance",
    "patient",
    "location",
    "staff flag patients registered at, or with a standing appointment at, one of their locations for financial assistance (their copays are never adjusted)",
    (db, a, p, facts) => facts.atLocations(db, a.locationIds, p.id),
  ),
  allow(
    "location_staff",
    "triage_waitlist",
    "patient",
    "location",
    "staff set the waitlist urgency of patients registered at, or with a standing appointment at, one of their locations",
    (db, a, p, facts) => facts.atLocations(db, a.locationIds, p.id),
  ),
  allow(
    ["physician", "location_staff"],
    PATIENT_READS,
    "patient",
    "break_glass",
    "physicians and staff reach a patient for whom they broke the glass, until the grant expires",
    (db, a, p, facts) => facts.breakGlass(db, a.userId, p.id),
  ),
  allow(
    "physician",
    "read_records",
    "patient",
    "break_glass",
    "a physician reads the EMR record of a patient for whom they broke the glass, until the grant expires",
    (db, a, p, facts) => facts.breakGlass(db, a.userId, p.id),
  ),
  allow(
    ["physician", "location_staff"],
    "break_glass",
    "patient",
    "break_glass",
    "physicians and staff may break the glass for any patient (time-limited, flagged for review)",
  ),
  allow(
    "location_staff",
    "verify_identity",
    "patient",
    "location",
    "a front desk finds a patient new to it by exact MRN and birth date, which registers them there",
  ),
  allow(
    "compliance",
    "read_access_log",
    "patient",
    "audit",
    "compliance officers read any patient's access log (and nothing else of the record)",
  ),

  // ── appointments ──
  allow(
    "admin",
    ["read", "cancel", "reschedule", "change_status", "release_hold", "annotate"],
    "appointment",
    "admin",
    "administrators reach every appointment",
  ),
  allow(
    "patient",
    ["read", "cancel", "reschedule", "release_hold"],
    "appointment",
    "own",
    "patients reach their own and their dependents' appointments",
    (_db, a, r) => a.patientIds.includes(r.patientId),
  ),
  allow(
    "physician",
    ["read", "cancel", "change_status", "release_hold", "annotate"],
    "appointment",
    "care",
    "physicians reach their own appointments, at every location",
    (_db, a, r) => a.physicianId === r.physicianId,
  ),
  allow(
    "location_staff",
    ["read", "cancel", "reschedule", "change_status", "release_hold", "annotate"],
    "appointment",
    "location",
    "staff reach the appointments at their locations",
    (_db, a, r) => a.locationIds.includes(r.locationId),
  ),
  allow(
    "modality",
    "change_status",
    "appointment",
    "modality",
    "an imaging modality moves the appointments of the worklist it was called through to in progress and completed, as its performed procedure steps say (DICOM MPPS)",
    (_db, a, r) => a.locationIds.includes(r.locationId),
  ),

  allow(
    "admin",
    "check_eligibility",
    "appointment",
    "admin",
    "administrators check the insurance eligibility of any appointment",
  ),
  allow(
    "location_staff",
    "check_eligibility",
    "appointment",
    "location",
    "staff check the insurance eligibility of the appointments at their locations",
    (_db, a, r) => a.locationIds.includes(r.locationId),
  ),

  // ── physicians' schedules ──
  allow(
    "admin",
    [
      "read_schedule",
      "read_time_off_reason",
      "manage_profile",
      "manage_schedule",
      "manage_time_off",
      "declare_unavailable",
    ],
    "physician",
    "admin",
    "administrators manage every physician",
  ),
  allow(
    "department_head",
    [
      "read_schedule",
      "read_time_off_reason",
      "manage_profile",
      "manage_schedule",
      "manage_time_off",
      "declare_unavailable",
    ],
    "physician",
    "department",
    "department heads manage the physicians of their departments' specialties, across locations",
    async (_db, a, r) => (await r.specialties()).some((s) => a.specialties.includes(s)),
  ),
  allow(
    "physician",
    ["read_schedule", "read_time_off_reason", "manage_time_off", "declare_unavailable"],
    "physician",
    "own",
    "physicians read their own schedule, manage their own time off and report themselves unavailable for the rest of today",
    (_db, a, r) => a.physicianId === r.id,
  ),
  allow(
    "location_staff",
    "declare_unavailable",
    "physician",
    "location",
    "staff report a physician who works at their location today unavailable for the rest of the day",
    async (_db, a, r) =>
      (r.worksTodayAt ? await r.worksTodayAt() : []).some((l) => a.locationIds.includes(l)),
  ),
  allow(
    "location_staff",
    "read_schedule",
    "physician",
    "staff",
    "staff read any physician's schedule (appointments elsewhere show as busy, without details)",
  ),

  // ── a location's rooms and equipment ──
  allow(
    "admin",
    ["register_patients", "read_resources", "manage_resources", "handle_handovers", "manage_waitlist"],
    "location",
    "admin",
    "administrators manage every location",
  ),
  allow(
    ["admin", "compliance"],
    "read_residency",
    "location",
    "audit",
    "administrators and compliance officers read where every location's data lives (the data residency report)",
  ),
  allow(
    "location_staff",
    "register_patients",
    "location",
    "location",
    "staff register new patients at their own locations",
    (_db, a, r) => a.locationIds.includes(r.id),
  ),
  allow(
    "interface",
    "register_patients",
    "location",
    "interface",
    "the HL7 interface registers the patients the EMR's master patient index announces, for the whole network",
  ),
  allow(
    "location_staff",
    "manage_waitlist",
    "location",
    "location",
    "staff see and manage the waitlist and its figures at their own locations",
    (_db, a, r) => a.locationIds.includes(r.id),
  ),
  allow(
    "location_staff",
    ["read_resources", "manage_resources", "handle_handovers"],
    "location",
    "location",
    "staff run the rooms and equipment of their own locations (and follow the mobile equipment coming to or leaving them), and take over its rescheduling hand-overs",
    (_db, a, r) => a.locationIds.includes(r.id),
  ),

  allow(
    "admin",
    ["read_imaging", "manage_imaging"],
    "location",
    "admin",
    "administrators see every location's imaging worklist and set its AE titles, imaging stations and modalities",
  ),
  allow(
    "location_staff",
    "read_imaging",
    "location",
    "location",
    "staff see the imaging worklist of their own locations: its AE title, today's entries and the last queries",
    (_db, a, r) => a.locationIds.includes(r.id),
  ),

  allow(
    "admin",
    "manage_overbooking",
    "location",
    "admin",
    "administrators set every location's overbooking rule",
  ),
  allow(
    "location_staff",
    "manage_overbooking",
    "location",
    "location",
    "staff read and set the overbooking rule of their own locations",
    (_db, a, r) => a.locationIds.includes(r.id),
  ),

  // ── referrals ──
  allow(
    "admin",
    ["read", "answer", "cancel", "book"],
    "referral",
    "admin",
    "administrators reach every referral",
  ),
  allow(
    "patient",
    ["read", "book"],
    "referral",
    "own",
    "patients read and book their own and their dependents' referrals",
    (_db, a, r) => a.patientIds.includes(r.patientId),
  ),
  allow(
    "location_staff",
    ["read", "answer", "book"],
    "referral",
    "location",
    "staff of the receiving location read, accept or decline and book the referrals sent to it",
    (_db, a, r) => a.locationIds.includes(r.toLocationId),
  ),
  allow(
    ["physician", "location_staff"],
    ["read", "cancel"],
    "referral",
    "referrer",
    "whoever made a referral follows its state and may withdraw it",
    (_db, a, r) => a.userId === r.referredBy,
  ),
  allow(
    "physician",
    "read",
    "referral",
    "care",
    "the physician a referral names reads it",
    (_db, a, r) => a.physicianId !== null && a.physicianId === r.toPhysicianId,
  ),
  allow(
    "admin",
    "manage_map",
    "location",
    "admin",
    "administrators draw or import a location's indoor map (its entrances, lifts, corridors and rooms)",
  ),

  // ── analytics: no-show risk, surveys, reports, copays and capacity (policy.rules.analytics.ts) ──
  ...analyticsRules,

  // ── prescriptions and transport (policy.rules.pharmacy.ts) ──
  ...pharmacyTransportRules,
];
