import type { App } from "../../platform/http.js";
import { actorOf } from "../../platform/identity/index.js";
import { rolesFor } from "../../platform/policy.js";
import { errorResponses } from "../../platform/schemas.js";
import { modelAnswer, riskAnswer, riskQuery } from "./schema.js";
import type { AnalyticsService } from "./service.js";

const tags = ["analytics"];
/** Whoever some rule lets see a risk: staff (their locations), physicians (their own), administrators. */
const riskReaders = [
  ...new Set([...rolesFor("location", "read_no_show_risk"), ...rolesFor("physician", "read_no_show_risk")]),
];

export function analyticsRoutes(app: App, svc: AnalyticsService): void {
  app.get(
    "/api/v1/analytics/no-show-risk",
    {
      // the location or physician named is authorized by the service (read_no_show_risk): 404 outside the caller's
      config: { allow: riskReaders, guards: { "query.locationId": "scope", "query.physicianId": "scope" } },
      schema: {
        tags,
        summary:
          "The no-show risk of a location's or a physician's booked appointments in a window (not for patients)",
        querystring: riskQuery,
        response: { 200: riskAnswer, ...errorResponses },
      },
    },
    (req) => svc.noShowRisk(actorOf(req), req.query),
  );
  app.get(
    "/api/v1/analytics/no-show-model",
    {
      config: { allow: ["admin"] },
      schema: {
        tags,
        summary:
          "The no-show model in use: its evaluation on held-out appointments beside a lead-time baseline",
        response: { 200: modelAnswer, ...errorResponses },
      },
    },
    () => svc.currentModel(),
  );
}
