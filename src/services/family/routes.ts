import { z } from "zod";
import type { App } from "../../platform/http.js";
import { actorOf } from "../../platform/identity/index.js";
import { rolesFor } from "../../platform/policy.js";
import { errorResponses } from "../../platform/schemas.js";
import {
  familyAppointments,
  familyBookInput,
  familyHoldInput,
  familySearchInput,
  familySearchResult,
} from "./schema.js";
import type { Family } from "./service.js";

const tags = ["family"];
const conflict = {
  409: z.looseObject({
    code: z.string(),
    reason: z.string().optional(),
    member: z.number().int().optional(),
    patientId: z.string().optional(),
  }),
};

/**
 * Every member's ids are guarded alike; the guards name the first member's fields (a refusal names
 * the member it is about: `body.members.1.patientId`).
 */
export function familyRoutes(app: App, svc: Family): void {
  app.post(
    "/api/v1/family-searches",
    {
      config: {
        allow: rolesFor("patient", "search_for"),
        guards: {
          "body.members.0.patientId": ["patient", "search_for"],
          "body.members.0.appointmentTypeId": "reference",
          "body.members.0.physicianId": "reference",
          "body.locationIds": "reference",
        },
      },
      schema: {
        tags,
        summary:
          "Trips for several family members: one location, one day, their visits back to back or side by side with different physicians",
        body: familySearchInput,
        response: { 200: familySearchResult, ...errorResponses },
      },
    },
    (req) => svc.search(actorOf(req), req.body),
  );
  app.post(
    "/api/v1/family-holds",
    {
      config: {
        allow: rolesFor("patient", "book"),
        guards: {
          "body.members.0.patientId": ["patient", "book"],
          "body.members.0.optionId": "signed",
          "body.tripId": "signed",
        },
      },
      schema: {
        tags,
        summary: "Hold every member's option of a trip together, or none",
        body: familyHoldInput,
        response: { 201: familyAppointments, ...errorResponses, ...conflict },
      },
    },
    async (req, reply) => reply.code(201).send(await svc.hold(actorOf(req), req.body)),
  );
  app.post(
    "/api/v1/family-bookings",
    {
      config: {
        allow: rolesFor("patient", "book"),
        guards: {
          "body.members.0.patientId": ["patient", "book"],
          "body.members.0.optionId": "signed",
          "body.members.0.holdId": "scope",
          "body.tripId": "signed",
        },
      },
      schema: {
        tags,
        summary: "Book a trip's options (with its id), or the members' holds of it, together: all or none",
        body: familyBookInput,
        response: { 201: familyAppointments, ...errorResponses, ...conflict },
      },
    },
    async (req, reply) => reply.code(201).send(await svc.book(actorOf(req), req.body)),
  );
}
