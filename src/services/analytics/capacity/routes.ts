import type { App } from "../../../platform/http.js";
import { actorOf } from "../../../platform/identity/index.js";
import { rolesFor } from "../../../platform/policy.js";
import { errorResponses, idParams, pageOf } from "../../../platform/schemas.js";
import {
  applyInput,
  capacityPlan,
  contract,
  contractInput,
  physicianParams,
  planQuery,
  proposalInput,
} from "./schema.js";
import type { CapacityService } from "./service.js";

const tags = ["capacity planning"];
const planners = rolesFor("specialty", "plan_capacity");
const schedulers = rolesFor("physician", "manage_schedule");
const viaPlan = ["specialty", "plan_capacity", { via: "capacity plan" }] as const;

export function capacityRoutes(app: App, svc: CapacityService): void {
  app.put(
    "/api/v1/capacity-plans/contracts/:physicianId",
    {
      config: {
        allow: schedulers,
        guards: {
          "params.physicianId": ["physician", "manage_schedule"],
          "body.homeLocationId": "reference",
          "body.locationIds": "reference",
        },
      },
      schema: {
        tags,
        summary: "Set a physician's contract: where they may work, hours per week, weekdays",
        params: physicianParams,
        body: contractInput,
        response: { 200: contract, ...errorResponses },
      },
    },
    (req) => svc.putContract(actorOf(req), req.params.physicianId, req.body),
  );
  app.get(
    "/api/v1/capacity-plans/contracts/:physicianId",
    {
      config: { allow: schedulers, guards: { "params.physicianId": ["physician", "manage_schedule"] } },
      schema: {
        tags,
        summary: "A physician's contract",
        params: physicianParams,
        response: { 200: contract, ...errorResponses },
      },
    },
    (req) => svc.contract(actorOf(req), req.params.physicianId),
  );
  app.post(
    "/api/v1/capacity-plans",
    {
      // the specialty named is authorized by the service (plan_capacity); demand's locations are references
      config: { allow: planners },
      schema: {
        tags,
        summary:
          "Propose the next weeks' assignments of a specialty's physicians (a MIP solved by HiGHS), beside today's plan",
        body: proposalInput,
        response: { 201: capacityPlan, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await svc.propose(actorOf(req), req.body)),
  );
  app.get(
    "/api/v1/capacity-plans",
    {
      config: { allow: planners },
      schema: {
        tags,
        summary: "A specialty's capacity plans, newest first",
        querystring: planQuery,
        response: { 200: pageOf(capacityPlan), ...errorResponses },
      },
    },
    (req) => svc.list(actorOf(req), req.query),
  );
  app.get(
    "/api/v1/capacity-plans/:id",
    {
      config: { allow: planners, guards: { "params.id": viaPlan } },
      schema: {
        tags,
        summary: "A capacity plan: proposed and today's assignments with coverage, travel and expected wait",
        params: idParams,
        response: { 200: capacityPlan, ...errorResponses },
      },
    },
    (req) => svc.get(actorOf(req), req.params.id),
  );
  app.post(
    "/api/v1/capacity-plans/:id/apply",
    {
      config: { allow: planners, guards: { "params.id": viaPlan } },
      schema: {
        tags,
        summary: "Apply a proposal through automatic rescheduling (a temporary assignment per changed week)",
        params: idParams,
        body: applyInput,
        response: { 200: capacityPlan, ...errorResponses },
      },
    },
    (req) => svc.apply(actorOf(req), req.params.id, req.body.policy),
  );
}
