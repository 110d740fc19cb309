import type { App } from "../http.js";
import { actorOf } from "../identity/index.js";
import { rolesFor } from "../policy.js";
import { errorResponses } from "../schemas.js";
import { residencyQuery, residencyReport } from "./schema.js";
import type { Residency } from "./service.js";

export function residencyRoutes(app: App, residency: Residency): void {
  app.get(
    "/api/v1/admin/residency",
    {
      config: { allow: rolesFor("location", "read_residency") },
      schema: {
        tags: ["residency"],
        summary:
          "Where each location's data lives (server, table, partition, tablespace) and whether that is in its region",
        querystring: residencyQuery,
        response: { 200: residencyReport, ...errorResponses },
      },
    },
    (req) => residency.report(actorOf(req), req.query),
  );
}
