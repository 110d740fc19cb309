import { z } from "zod";
import type { App } from "../../platform/http.js";
import { actorOf } from "../../platform/identity/index.js";
import { rolesFor } from "../../platform/policy.js";
import { errorResponses, idParams } from "../../platform/schemas.js";
import {
  coverage,
  coverageAnswer,
  coverageInput,
  eligibility,
  insurerCopay,
  insurerCopayQuery,
} from "./schema.js";
import type { Eligibility } from "./service.js";

const tags = ["eligibility"];

export function eligibilityRoutes(app: App, svc: Eligibility): void {
  app.get(
    "/api/v1/patients/:id/coverage",
    {
      config: { allow: rolesFor("patient", "read"), guards: { "params.id": ["patient", "read"] } },
      schema: {
        tags,
        summary: "The patient's insurance coverage on file (payer, member id, group, plan), or null",
        params: idParams,
        response: { 200: coverageAnswer, ...errorResponses },
      },
    },
    async (req) => ({ coverage: await svc.coverageOf(actorOf(req), req.params.id) }),
  );
  app.put(
    "/api/v1/patients/:id/coverage",
    {
      config: { allow: rolesFor("patient", "update"), guards: { "params.id": ["patient", "update"] } },
      schema: {
        tags,
        summary: "Set the patient's insurance coverage; their upcoming appointments are checked again",
        params: idParams,
        body: coverageInput,
        response: { 200: coverage, ...errorResponses },
      },
    },
    (req) => svc.putCoverage(actorOf(req), req.params.id, req.body),
  );
  app.delete(
    "/api/v1/patients/:id/coverage",
    {
      config: { allow: rolesFor("patient", "update"), guards: { "params.id": ["patient", "update"] } },
      schema: {
        tags,
        summary: "Remove the patient's insurance coverage (self-pay)",
        params: idParams,
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await svc.removeCoverage(actorOf(req), req.params.id);
      return reply.code(204).send(null);
    },
  );
  app.get(
    "/api/v1/patients/:id/insurer-copay",
    {
      config: {
        allow: rolesFor("patient", "book"),
        guards: { "params.id": ["patient", "book"], "query.appointmentTypeId": "reference" },
      },
      schema: {
        tags,
        summary:
          "The copay a recent active eligibility answer (271) gave for this appointment type's service type, shown before booking",
        params: idParams,
        querystring: insurerCopayQuery,
        response: { 200: insurerCopay, ...errorResponses },
      },
    },
    (req) => svc.insurerCopay(actorOf(req), req.params.id, req.query.appointmentTypeId),
  );
  app.get(
    "/api/v1/appointments/:id/eligibility",
    {
      config: { allow: rolesFor("appointment", "read"), guards: { "params.id": ["appointment", "read"] } },
      schema: {
        tags,
        summary:
          "The appointment's insurance eligibility: the payer's answer (X12 271) or why it is not verified",
        params: idParams,
        response: { 200: eligibility, ...errorResponses },
      },
    },
    (req) => svc.eligibilityOf(actorOf(req), req.params.id),
  );
  app.post(
    "/api/v1/appointments/:id/eligibility-checks",
    {
      config: {
        allow: rolesFor("appointment", "check_eligibility"),
        guards: { "params.id": ["appointment", "check_eligibility"] },
      },
      schema: {
        tags,
        summary:
          "Check the appointment's insurance eligibility now (X12 270 to the payer); answers the stored result",
        params: idParams,
        response: { 200: eligibility, ...errorResponses },
      },
    },
    (req) => svc.checkNow(actorOf(req), req.params.id),
  );
}
