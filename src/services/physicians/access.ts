import type { FastifyRequest } from "fastify";
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
export function physicianGuard(db: Db, aspect: ManagedAspect) {
  return async (req: FastifyRequest): Promise<void> => {
    const actor = actorOf(req);
    const physicianId = (req.params as { id: string }).id;
    if (actor.role === "admin") return;
    if (aspect === "time_off" && actor.role === "physician" && actor.physicianId === physicianId) return;
    if (actor.role === "department_head") {
      const physician = await physicianService.get(db, physicianId);
      if (physician.specialties.some((s) => actor.specialties.includes(s))) return;
    }
    throw problems.notFound("physician");
  };
}
