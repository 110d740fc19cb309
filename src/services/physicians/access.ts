import type { Actor } from "../../platform/access.js";
import type { Executor } from "../../platform/db.js";
import { type Actions, type Policies, physicianTarget } from "../../platform/policy.js";

/** What about a physician is being managed: their profile, their schedule, or their time off. */
export type ManagedAspect = "profile" | "schedule" | "time_off";

const ACTION: Record<ManagedAspect, Actions["physician"]> = {
  profile: "manage_profile",
  schedule: "manage_schedule",
  time_off: "manage_time_off",
};

/**
 * Administrators manage every physician; department heads the physicians of their departments'
 * specialties, across locations; a physician only their own time off (the policy table). The
 * physician's specialties are read only when a rule asks.
 */
export function physicianAccess(
  policies: Policies,
  physician: (db: Executor, id: string) => Promise<{ specialties: string[] }>,
) {
  const target = (db: Executor, physicianId: string) =>
    physicianTarget(physicianId, async () => (await physician(db, physicianId)).specialties);
  return {
    /** Whether the actor may manage this aspect of the physician (no throw). */
    permits: (db: Executor, actor: Actor, physicianId: string, aspect: ManagedAspect): Promise<boolean> =>
      policies.permits(db, actor, ACTION[aspect], target(db, physicianId)),
    /** Anyone else gets 404, and the refusal is audited. */
    authorize: async (
      db: Executor,
      actor: Actor,
      physicianId: string,
      aspect: ManagedAspect,
    ): Promise<void> => {
      await policies.authorize(db, actor, ACTION[aspect], target(db, physicianId));
    },
  };
}
