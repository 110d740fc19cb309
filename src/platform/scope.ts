/**
 * Patient scope facts and list scopes for the access policy (policy.ts): which patients a caller
 * reaches comes from facts other modules own, gathered by the composition root; lists are
 * narrowed to the same scope.
 */
import type { Actor } from "./access.js";
import type { Executor } from "./db.js";

/**
 * Facts about care relationships that other modules own: the scheduling module knows who has a
 * standing appointment where, the patients module where a patient registered, the identity module
 * the break-the-glass grants, the referrals module which location a patient is referred to. The composition root gathers them and hands them to `createPolicies`.
 */
export interface ScopeFacts {
  /** A standing appointment of this patient with this physician. */
  physicianCares(db: Executor, physicianId: string, patientId: string): Promise<boolean>;
  /** A standing appointment of this patient at one of these locations, or registered at one. */
  atLocations(db: Executor, locationIds: readonly string[], patientId: string): Promise<boolean>;
  /** An unexpired break-the-glass grant of this user for this patient. */
  breakGlass(db: Executor, userId: string, patientId: string): Promise<boolean>;
  /** An open referral (sent or accepted) of this patient to one of these locations. */
  referredTo(db: Executor, locationIds: readonly string[], patientId: string): Promise<boolean>;
  /** Every patient in scope of a physician or of a set of locations (lists). */
  patientIdsFor(
    db: Executor,
    scope: { physicianId?: string; locationIds?: readonly string[] },
  ): Promise<string[]>;
}

/** Nobody is in anybody's scope: the facts before any module's are known. */
export const noScopeFacts: ScopeFacts = {
  physicianCares: async () => false,
  atLocations: async () => false,
  breakGlass: async () => false,
  referredTo: async () => false,
  patientIdsFor: async () => [],
};

/** The patients the actor may list under these facts; undefined means the whole network (administrators). */
export function createPatientScope(
  facts: ScopeFacts,
): (db: Executor, actor: Actor) => Promise<string[] | undefined> {
  return async (db, actor) => {
    switch (actor.role) {
      // the EMR's master patient index names any patient (found by MRN)
      case "admin":
      case "interface":
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
  };
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
