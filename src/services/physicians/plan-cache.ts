/** Where expanded plans are kept between requests (see plans.ts). */
import type { PlannedBlock } from "./schedule.js";
import type { TimeOff } from "./schema.js";

export interface PhysicianPlan {
  assignments: PlannedBlock[];
  /** Time off in the range that was not declined; only approved time off is cut from blocks. */
  timeOff: TimeOff[];
}

/**
 * Expanded plans by physician and date range, each under the plan stamp it was expanded from:
 * one per server, created by the composition root and passed to `cachedPlans`. Bounded: it starts
 * afresh beyond `maxEntries`.
 */
export interface PlanCache {
  get(key: string): { stamp: string; plan: PhysicianPlan } | undefined;
  set(key: string, stamp: string, plan: PhysicianPlan): void;
}

export function createPlanCache(maxEntries = 50_000): PlanCache {
  const entries = new Map<string, { stamp: string; plan: PhysicianPlan }>();
  return {
    get: (key) => entries.get(key),
    set(key, stamp, plan) {
      if (entries.size >= maxEntries) entries.clear();
      entries.set(key, { stamp, plan });
    },
  };
}
