import type { FastifyRequest } from "fastify";
import type { Actor } from "../../platform/access.js";
import type { Db } from "../../platform/db.js";
import { actorOf } from "../../platform/identity/index.js";
import { type Actions, authorize, permits, physicianTarget } from "../../platform/policy.js";
import { physicianService } from "./service.js";

/** What about a physician is being managed: their profile, their schedule, or their time off. */
export type ManagedAspect = "profile" | "schedule" | "time_off";

const ACTION: Record<ManagedAspect, Actions["physician"]> = {
  profile: "manage_profile",
  schedule: "manage_schedule",
  time_off: "manage_time_off",
};

/** The physician as the access policy sees them (specialties read only when a rule asks). */
const target = (db: Db, physicianId: string) =>
  physicianTarget(physicianId, async () => (await physicianService.get(db, physicianId)).specialties);

/**
 * Administrators manage every physician; department heads the physicians of their departments'
 * specialties, across locations; a physician only their own time off (the policy table).
 */
export function mayManage(
  db: Db,
  actor: Actor,
  physicianId: string,
  aspect: ManagedAspect,
): Promise<boolean> {
  return permits(db, actor, ACTION[aspect], target(db, physicianId));
}

export const mayManageTimeOff = (db: Db, actor: Actor, physicianId: string) =>
  mayManage(db, actor, physicianId, "time_off");

/** A route guard: anyone else gets 404, and the refusal is audited. */
export function physicianGuard(db: Db, aspect: ManagedAspect) {
  return async (req: FastifyRequest): Promise<void> => {
    await authorize(db, actorOf(req), ACTION[aspect], target(db, (req.params as { id: string }).id));
  };
}
