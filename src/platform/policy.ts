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
import { type Actor, type ActorRole, roles as personRoles, type Role } from "./access.js";
import type { Executor } from "./db.js";
import { type FieldProblem, ProblemError } from "./errors.js";
import { policy } from "./policy.rules.js";
import type { Actions, Ground, Kind, Resources, Rule, Target } from "./policy.types.js";
import { appointmentScope, createPatientScope, type ScopeFacts } from "./scope.js";

export { policy } from "./policy.rules.js";
export type {
  Actions,
  Ground,
  Kind,
  PatientAction,
  PatientGround,
  Resources,
  Target,
} from "./policy.types.js";
export { appointmentScope, noScopeFacts, type ScopeFacts } from "./scope.js";

/** Every role, a system's included, that some rule lets do this action. */
function actorRolesFor<K extends Kind>(kind: K, action: Actions[K]): Set<ActorRole> {
  const roles = new Set<ActorRole>();
  for (const r of policy)
    if (r.kind === kind && (r.actions as readonly string[]).includes(action))
      for (const role of r.roles) roles.add(role);
  return roles;
}

/**
 * The people's roles that some rule lets do this action: the route-level admission of its routes
 * (a system role, such as the HL7 interface, is admitted by no route).
 */
export function rolesFor<K extends Kind>(kind: K, action: Actions[K]): Role[] {
  return [...actorRolesFor(kind, action)].filter((r): r is Role =>
    (personRoles as readonly string[]).includes(r),
  );
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
  actorRolesFor(kind, action).has(actor.role) &&
  (!actor.client || actor.client.grants.includes(`${kind}.${action}`));

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
  // a system client reaches no further than its token's scopes, whatever its role's rules say
  if (actor.client && !actor.client.grants.includes(`${target.kind}.${action}`)) return undefined;
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

/** A specialty as a target (its capacity plans). */
export const specialtyTarget = (id: string, field?: string): Target<"specialty"> => ({
  kind: "specialty",
  id,
  ...(field ? { field } : {}),
});
