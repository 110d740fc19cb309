/**
 * Who may do what, as sentences: `can(actor, "manage", "location")`. Every route declares the
 * roles it admits (checked before the handler runs) and every service narrows what it reads to the
 * actor's scope — location, department, own patients — so access stops at the location's door
 * even when an identifier is guessed.
 */
import type { Executor } from "./db.js";
import { problems } from "./errors.js";

export const roles = [
  "patient",
  "physician",
  "location_staff",
  "department_head",
  "admin",
  "compliance",
] as const;
export type Role = (typeof roles)[number];

export interface Actor {
  userId: string;
  role: Role;
  email: string;
  displayName: string;
  sessionId: string;
  /** The patient record of a patient user. */
  patientId: string | null;
  /** A patient user's own record plus their dependents'. */
  patientIds: string[];
  physicianId: string | null;
  /** Location staff: the locations they work at. */
  locationIds: string[];
  /** Department heads: their departments and those departments' specialties. */
  departmentIds: string[];
  specialties: string[];
  clientAddress: string;
  requestId: string;
}

/** Route-level admission: the roles a route lets in at all, or "public" for no sign-in. */
export type Admission = "public" | "authenticated" | readonly Role[];

export function admits(admission: Admission, actor: Actor | undefined): boolean {
  if (admission === "public") return true;
  if (!actor) return false;
  if (admission === "authenticated") return true;
  return admission.includes(actor.role);
}

export const isAdmin = (a: Actor) => a.role === "admin";

/** Staff may act at these locations; admins everywhere (undefined = no restriction). */
export function locationScope(actor: Actor): string[] | undefined {
  if (actor.role === "admin") return undefined;
  if (actor.role === "location_staff") return actor.locationIds;
  return [];
}

export function requireLocationAccess(actor: Actor, locationId: string, resource = "location"): void {
  const scope = locationScope(actor);
  if (scope && !scope.includes(locationId)) throw problems.notFound(resource);
}

/**
 * Facts about care relationships that only the scheduling module knows (who saw whom, where).
 * The scheduling module registers its implementation at start; until then nobody has any.
 */
export interface CareRelations {
  physicianHasSeen(db: Executor, physicianId: string, patientId: string): Promise<boolean>;
  patientHasAppointmentAt(db: Executor, patientId: string, locationIds: string[]): Promise<boolean>;
  /** Every patient a physician has seen, or who has an appointment at one of these locations. */
  patientIdsFor(db: Executor, scope: { physicianId?: string; locationIds?: string[] }): Promise<string[]>;
}

let careRelations: CareRelations = {
  physicianHasSeen: async () => false,
  patientHasAppointmentAt: async () => false,
  patientIdsFor: async () => [],
};

export function registerCareRelations(impl: CareRelations): void {
  careRelations = impl;
}

export type BreakGlassLookup = (db: Executor, userId: string, patientId: string) => Promise<boolean>;
let breakGlassActive: BreakGlassLookup = async () => false;
export function registerBreakGlassLookup(fn: BreakGlassLookup): void {
  breakGlassActive = fn;
}

export type PatientAccess = "own" | "guardian" | "care" | "location" | "break_glass" | "admin";

/**
 * How (if at all) the actor may open this patient's record. Undefined means no access; callers
 * answer 404 so that existence is not revealed.
 */
export async function patientAccess(
  db: Executor,
  actor: Actor,
  patientId: string,
): Promise<PatientAccess | undefined> {
  switch (actor.role) {
    case "admin":
      return "admin";
    case "patient":
      if (actor.patientId === patientId) return "own";
      return actor.patientIds.includes(patientId) ? "guardian" : undefined;
    case "physician":
      if (actor.physicianId && (await careRelations.physicianHasSeen(db, actor.physicianId, patientId)))
        return "care";
      return (await breakGlassActive(db, actor.userId, patientId)) ? "break_glass" : undefined;
    case "location_staff":
      if (await careRelations.patientHasAppointmentAt(db, patientId, actor.locationIds)) return "location";
      return (await breakGlassActive(db, actor.userId, patientId)) ? "break_glass" : undefined;
    default:
      return undefined;
  }
}

/** The patients the actor may list; undefined means the whole network (administrators). */
export async function patientScope(db: Executor, actor: Actor): Promise<string[] | undefined> {
  switch (actor.role) {
    case "admin":
      return undefined;
    case "patient":
      return actor.patientIds;
    case "physician":
      return actor.physicianId ? careRelations.patientIdsFor(db, { physicianId: actor.physicianId }) : [];
    case "location_staff":
      return careRelations.patientIdsFor(db, { locationIds: actor.locationIds });
    default:
      return [];
  }
}

/** Throws 404 unless the actor may open the record; returns the ground for the audit trail. */
export async function requirePatientAccess(
  db: Executor,
  actor: Actor,
  patientId: string,
): Promise<PatientAccess> {
  const access = await patientAccess(db, actor, patientId);
  if (!access) throw problems.notFound("patient");
  return access;
}
