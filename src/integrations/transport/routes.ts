import { z } from "zod";
import type { App } from "../../platform/http.js";
import { actorOf } from "../../platform/identity/index.js";
import { rolesFor } from "../../platform/policy.js";
import { errorResponses, idParams } from "../../platform/schemas.js";
import {
  locationRidesQuery,
  patientRides,
  ride,
  rideRequest,
  transportNeed,
  transportNeedInput,
} from "./schema.js";
import type { TransportOperations } from "./service.js";

export function transportRoutes(app: App, svc: TransportOperations): void {
  app.put(
    "/api/v1/patients/:id/transport-need",
    {
      config: {
        allow: rolesFor("patient", "set_transport_need"),
        guards: { "params.id": ["patient", "set_transport_need"] },
      },
      schema: {
        tags: ["transport"],
        summary:
          "Whether the patient needs transport to their appointments (the patient's preference, or a staff flag)",
        params: idParams,
        body: transportNeedInput,
        response: { 200: transportNeed, ...errorResponses },
      },
    },
    (req) => svc.setNeed(actorOf(req), req.params.id, req.body),
  );
  app.get(
    "/api/v1/patients/:id/rides",
    {
      config: { allow: rolesFor("patient", "read"), guards: { "params.id": ["patient", "read"] } },
      schema: {
        tags: ["transport"],
        summary: "The patient's transport need and rides with their status",
        params: idParams,
        response: { 200: patientRides, ...errorResponses },
      },
    },
    (req) => svc.ofPatient(actorOf(req), req.params.id),
  );
  app.post(
    "/api/v1/appointments/:id/rides",
    {
      config: {
        allow: rolesFor("appointment", "request_transport"),
        guards: { "params.id": ["appointment", "request_transport"], "body.fromAppointmentId": "scope" },
      },
      schema: {
        tags: ["transport"],
        summary:
          "Books a ride to the appointment (from home, or from the patient's earlier visit the same day at another location); sent to the transport service as a FHIR ServiceRequest and Task, pickup = start − travel − margin",
        params: idParams,
        body: rideRequest,
        response: { 201: ride, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await svc.request(actorOf(req), req.params.id, req.body)),
  );
  app.get(
    "/api/v1/locations/:id/rides",
    {
      config: {
        allow: rolesFor("location", "read_rides"),
        guards: { "params.id": ["location", "read_rides"] },
      },
      schema: {
        tags: ["transport"],
        summary: "The rides picking up on a day that go to or leave from the location",
        params: idParams,
        querystring: locationRidesQuery,
        response: { 200: z.array(ride), ...errorResponses },
      },
    },
    (req) => svc.atLocation(actorOf(req), req.params.id, req.query.date),
  );
}
