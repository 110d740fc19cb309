import type { FastifyRequest } from "fastify";
import type { Actor } from "../../platform/access.js";
import type { Db } from "../../platform/db.js";
import { problems } from "../../platform/errors.js";
import { actorOf } from "../../platform/identity/index.js";
import { physicianService } from "./service.js";

/** What about a physician is being managed: their profile, their schedule, or their time off. */
export type ManagedAspect = "profile" | "schedule" | "time_off";

/**
 * Administrators manage every physician; department heads the physicians of their departments'
 * specialties, across locations; a physician only their own time off. Anyone else gets 404.
 */
export async function mayManage(
  db: Db,
  actor: Actor,
  physicianId: string,
  aspect: ManagedAspect,
): Promise<boolean> {
  if (actor.role === "admin") return true;
  if (aspect === "time_off" && actor.role === "physician" && actor.physicianId === physicianId) return true;
  if (actor.role === "department_head") {
    const physician = await physicianService.get(db, physicianId);
    return physician.specialties.some((s) => actor.specialties.includes(s));
  }
  return false;
}

export const mayManageTimeOff = (db: Db, actor: Actor, physicianId: string) =>
  mayManage(db, actor, physicianId, "time_off");

export function physicianGuard(db: Db, aspect: ManagedAspect) {
  return async (req: FastifyRequest): Promise<void> => {
    if (!(await mayManage(db, actorOf(req), (req.params as { id: string }).id, aspect)))
      throw problems.notFound("physician");
  };
}
