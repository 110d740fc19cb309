import type { App } from "../../platform/http.js";
import { actorOf } from "../../platform/identity/index.js";
import { rolesFor } from "../../platform/policy.js";
import { errorResponses, idParams, problemSchema } from "../../platform/schemas.js";
import { patientRecords, recordsQuery } from "./schema.js";
import type { Records } from "./service.js";

export function recordsRoutes(app: App, svc: Records): void {
  app.get(
    "/api/v1/patients/:id/records",
    {
      config: {
        allow: rolesFor("patient", "read_records"),
        guards: { "params.id": ["patient", "read_records"], "query.locationId": "reference" },
      },
      schema: {
        tags: ["patients"],
        summary:
          "The patient's record from the EMR (demographics, problems, allergies, medications, recent encounters, lab results), for a physician the patient is booked with, at any location; audited with the location you are at",
        params: idParams,
        querystring: recordsQuery,
        response: { 200: patientRecords, ...errorResponses, 502: problemSchema, 503: problemSchema },
      },
    },
    (req) => svc.view(actorOf(req), req.params.id, req.query),
  );
}
