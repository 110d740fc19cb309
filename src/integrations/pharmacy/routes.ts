import { z } from "zod";
import type { App } from "../../platform/http.js";
import { actorOf } from "../../platform/identity/index.js";
import { rolesFor } from "../../platform/policy.js";
import { errorResponses, idParams, problemSchema } from "../../platform/schemas.js";
import {
  locationParams,
  medication,
  patientPharmacy,
  pharmacy,
  pharmacyChoice,
  prescribeInput,
  prescription,
  prescriptionsQuery,
} from "./schema.js";
import type { PharmacyService } from "./service.js";

export function pharmacyRoutes(app: App, svc: PharmacyService): void {
  app.get(
    "/api/v1/medications",
    {
      config: { allow: "authenticated" },
      schema: {
        tags: ["pharmacy"],
        summary: "The medications physicians prescribe from (RxNorm-coded)",
        response: { 200: z.array(medication), ...errorResponses },
      },
    },
    () => svc.medications(),
  );
  app.get(
    "/api/v1/pharmacies",
    {
      config: { allow: "authenticated" },
      schema: {
        tags: ["pharmacy"],
        summary: "The pharmacy network's pharmacies (its Organization search), asked live",
        response: { 200: z.array(pharmacy), ...errorResponses, 503: problemSchema },
      },
    },
    () => svc.pharmacies(),
  );
  app.get(
    "/api/v1/patients/:id/pharmacies",
    {
      config: { allow: rolesFor("patient", "read"), guards: { "params.id": ["patient", "read"] } },
      schema: {
        tags: ["pharmacy"],
        summary: "The patient's chosen pharmacy at each location",
        params: idParams,
        response: { 200: z.array(patientPharmacy), ...errorResponses },
      },
    },
    (req) => svc.preferred(actorOf(req), req.params.id),
  );
  app.put(
    "/api/v1/patients/:id/pharmacies/:locationId",
    {
      config: {
        allow: rolesFor("patient", "update"),
        guards: {
          "params.id": ["patient", "update"],
          "params.locationId": "reference",
          "body.pharmacyId": "reference",
        },
      },
      schema: {
        tags: ["pharmacy"],
        summary: "Chooses the pharmacy the patient's prescriptions from visits at this location go to",
        params: locationParams,
        body: pharmacyChoice,
        response: { 200: patientPharmacy, ...errorResponses, 503: problemSchema },
      },
    },
    (req) => svc.choose(actorOf(req), req.params.id, req.params.locationId, req.body.pharmacyId),
  );
  app.post(
    "/api/v1/appointments/:id/prescriptions",
    {
      config: {
        allow: rolesFor("appointment", "prescribe"),
        guards: { "params.id": ["appointment", "prescribe"] },
      },
      schema: {
        tags: ["pharmacy"],
        summary:
          "Prescribes during the visit: sent to the patient's pharmacy for the visit's location as a FHIR MedicationRequest (status not_sent until the network takes it; Rounds retries)",
        params: idParams,
        body: prescribeInput,
        response: { 201: prescription, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await svc.prescribe(actorOf(req), req.params.id, req.body)),
  );
  app.get(
    "/api/v1/patients/:id/prescriptions",
    {
      config: {
        allow: rolesFor("patient", "read_prescriptions"),
        guards: { "params.id": ["patient", "read_prescriptions"], "query.appointmentId": "scope" },
      },
      schema: {
        tags: ["pharmacy"],
        summary: "The patient's prescriptions with the pharmacy's status (ready for pickup at …)",
        params: idParams,
        querystring: prescriptionsQuery,
        response: { 200: z.array(prescription), ...errorResponses },
      },
    },
    (req) => svc.list(actorOf(req), req.params.id, req.query.appointmentId),
  );
}
