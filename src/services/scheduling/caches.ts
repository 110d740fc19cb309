/**
 * What scheduling keeps in memory between requests, made by one factory: the facility snapshot,
 * the occupancy of physicians and rooms, and expanded plans. The composition root creates them
 * once per server and passes them in (two servers in one process keep apart, as two replicas do);
 * every cache is renewed by a stamp or by the schedule changes forwarded to `occupancy.forget`:
 * this server's own as it publishes them (`publishChange`), other replicas' from the outbox.
 */
import type { Executor } from "../../platform/db.js";
import { publish, type ScheduleEventInput } from "../../platform/events.js";
import { createPlanCache, type PlanCache } from "../physicians/index.js";
import { createFacilitiesCache, type FacilitiesCache } from "./facilities-cache.js";
import { createOccupancy, type Occupancy } from "./occupancy.js";

export interface SchedulingCaches {
  facilities: FacilitiesCache;
  occupancy: Occupancy;
  plans: PlanCache;
}

export function createSchedulingCaches(
  opts: {
    /** The physicians service's plan cache, so both read the same expanded plans. */
    plans?: PlanCache;
    clock?: () => number;
  } = {},
): SchedulingCaches {
  const clock = opts.clock ?? Date.now;
  return {
    facilities: createFacilitiesCache(clock),
    occupancy: createOccupancy(clock),
    plans: opts.plans ?? createPlanCache(),
  };
}

/**
 * Writes a schedule change to the outbox and forgets what it touches in these caches at once
 * (before the transaction commits, and even if it then rolls back: forgetting is always safe).
 */
export async function publishChange(
  caches: SchedulingCaches,
  tx: Executor,
  e: ScheduleEventInput,
): Promise<void> {
  caches.occupancy.forget(e);
  await publish(tx, e);
}
