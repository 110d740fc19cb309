/**
 * The FHIR R4 endpoint (`/fhir/R4`): reads and searches of the network, the computed Slots,
 * Appointments and Patients, each a call to a service operation (which authorizes and audits as
 * for the JSON API), mapped to FHIR resources. Refusals answer as OperationOutcome naming the FHIR
 * parameter at fault. Reference data is in `network.ts`, Slots, Appointments and Patients in
 * `care.ts`, the scheduling operations in `operations.ts`.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ProblemError, problemFromDatabase, problems } from "../../platform/errors.js";
import type { App } from "../../platform/http.js";
import { bulkPublishRoutes } from "./bulk.js";
import { operationOutcome } from "./bundle.js";
import { capabilityStatement } from "./capability.js";
import { careRoutes } from "./care.js";
import { smartRoutes } from "./clients/routes.js";
import { baseUrl, FHIR_BASE, type FhirDeps, hidden, pub, send } from "./context.js";
import { networkRoutes } from "./network.js";
import { schedulingOperations } from "./operations.js";
import { checkSearchExtras } from "./search.js";
import { slotRoutes } from "./slot-routes.js";

declare module "fastify" {
  interface FastifyContextConfig {
    /** FHIR routes: the FHIR parameter each service field stands for (`query.to` → `start`). */
    fhirFields?: Readonly<Record<string, string>>;
  }
}

/** The FHIR parameter a field of the JSON API's services stands for, unless the route says otherwise. */
const FIELD_NAMES: Readonly<Record<string, string>> = {
  "params.id": "id",
  "query.patientId": "patient",
  "query.physicianId": "practitioner",
  "query.locationId": "location",
  "query.locationIds": "location",
  "query.appointmentTypeId": "service-type",
  "query.from": "start",
  "query.to": "start",
  "headers.content-type": "Content-Type",
};

function fieldName(req: FastifyRequest, field: string): string {
  return (
    req.routeOptions.config?.fhirFields?.[field] ??
    FIELD_NAMES[field] ??
    field.replace(/^(query|body|params)\./, "")
  );
}

function toProblem(error: FastifyError, req: FastifyRequest): ProblemError {
  if (error instanceof ProblemError) return error;
  const fromDb = problemFromDatabase(error, "request");
  if (fromDb) return fromDb;
  if (error.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE" || error.code === "FST_ERR_CTP_INVALID_TYPE")
    return new ProblemError(415, "unsupported_media_type", "send application/fhir+json", [
      { field: "headers.content-type", message: "send application/fhir+json" },
    ]);
  if (error instanceof SyntaxError || error.code === "FST_ERR_CTP_INVALID_JSON_BODY")
    return problems.badRequest("body", "is not valid JSON");
  if (typeof error.statusCode === "number" && error.statusCode >= 400 && error.statusCode < 500)
    return new ProblemError(error.statusCode, "bad_request", "The request could not be read", [
      { field: "request", message: "could not be read" },
    ]);
  req.log.error({ err: error }, "FHIR request failed");
  return new ProblemError(500, "internal", "Something went wrong on our side; the request was not applied");
}

function answerProblem(req: FastifyRequest, reply: FastifyReply, problem: ProblemError): FastifyReply {
  // RFC 6750: a missing or unknown session is a bearer challenge
  if (problem.status === 401) void reply.header("www-authenticate", 'Bearer realm="rounds"');
  if (problem.code === "insufficient_scope")
    void reply.header("www-authenticate", 'Bearer realm="rounds", error="insufficient_scope"');
  return send(
    reply,
    operationOutcome(problem, (f) => fieldName(req, f)),
    problem.status,
  );
}

export function fhirRoutes(app: App, deps: FhirDeps): void {
  void app.register(
    async (fhir: FastifyInstance) => {
      fhir.addContentTypeParser(
        ["application/fhir+json", "application/json-patch+json"],
        { parseAs: "string" },
        (_req, body, done) => {
          try {
            done(null, JSON.parse(body as string));
          } catch {
            done(problems.badRequest("body", "is not valid JSON"), undefined);
          }
        },
      );
      fhir.setErrorHandler((error: FastifyError, req, reply) =>
        answerProblem(req, reply, toProblem(error, req)),
      );
      fhir.get("/metadata", { config: pub, schema: hidden }, (req, reply) =>
        send(reply, capabilityStatement(deps.version, baseUrl(req))),
      );
      // a search asked for a reverse include or chain it does not serve answers 400, before any reading
      fhir.addHook("preHandler", async (req) => {
        if (req.method === "GET") checkSearchExtras(req);
      });
      smartRoutes(fhir, deps.clients);
      networkRoutes(fhir, deps);
      slotRoutes(fhir, deps);
      careRoutes(fhir, deps);
      bulkPublishRoutes(fhir, deps);
      schedulingOperations(fhir, deps);
      // anything else under the FHIR base (and the base itself): an unknown type or interaction, in FHIR's words
      const unknown = (req: FastifyRequest, reply: FastifyReply) =>
        answerProblem(
          req,
          reply,
          new ProblemError(
            404,
            "route_not_found",
            `No FHIR interaction ${req.method} ${req.url.split("?")[0]}`,
            [{ field: "url", message: "not a resource type or interaction this server supports" }],
          ),
        );
      fhir.all("/", { config: { allow: "public" }, schema: hidden }, unknown);
      fhir.all("/*", { config: { allow: "public" }, schema: hidden }, unknown);
    },
    { prefix: FHIR_BASE },
  );
}
