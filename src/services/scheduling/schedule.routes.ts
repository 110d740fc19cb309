import type { App } from "../../platform/http.js";
import { actorOf } from "../../platform/identity/index.js";
import { rolesFor } from "../../platform/policy.js";
import { errorResponses, idParams } from "../../platform/schemas.js";
import { type Schedules, schedule, scheduleQuery } from "./schedule.service.js";

export function scheduleRoutes(app: App, svc: Schedules): void {
  app.get(
    "/api/v1/physicians/:id/schedule",
    {
      config: {
        allow: rolesFor("physician", "read_schedule"),
        guards: { "params.id": ["physician", "read_schedule"], "query.locationId": "scope" },
      },
      schema: {
        tags: ["scheduling"],
        summary:
          "A physician's unified schedule across all locations: blocks, appointments, travel, time off",
        params: idParams,
        querystring: scheduleQuery,
        response: { 200: schedule, ...errorResponses },
      },
    },
    (req) => svc.unifiedSchedule(actorOf(req), req.params.id, req.query),
  );
}
