import type { App } from "../../platform/http.js";
import { actorOf } from "../../platform/identity/index.js";
import { rolesFor } from "../../platform/policy.js";
import { errorResponses, pageOf } from "../../platform/schemas.js";
import { applyInput, handover, handoverQuery, planInput, planParams, reschedulePlan } from "./schema.js";
import type { Rescheduling } from "./service.js";

const tags = ["rescheduling"];
/** Administrators and the physician's department heads, as for the schedule change itself. */
const managers = rolesFor("physician", "manage_schedule");

export function reschedulingRoutes(app: App, svc: Rescheduling): void {
  app.post(
    "/api/v1/reschedule-plans",
    {
      config: { allow: managers, guards: { "body.physicianId": ["physician", "manage_schedule"] } },
      schema: {
        tags,
        summary:
          "What if: the appointments a proposed schedule change would make impossible, each with up to 3 alternatives (nothing is changed)",
        body: planInput,
        response: { 201: reschedulePlan, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await svc.propose(actorOf(req), req.body)),
  );
  app.get(
    "/api/v1/reschedule-plans/:id",
    {
      config: {
        allow: managers,
        guards: { "params.id": ["physician", "manage_schedule", { via: "reschedule plan" }] },
      },
      schema: {
        tags,
        summary: "A plan, and once applied its report: every affected appointment with its final state",
        params: planParams,
        response: { 200: reschedulePlan, ...errorResponses },
      },
    },
    (req) => svc.get(actorOf(req), req.params.id),
  );
  app.post(
    "/api/v1/reschedule-plans/:id/apply",
    {
      config: {
        allow: managers,
        guards: { "params.id": ["physician", "manage_schedule", { via: "reschedule plan" }] },
      },
      schema: {
        tags,
        summary:
          "Make the change and move (auto_move) or hand to the location's staff (staff) every affected appointment; 409 if applied before, expired or the facts changed",
        params: planParams,
        body: applyInput,
        response: { 200: reschedulePlan, ...errorResponses },
      },
    },
    (req) => svc.apply(actorOf(req), req.params.id, req.body),
  );
  app.get(
    "/api/v1/reschedule-handovers",
    {
      config: {
        allow: rolesFor("location", "handle_handovers"),
        guards: { "query.locationId": ["location", "handle_handovers"] },
      },
      schema: {
        tags,
        summary: "Appointments a schedule change handed to this location's staff to rebook",
        querystring: handoverQuery,
        response: { 200: pageOf(handover), ...errorResponses },
      },
    },
    (req) => svc.handovers(actorOf(req), req.query),
  );
}
