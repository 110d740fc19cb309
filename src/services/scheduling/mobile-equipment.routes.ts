import type { App } from "../../platform/http.js";
import { actorOf } from "../../platform/identity/index.js";
import { rolesFor } from "../../platform/policy.js";
import { errorResponses } from "../../platform/schemas.js";
import { mobileEquipmentList, mobileEquipmentQuery } from "./mobile-equipment.schema.js";
import type { MobileEquipment } from "./mobile-equipment.service.js";

export function mobileEquipmentRoutes(app: App, svc: MobileEquipment): void {
  app.get(
    "/api/v1/mobile-equipment",
    {
      config: {
        allow: rolesFor("location", "read_resources"),
        guards: { "query.locationId": ["location", "read_resources"] },
      },
      schema: {
        tags: ["scheduling"],
        summary:
          "Equipment that travels between locations: where each item is, its uses and its moves (yours and what comes to or leaves your locations)",
        querystring: mobileEquipmentQuery,
        response: { 200: mobileEquipmentList, ...errorResponses },
      },
    },
    (req) => svc.list(actorOf(req), req.query),
  );
}
