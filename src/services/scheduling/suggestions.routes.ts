import type { App } from "../../platform/http.js";
import { actorOf } from "../../platform/identity/index.js";
import { rolesFor } from "../../platform/policy.js";
import { errorResponses } from "../../platform/schemas.js";
import { suggestionsQuery, suggestionsResult } from "./suggestions.schema.js";
import type { Suggestions } from "./suggestions.service.js";

export function suggestionRoutes(app: App, svc: Suggestions): void {
  app.get(
    "/api/v1/availability/suggestions",
    {
      config: {
        allow: rolesFor("patient", "book"),
        guards: {
          "query.appointmentTypeId": "reference",
          "query.physicianId": "reference",
          "query.locationIds": "reference",
          "query.patientId": ["patient", "search_for"],
        },
      },
      schema: {
        tags: ["scheduling"],
        summary: "Suggested for you: the best few bookable options for a patient, each saying why",
        querystring: suggestionsQuery,
        response: { 200: suggestionsResult, ...errorResponses },
      },
    },
    (req) => svc.suggest(actorOf(req), req.query),
  );
}
