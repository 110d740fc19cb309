/**
 * Expanded working plans: templates, overrides and approved time off turned into dated blocks in
 * each location's time zone, cached (in a cache the caller creates and passes) under each
 * physician's plan stamp, which triggers renew on any change to those inputs, on any replica.
 */
import { groupBy } from "../../platform/collections.js";
import type { Executor } from "../../platform/db.js";
import { locationService } from "../locations/index.js";
import { toOverride, toTemplate, toTimeOff } from "./mappers.js";
import type { PhysicianPlan, PlanCache } from "./plan-cache.js";
import { type OverrideRow, physicianRepository as repo, type TemplateRow } from "./repository.js";
import { expandAssignments, type OverrideRule, rangeWindow, type TemplateRule } from "./schedule.js";

export { createPlanCache, type PhysicianPlan, type PlanCache } from "./plan-cache.js";

const toTemplateRule = (r: TemplateRow): TemplateRule => toTemplate(r);
const toOverrideRule = (r: OverrideRow): OverrideRule => toOverride(r);

/**
 * Planned working blocks of several physicians over the local dates [from, to], loaded in a few
 * queries. Physicians without blocks map to empty plans.
 */
async function expandPlans(
  db: Executor,
  physicianIds: string[],
  from: string,
  to: string,
  cutTimeOff = true,
): Promise<Map<string, PhysicianPlan>> {
  const [templates, overrides] = await Promise.all([
    repo.templatesBetween(db, physicianIds, from, to),
    repo.overridesBetween(db, physicianIds, from, to),
  ]);
  const locationIds = [...new Set([...templates, ...overrides].map((r) => r.location_id))];
  const timeZones = await locationService.timeZones(db, locationIds);
  const window = rangeWindow(from, to, timeZones.values());
  const absences = (
    await repo.timeOffBetween(db, physicianIds, new Date(window.start), new Date(window.end))
  ).map(toTimeOff);
  const templatesOf = groupBy(templates, (t) => t.physician_id);
  const overridesOf = groupBy(overrides, (o) => o.physician_id);
  const absencesOf = groupBy(absences, (a) => a.physicianId);
  const plans = new Map<string, PhysicianPlan>();
  for (const id of physicianIds) {
    const timeOff = absencesOf.get(id) ?? [];
    const assignments = expandAssignments({
      from,
      to,
      templates: (templatesOf.get(id) ?? []).map(toTemplateRule),
      overrides: (overridesOf.get(id) ?? []).map(toOverrideRule),
      // A request is not yet leave: the physician stays planned until it is approved.
      timeOff: cutTimeOff ? timeOff.filter((t) => t.status === "approved") : [],
      timeZones,
    });
    plans.set(id, { assignments, timeOff });
  }
  return plans;
}

/**
 * The blocks as the templates and assignments plan them, before approved time off is cut out (the
 * reports measure time off as the planned time it blocked). Never cached: reports read it rarely.
 */
export function plansBeforeTimeOff(
  db: Executor,
  physicianIds: string[],
  from: string,
  to: string,
): Promise<Map<string, PhysicianPlan>> {
  return expandPlans(db, physicianIds, from, to, false);
}

/**
 * Planned working blocks of several physicians over the local dates [from, to]: from `cache`
 * when the physician's plan stamp is unchanged, expanded otherwise (always, without a cache: the
 * seed and one-off reads). Physicians without blocks map to empty plans.
 */
export async function cachedPlans(
  db: Executor,
  physicianIds: string[],
  from: string,
  to: string,
  /** The plan stamps, when the caller has just read them (saves a query). */
  knownStamps?: ReadonlyMap<string, string>,
  cache?: PlanCache,
): Promise<Map<string, PhysicianPlan>> {
  if (!cache) return expandPlans(db, physicianIds, from, to);
  // expanded plans are kept under each physician's plan stamp, which triggers renew on any change
  const stamps = knownStamps ?? (await repo.planStamps(db, physicianIds));
  const plans = new Map<string, PhysicianPlan>();
  const missing: string[] = [];
  for (const id of physicianIds) {
    const stamp = stamps.get(id);
    const known = stamp === undefined ? undefined : cache.get(`${id}|${from}|${to}`);
    if (known && known.stamp === stamp) plans.set(id, known.plan);
    else missing.push(id);
  }
  if (missing.length === 0) return plans;
  const fresh = await expandPlans(db, missing, from, to);
  for (const [id, plan] of fresh) {
    plans.set(id, plan);
    const stamp = stamps.get(id);
    if (stamp !== undefined) cache.set(`${id}|${from}|${to}`, stamp, plan);
  }
  return plans;
}
