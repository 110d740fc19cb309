/**
 * A location's overbooking rule: off by default; its staff and administrators read it and turn
 * it on or off, each change audited with what it was before. The rule itself is applied by the
 * pure `availability/overbooking.ts`.
 */
import type { Actor } from "../../platform/access.js";
import { auditService } from "../../platform/audit/index.js";
import { problems } from "../../platform/errors.js";
import { auditContextOf } from "../../platform/identity/index.js";
import type { ServiceDeps } from "../../platform/module.js";
import { locationTarget } from "../../platform/policy.js";
import { toIso } from "../../platform/schemas.js";
import { facilities } from "./availability.service.js";
import type { SchedulingCaches } from "./caches.js";
import { overbookingRepository as repo } from "./overbooking.repository.js";
import {
  DEFAULT_OVERBOOKING,
  OVERBOOKING_EXPLANATION,
  type OverbookingRuleDto,
  type OverbookingRuleInput,
} from "./overbooking.schema.js";

export interface OverbookingDeps extends ServiceDeps {
  caches: SchedulingCaches;
}

export function createOverbooking({ db, clock, policies, caches }: OverbookingDeps) {
  const view = (locationId: string, r: Awaited<ReturnType<typeof repo.get>>): OverbookingRuleDto => ({
    locationId,
    enabled: r?.enabled ?? DEFAULT_OVERBOOKING.enabled,
    threshold: r?.threshold ?? DEFAULT_OVERBOOKING.threshold,
    offerToPatients: r?.offerToPatients ?? DEFAULT_OVERBOOKING.offerToPatients,
    updatedAt: r ? toIso(r.updatedAt) : null,
    explanation: OVERBOOKING_EXPLANATION,
  });
  return {
    async get(actor: Actor, locationId: string): Promise<OverbookingRuleDto> {
      return db.transaction().execute(async (tx) => {
        await policies.authorize(tx, actor, "manage_overbooking", locationTarget(locationId, "params.id"));
        const snapshot = await facilities(tx, { inTransaction: true, cache: caches.facilities });
        if (!snapshot.locations.some((l) => l.id === locationId))
          throw problems.notFound("location", "params.id");
        return view(locationId, await repo.get(tx, locationId));
      });
    },

    /** Turns the rule on or off, or changes its threshold; audited with the rule it replaces. */
    async put(actor: Actor, locationId: string, input: OverbookingRuleInput): Promise<OverbookingRuleDto> {
      return db.transaction().execute(async (tx) => {
        await policies.authorize(tx, actor, "manage_overbooking", locationTarget(locationId, "params.id"));
        const snapshot = await facilities(tx, { inTransaction: true, cache: caches.facilities });
        if (!snapshot.locations.some((l) => l.id === locationId))
          throw problems.notFound("location", "params.id");
        const before = await repo.get(tx, locationId);
        const at = clock.now();
        const rule = {
          enabled: input.enabled,
          threshold: input.threshold,
          offerToPatients:
            input.offerToPatients ?? before?.offerToPatients ?? DEFAULT_OVERBOOKING.offerToPatients,
        };
        await repo.put(tx, locationId, rule, actor.userId, at);
        const wasOn = before?.enabled ?? DEFAULT_OVERBOOKING.enabled;
        await auditService.record(tx, auditContextOf(actor), {
          action:
            input.enabled === wasOn
              ? "overbooking_rule.update"
              : input.enabled
                ? "overbooking_rule.turn_on"
                : "overbooking_rule.turn_off",
          resourceType: "location",
          resourceId: locationId,
          locationId,
          detail: {
            before: {
              enabled: wasOn,
              threshold: before?.threshold ?? DEFAULT_OVERBOOKING.threshold,
              offerToPatients: before?.offerToPatients ?? DEFAULT_OVERBOOKING.offerToPatients,
            },
            after: rule,
          },
        });
        return view(locationId, { ...rule, updatedAt: at });
      });
    },
  };
}

export type Overbooking = ReturnType<typeof createOverbooking>;
