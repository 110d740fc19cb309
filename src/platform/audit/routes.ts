import type { App } from "../http.js";
import { actorOf } from "../identity/plugin.js";
import { rolesFor } from "../policy.js";
import { errorResponses, idParams, pageOf, pageQuery } from "../schemas.js";
import { auditEvent, auditQuery } from "./schema.js";
import type { Audit } from "./service.js";

/** The web app reads the event's shape from here. */
export { auditEvent } from "./schema.js";

const tags = ["audit"];

export function auditRoutes(app: App, audit: Audit): void {
  app.get(
    "/api/v1/audit-events",
    {
      config: {
        allow: ["admin", "compliance"],
        guards: { "query.patientId": "scope", "query.userId": "scope", "query.locationId": "scope" },
      },
      schema: {
        tags,
        summary: "Search the audit trail",
        querystring: auditQuery,
        response: { 200: pageOf(auditEvent), ...errorResponses },
      },
    },
    (req) => audit.search(actorOf(req), req.query),
  );

  app.get(
    "/api/v1/patients/:id/access-log",
    {
      config: {
        allow: rolesFor("patient", "read_access_log"),
        guards: { "params.id": ["patient", "read_access_log"] },
      },
      schema: {
        tags,
        summary: "Who opened or changed this patient's record (patients see their own and their dependents')",
        params: idParams,
        querystring: pageQuery,
        response: { 200: pageOf(auditEvent), ...errorResponses },
      },
    },
    (req) => audit.accessLog(actorOf(req), req.params.id, req.query),
  );
}
