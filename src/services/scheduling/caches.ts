/**
 * What scheduling keeps in memory between requests, made by one factory: the facility snapshot,
 * the occupancy of physicians and rooms, and expanded plans. A server creates its own and passes
 * them in (two servers in one process keep apart, as two replicas do); every cache is renewed by
 * a stamp or by the schedule changes forwarded to `occupancy.forget`.
 */
import { onPublish } from "../../platform/events.js";
import { createPlanCache, type PlanCache, sharedPlanCache } from "../physicians/index.js";
import { createFacilitiesCache, type FacilitiesCache } from "./facilities-cache.js";
import { createOccupancy, type Occupancy } from "./occupancy.js";

export interface SchedulingCaches {
  facilities: FacilitiesCache;
  occupancy: Occupancy;
  plans: PlanCache;
}

export function createSchedulingCaches(clock: () => number = Date.now): SchedulingCaches {
  return {
    facilities: createFacilitiesCache(clock),
    occupancy: createOccupancy(clock),
    plans: createPlanCache(),
  };
}

let shared: SchedulingCaches | undefined;

/**
 * The process's caches, for callers that do not pass their own yet (the routes, until the
 * services are created by factories that hold theirs). The change this process publishes is
 * forgotten at once, before it even commits; other replicas' arrive through `forgetScheduleChange`.
 */
export function sharedSchedulingCaches(): SchedulingCaches {
  if (!shared) {
    // the plans are the physicians module's shared ones: its own views read them too
    const caches = { ...createSchedulingCaches(), plans: sharedPlanCache() };
    onPublish((e) => caches.occupancy.forget(e));
    shared = caches;
  }
  return shared;
}

/** Forgets a change another replica made (it arrives through the outbox) in the shared caches. */
export function forgetScheduleChange(e: Parameters<Occupancy["forget"]>[0]): void {
  sharedSchedulingCaches().occupancy.forget(e);
}
