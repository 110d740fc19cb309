/**
 * Patient scope facts and list scopes for the access policy (policy.ts): which patients a caller
 * reaches comes from facts other modules own, installed by the composition root; lists are
 * narrowed to the same scope.
 */
import type { Actor } from "./access.js";
import type { Executor } from "./db.js";

/**
 * Facts about care relationships that other modules own: the scheduling module knows who has a
 * standing appointment where, the patients module where a patient registered, the identity module
 * the break-the-glass grants. The composition root installs them; until then nobody has any.
 */
export interface ScopeFacts {
  /** A standing appointment of this patient with this physician. */
  physicianCares(db: Executor, physicianId: string, patientId: string): Promise<boolean>;
  /** A standing appointment of this patient at one of these locations, or registered at one. */
  atLocations(db: Executor, locationIds: readonly string[], patientId: string): Promise<boolean>;
  /** An unexpired break-the-glass grant of this user for this patient. */
  breakGlass(db: Executor, userId: string, patientId: string): Promise<boolean>;
  /** Every patient in scope of a physician or of a set of locations (lists). */
  patientIdsFor(
    db: Executor,
    scope: { physicianId?: string; locationIds?: readonly string[] },
  ): Promise<string[]>;
}

const noFacts: ScopeFacts = {
  physicianCares: async () => false,
  atLocations: async () => false,
  breakGlass: async () => false,
  patientIdsFor: async () => [],
};
let installed: ScopeFacts = noFacts;

/** The composition root installs the modules' facts at start. */
export function installScopeFacts(these: ScopeFacts): void {
  installed = these;
}

/** The installed facts, read by the policy's conditions at the moment they are asked. */
export const facts: ScopeFacts = {
  physicianCares: (...a) => installed.physicianCares(...a),
  atLocations: (...a) => installed.atLocations(...a),
  breakGlass: (...a) => installed.breakGlass(...a),
  patientIdsFor: (...a) => installed.patientIdsFor(...a),
};

/** The patients the actor may list; undefined means the whole network (administrators). */
export async function patientScope(db: Executor, actor: Actor): Promise<string[] | undefined> {
  switch (actor.role) {
    case "admin":
      return undefined;
    case "patient":
      return actor.patientIds;
    case "physician":
      return actor.physicianId ? facts.patientIdsFor(db, { physicianId: actor.physicianId }) : [];
    case "location_staff":
      return facts.patientIdsFor(db, { locationIds: actor.locationIds });
    default:
      return [];
  }
}

/**
 * The appointments the actor may list, as filters (undefined: no narrowing on that axis), or
 * undefined when the actor may list none. The same rules as reading one appointment.
 */
export function appointmentScope(
  actor: Actor,
): { locationIds?: string[]; physicianIds?: string[]; patientIds?: string[] } | undefined {
  switch (actor.role) {
    case "admin":
      return {};
    case "location_staff":
      return { locationIds: actor.locationIds };
    case "physician":
      return { physicianIds: actor.physicianId ? [actor.physicianId] : [] };
    case "patient":
      return { patientIds: actor.patientIds };
    default:
      return undefined;
  }
}
