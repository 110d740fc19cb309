/**
 * Who may do what, as sentences: `can(actor, "manage", "location")`. Every route declares the
 * roles it admits (checked before the handler runs) and every service narrows what it reads to the
 * actor's scope — location, department, own patients — so access stops at the location's door
 * even when an identifier is guessed.
 */

export const roles = [
  "patient",
  "physician",
  "location_staff",
  "department_head",
  "admin",
  "compliance",
] as const;
export type Role = (typeof roles)[number];

/**
 * Roles no person signs in with: a system that acts on its own account (the HL7 interface, an
 * imaging modality reporting its procedure steps over DICOM), with
 * rules of its own in the policy table and no route admitting it.
 */
export const systemRoles = ["interface", "modality"] as const;
export type SystemRole = (typeof systemRoles)[number];
/** Whoever acts: a person's role or a system's. */
export type ActorRole = Role | SystemRole;

export interface Actor {
  userId: string;
  role: ActorRole;
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
  /**
   * A system client (a SMART backend service calling the FHIR API) rather than a person: it acts
   * with the rights of staff at its registered locations, narrowed to the policy actions its
   * token's scopes grant (`patient.read`, `appointment.cancel`…).
   */
  client?: { id: string; scopes: readonly string[]; grants: readonly string[] };
}

/** Route-level admission: the roles a route lets in at all, or "public" for no sign-in. */
export type Admission = "public" | "authenticated" | readonly Role[];

export function admits(admission: Admission, actor: Actor | undefined): boolean {
  if (admission === "public") return true;
  if (!actor) return false;
  if (admission === "authenticated") return true;
  // a system role is in no route's admission: systems do not call the API
  return (admission as readonly ActorRole[]).includes(actor.role);
}
