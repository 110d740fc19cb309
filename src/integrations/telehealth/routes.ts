import type { App } from "../../platform/http.js";
import { auditContextOf } from "../../platform/identity/index.js";
import { errorResponses } from "../../platform/schemas.js";
import { visitPage, visitTokenParams } from "./schema.js";
import type { VisitPages } from "./service.js";

export function telehealthRoutes(app: App, pages: VisitPages): void {
  app.get(
    "/api/v1/visits/:token",
    {
      // the link is its own credential (like a waitlist offer's): whoever holds it reaches the page
      config: { allow: "public" },
      schema: {
        tags: ["telehealth"],
        summary:
          "The video visit a built-in join link names: which visit, when the room opens, or that it was cancelled",
        params: visitTokenParams,
        response: { 200: visitPage, ...errorResponses },
      },
    },
    (req) =>
      pages.open(
        req.params.token,
        req.actor
          ? auditContextOf(req.actor)
          : { userId: null, role: null, requestId: req.id, clientAddress: req.ip },
      ),
  );
}
