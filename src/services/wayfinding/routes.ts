import { z } from "zod";
import type { App } from "../../platform/http.js";
import { actorOf } from "../../platform/identity/index.js";
import { rolesFor } from "../../platform/policy.js";
import { errorResponses, idParams } from "../../platform/schemas.js";
import { appointmentRoute, mapCollection, mapFeature, mapSummary, routeQuery } from "./schema.js";
import type { Wayfinding } from "./service.js";

const tags = ["wayfinding"];

/** A real-sized campus map runs to a few megabytes of GeoJSON. */
const MAP_BODY_LIMIT = 16 * 1_048_576;

export function wayfindingRoutes(app: App, svc: Wayfinding): void {
  app.put(
    "/api/v1/locations/:id/map",
    {
      bodyLimit: MAP_BODY_LIMIT,
      config: {
        allow: rolesFor("location", "manage_map"),
        guards: { "params.id": ["location", "manage_map"] },
      },
      schema: {
        tags,
        summary: "Replace a location's indoor map (GeoJSON: Points are places, LineStrings are links)",
        params: idParams,
        body: mapCollection,
        response: { 200: mapSummary, ...errorResponses },
      },
    },
    (req) => svc.replaceMap(actorOf(req), req.params.id, req.body),
  );
  app.get(
    "/api/v1/locations/:id/map",
    {
      config: {
        allow: rolesFor("location", "read_resources"),
        guards: { "params.id": ["location", "read_resources"] },
      },
      schema: {
        tags,
        summary: "A location's indoor map as GeoJSON, with a summary of its floors and coverage",
        params: idParams,
        response: {
          200: z.object({
            type: z.literal("FeatureCollection"),
            features: z.array(mapFeature),
            summary: mapSummary,
          }),
          ...errorResponses,
        },
      },
    },
    (req) => svc.exportMap(actorOf(req), req.params.id),
  );
  app.get(
    "/api/v1/appointments/:id/route",
    {
      config: {
        allow: rolesFor("appointment", "read"),
        guards: { "params.id": ["appointment", "read"], "query.from": "reference" },
      },
      schema: {
        tags,
        summary:
          "The way from an entrance or car park to the appointment's room, as steps and per-floor plans (step-free by the patient's needs unless asked)",
        params: idParams,
        querystring: routeQuery,
        response: { 200: appointmentRoute, ...errorResponses },
      },
    },
    (req) => svc.route(actorOf(req), req.params.id, req.query),
  );
}
