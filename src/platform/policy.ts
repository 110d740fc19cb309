/**
 * Who may do what to which resource, as one table of rules: `(roles, actions, resource, condition)`.
 * Every operation on a patient, an appointment, a physician's schedule or a location's resources
 * calls `authorize(db, actor, action, target)`; the route-level admission of those routes
 * (`config.allow`) is derived from the same table (`rolesFor`), and the access-matrix and policy
 * tests walk it. A target out of scope answers 404 (existence is not revealed) and the refusal is
 * audited by the HTTP layer once the request's transaction has rolled back.
 *
 * What puts a patient in a caller's scope (ARCHITECTURE.md, "Patient scope"):
 * - a patient: their own record and their dependents' (family links where they are guardian);
 * - a physician: patients with a standing appointment with them;
 * - location staff: patients registered at one of their locations (registration or a verified
 *   identity check at the desk), or with a standing appointment at one of them;
 * - location staff also: patients with an open referral (sent or accepted) to one of their locations;
 * - physicians and staff alike: an active break-the-glass grant (time-limited, flagged for review);
 * - administrators: everyone. Department heads and compliance officers: no patient records.
 * A standing appointment is booked or seen (any outcome) in the last 24 months or upcoming, and not
 * cancelled by its own author within a day of making it; holds never count.
 */
import type { Actor, Role } from "./access.js";
import type { Executor } from "./db.js";
import { type FieldProblem, ProblemError } from "./errors.js";
import { appointmentScope, createPatientScope, type ScopeFacts } from "./scope.js";

export { appointmentScope, noScopeFacts, type ScopeFacts } from "./scope.js";

/** What can be done to each kind of resource. */
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
    | "triage_waitlist";
  appointment: "read" | "cancel" | "reschedule" | "change_status" | "release_hold";
  physician:
    | "read_schedule"
    | "read_time_off_reason"
    | "manage_profile"
    | "manage_schedule"
    | "manage_time_off"
    | "declare_unavailable"
    | "read_no_show_risk";
  location:
    | "read_resources"
    | "manage_resources"
    | "manage_map"
    | "handle_handovers"
    | "manage_waitlist"
    | "read_no_show_risk";
  /** Accept or decline is "answer"; booking it links the appointment. */
  referral: "read" | "answer" | "cancel" | "book";
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
  | "referrer";
export type PatientGround = Ground;

type Condition<K extends Kind> = (
  db: Executor,
  actor: Actor,
  r: Resources[K],
  facts: ScopeFacts,
) => Promise<boolean> | boolean;

interface Rule<K extends Kind = Kind> {
  kind: K;
  roles: readonly Role[];
  actions: readonly Actions[K][];
  ground: Ground;
  /** Absent: the rule holds for every resource of its kind. */
  when?: Condition<K>;
  /** The rule in words, for ARCHITECTURE.md and the tests. */
  says: string;
}

/** A rule of any kind. */
type AnyRule = { [K in Kind]: Rule<K> }[Kind];

function allow<K extends Kind>(
  roles: Role | readonly Role[],
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
];
const PATIENT_READS = ["read", "read_family", "search_for"] as const;
const OWN = [...PATIENT_READS, "update", "book", "read_messages", "read_access_log"] as const;

/** The table. Rules are tried in order; the first that holds grants, with its ground. */
export const policy: readonly AnyRule[] = [
  // ── patients ──
  allow("admin", EVERY_PATIENT_ACTION, "patient", "admin", "administrators reach every patient"),
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
    "location_staff",
    [...PATIENT_READS, "update", "update_identity", "link_family", "book", "override_continuity", "refer"],
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
    ["read", "cancel", "reschedule", "change_status", "release_hold"],
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
    ["read", "cancel", "change_status", "release_hold"],
    "appointment",
    "care",
    "physicians reach their own appointments, at every location",
    (_db, a, r) => a.physicianId === r.physicianId,
  ),
  allow(
    "location_staff",
    ["read", "cancel", "reschedule", "change_status", "release_hold"],
    "appointment",
    "location",
    "staff reach the appointments at their locations",
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
    ["read_resources", "manage_resources", "handle_handovers", "manage_waitlist"],
    "location",
    "admin",
    "administrators manage every location",
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

  // ── no-show risk (patients never see their own) ──
  allow(
    "admin",
    "read_no_show_risk",
    "location",
    "admin",
    "administrators see the no-show risk of upcoming appointments at every location",
  ),
  allow(
    "location_staff",
    "read_no_show_risk",
    "location",
    "location",
    "staff see the no-show risk of upcoming appointments at their own locations",
    (_db, a, r) => a.locationIds.includes(r.id),
  ),
  allow(
    "admin",
    "read_no_show_risk",
    "physician",
    "admin",
    "administrators see the no-show risk of every physician's upcoming appointments",
  ),
  allow(
    "physician",
    "read_no_show_risk",
    "physician",
    "own",
    "physicians see the no-show risk of their own upcoming appointments",
    (_db, a, r) => a.physicianId === r.id,
  ),
];

/** The roles that some rule lets do this action: the route-level admission of its routes. */
export function rolesFor<K extends Kind>(kind: K, action: Actions[K]): Role[] {
  const roles = new Set<Role>();
  for (const r of policy)
    if (r.kind === kind && (r.actions as readonly string[]).includes(action))
      for (const role of r.roles) roles.add(role);
  return [...roles];
}

/**
 * How a route guards each id it takes (`params.id`, `query.patientId`, `body.dependentId`…), declared
 * beside its admission: a policy action on the resource the id names (with `via` when the id names
 * a record of that resource, such as a message of a patient), or one of
 * - "reference": names network data anyone admitted may name (a location, a type, a department),
 *   checked for existence by its service;
 * - "scope": narrows a list that is already limited to the caller's scope;
 * - "signed": a value the server signed (an option id).
 * The policy test fails for a route with an id and no guard, and sweeps every patient guard.
 */
export type Guard =
  | { [K in Kind]: readonly [K, Actions[K]] | readonly [K, Actions[K], { via: string }] }[Kind]
  | "reference"
  | "scope"
  | "signed";
export type Guards = Readonly<Record<string, Guard>>;

/** Whether some rule lets this role do the action at all (before any target is known). */
export const mayEver = <K extends Kind>(actor: Actor, kind: K, action: Actions[K]): boolean =>
  rolesFor(kind, action).includes(actor.role);

/** What a refused caller tried: recorded in the audit trail as an `access.refused` event. */
export interface Attempt {
  action: string;
  resource: Kind;
  id: string;
  /** Where the id came from: `params.id`, `query.patientId`, `body.dependentId`… */
  field: string;
  patientId: string | null;
  /** What the refusal calls the missing thing ("room", "notification"); the resource by default. */
  noun?: string;
}

/** A refusal: answered as 404 (existence is not revealed) and audited once the request fails. */
export class AccessRefused extends ProblemError {
  constructor(readonly attempt: Attempt) {
    const noun = attempt.noun ?? attempt.resource;
    const errors: FieldProblem[] = [{ field: attempt.field, message: `no such ${noun}` }];
    super(404, "not_found", `${noun} not found`, errors);
    this.name = "AccessRefused";
  }
}

/** The ground on which the actor may do this to the resource, given the scope facts, or undefined. */
async function groundUnder<K extends Kind>(
  facts: ScopeFacts,
  db: Executor,
  actor: Actor,
  action: Actions[K],
  target: Target<K>,
): Promise<Ground | undefined> {
  for (const rule of policy as unknown as readonly Rule<K>[]) {
    if (rule.kind !== target.kind || !rule.roles.includes(actor.role) || !rule.actions.includes(action))
      continue;
    if (!rule.when || (await rule.when(db, actor, target, facts))) return rule.ground;
  }
  return undefined;
}

function refusal<K extends Kind>(action: Actions[K], target: Target<K>): AccessRefused {
  const t = target as Target<Kind>;
  return new AccessRefused({
    action,
    resource: t.kind,
    id: t.id,
    field: t.field ?? "params.id",
    patientId: t.kind === "patient" ? t.id : "patientId" in t ? (t.patientId as string) : null,
    ...(t.noun ? { noun: t.noun } : {}),
  });
}

/** The policy table bound to the scope facts: what every service receives as `policies`. */
export interface Policies {
  /** The ground on which the actor may do this to the target, or undefined. */
  groundFor<K extends Kind>(
    db: Executor,
    actor: Actor,
    action: Actions[K],
    target: Target<K>,
  ): Promise<Ground | undefined>;
  /**
   * Throws AccessRefused (404 naming the target's field) unless the actor may do `action` to the
   * target; returns the ground for the audit trail.
   */
  authorize<K extends Kind>(
    db: Executor,
    actor: Actor,
    action: Actions[K],
    target: Target<K>,
  ): Promise<Ground>;
  /** Whether the actor may do this (no throw): filters related records such as family members. */
  permits<K extends Kind>(
    db: Executor,
    actor: Actor,
    action: Actions[K],
    target: Target<K>,
  ): Promise<boolean>;
  /** The patients the actor may list; undefined means the whole network (administrators). */
  patientScope(db: Executor, actor: Actor): Promise<string[] | undefined>;
  /** The appointments the actor may list, as filters, or undefined when they may list none. */
  appointmentScope: typeof appointmentScope;
}

/** The policy over the facts the modules know (the composition root gathers them). */
export function createPolicies({ facts }: { facts: ScopeFacts }): Policies {
  const groundFor: Policies["groundFor"] = (db, actor, action, target) =>
    groundUnder(facts, db, actor, action, target);
  return {
    groundFor,
    async authorize(db, actor, action, target) {
      const ground = await groundFor(db, actor, action, target);
      if (ground) return ground;
      throw refusal(action, target);
    },
    async permits(db, actor, action, target) {
      return (await groundFor(db, actor, action, target)) !== undefined;
    },
    patientScope: createPatientScope(facts),
    appointmentScope,
  };
}

/** A patient as a target. */
export const patient = (id: string, field?: string): Target<"patient"> => ({
  kind: "patient",
  id,
  ...(field ? { field } : {}),
});

/** A physician as a target; their specialties are read only if a rule asks. */
export const physicianTarget = (
  id: string,
  specialties: () => Promise<string[]>,
  field?: string,
  worksTodayAt?: () => Promise<string[]>,
): Target<"physician"> => ({
  kind: "physician",
  id,
  specialties,
  ...(field ? { field } : {}),
  ...(worksTodayAt ? { worksTodayAt } : {}),
});

/** A referral as a target. */
export const referralTarget = (r: Resources["referral"], field?: string): Target<"referral"> => ({
  kind: "referral",
  ...r,
  ...(field ? { field } : {}),
});

/** A location as a target (its rooms and equipment). */
export const locationTarget = (id: string, field?: string): Target<"location"> => ({
  kind: "location",
  id,
  ...(field ? { field } : {}),
});
