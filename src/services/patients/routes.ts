import { z } from "zod";
import type { App } from "../../platform/http.js";
import { actorOf } from "../../platform/identity/index.js";
import { rolesFor } from "../../platform/policy.js";
import { errorResponses, idParams, pageOf } from "../../platform/schemas.js";
import {
  dependentInput,
  dependentParams,
  family,
  familyLink,
  patient,
  patientInput,
  patientPatch,
  patientQuery,
} from "./schema.js";
import type { Patients } from "./service.js";

const tags = ["patients"];

export function patientRoutes(app: App, svc: Patients): void {
  app.get(
    "/api/v1/patients",
    {
      config: { allow: rolesFor("patient", "read") },
      schema: {
        tags,
        summary:
          "Find patients within your scope (staff: an exact MRN with birth date also finds a patient new to your location)",
        querystring: patientQuery,
        response: { 200: pageOf(patient), ...errorResponses },
      },
    },
    (req) => svc.search(actorOf(req), req.query),
  );
  app.post(
    "/api/v1/patients",
    {
      config: {
        allow: rolesFor("location", "register_patients"),
        guards: { "body.preferredLocationIds": "reference" },
      },
      schema: {
        tags,
        summary: "Register a patient",
        body: patientInput,
        response: { 201: patient, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await svc.create(actorOf(req), req.body)),
  );
  app.get(
    "/api/v1/patients/:id",
    {
      config: { allow: rolesFor("patient", "read"), guards: { "params.id": ["patient", "read"] } },
      schema: {
        tags,
        summary: "Get a patient",
        params: idParams,
        response: { 200: patient, ...errorResponses },
      },
    },
    (req) => svc.get(actorOf(req), req.params.id),
  );
  app.patch(
    "/api/v1/patients/:id",
    {
      config: {
        allow: rolesFor("patient", "update"),
        guards: { "params.id": ["patient", "update"], "body.preferredLocationIds": "reference" },
      },
      schema: {
        tags,
        summary:
          "Update a patient (patients: their own and their dependents' contact details and preferences)",
        params: idParams,
        body: patientPatch,
        response: { 200: patient, ...errorResponses },
      },
    },
    (req) => svc.update(actorOf(req), req.params.id, req.body),
  );

  app.get(
    "/api/v1/patients/:id/family",
    {
      config: {
        allow: rolesFor("patient", "read_family"),
        guards: { "params.id": ["patient", "read_family"] },
      },
      schema: {
        tags,
        summary: "A patient's guardians and dependents (relatives outside your scope are not listed)",
        params: idParams,
        response: { 200: family, ...errorResponses },
      },
    },
    (req) => svc.family(actorOf(req), req.params.id),
  );
  app.post(
    "/api/v1/patients/:id/dependents",
    {
      config: {
        allow: rolesFor("patient", "link_family"),
        guards: { "params.id": ["patient", "link_family"], "body.dependentId": ["patient", "link_family"] },
      },
      schema: {
        tags,
        summary: "Link a dependent to this patient as guardian (both must be in your scope)",
        params: idParams,
        body: dependentInput,
        response: { 201: familyLink, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await svc.linkDependent(actorOf(req), req.params.id, req.body)),
  );
  app.delete(
    "/api/v1/patients/:id/dependents/:dependentId",
    {
      config: {
        allow: rolesFor("patient", "link_family"),
        guards: { "params.id": ["patient", "link_family"], "params.dependentId": ["patient", "link_family"] },
      },
      schema: {
        tags,
        summary: "Unlink a dependent",
        params: dependentParams,
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await svc.unlinkDependent(actorOf(req), req.params.id, req.params.dependentId);
      return reply.code(204).send(null);
    },
  );
}
