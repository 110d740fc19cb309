import { randomUUID } from "node:crypto";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import Fastify, { type FastifyError, type FastifyInstance } from "fastify";
import {
  hasZodFastifySchemaValidationErrors,
  isResponseSerializationError,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from "fastify-type-provider-zod";
import type { Config } from "./config.js";
import {
  type ProblemError,
  ProblemError as ProblemErrorClass,
  problemBody,
  problemFromDatabase,
  problems,
} from "./errors.js";

export type App = FastifyInstance<
  import("node:http").Server,
  import("node:http").IncomingMessage,
  import("node:http").ServerResponse,
  import("fastify").FastifyBaseLogger,
  ZodTypeProvider
>;

export interface HttpOptions {
  logLevel: Config["logLevel"];
  version: string;
  trustProxy?: Config["trustProxy"];
}

/** The bare HTTP application: schemas, OpenAPI, problem+json errors. Modules add their routes. */
export async function createHttpApp(opts: HttpOptions): Promise<App> {
  const app = Fastify({
    logger: { level: opts.logLevel },
    genReqId: (req) => {
      const given = req.headers["x-request-id"];
      return typeof given === "string" && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
    },
    bodyLimit: 1_048_576,
    // the client address feeds sign-in throttling and the audit trail, so only trust proxies we are told of
    trustProxy:
      typeof opts.trustProxy === "number"
        ? (_addr: string, hop: number) => hop < (opts.trustProxy as number)
        : (opts.trustProxy ?? false),
    ajv: undefined,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Rounds API",
        version: opts.version,
        description: "Appointment scheduling across a hospital network. Errors are application/problem+json.",
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: "/api/docs" });
  app.get("/api/openapi.json", { schema: { hide: true } }, async () => app.swagger());

  app.addHook("onSend", async (req, reply) => {
    reply.header("x-request-id", req.id);
  });

  app.setNotFoundHandler((req, reply) => {
    const err = new ProblemErrorClass(
      404,
      "route_not_found",
      `No route ${req.method} ${req.url.split("?")[0]}`,
    );
    void reply.code(404).type("application/problem+json").send(problemBody(err, req.id));
  });

  app.setErrorHandler((error: FastifyError, req, reply) => {
    const problem = toProblem(error);
    if (problem.status >= 500) req.log.error({ err: error }, "request failed");
    void reply.code(problem.status).type("application/problem+json").send(problemBody(problem, req.id));
  });

  return app as unknown as App;
}

function toProblem(error: FastifyError): ProblemError {
  if (error instanceof ProblemErrorClass) return error;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const context = error.validationContext === "querystring" ? "query" : (error.validationContext ?? "body");
    const errors = error.validation.map((v) => {
      const path = v.instancePath.replace(/^\//, "").replaceAll("/", ".");
      return { field: path ? `${context}.${path}` : context, message: v.message ?? "invalid" };
    });
    const first = errors[0];
    return new ProblemErrorClass(
      400,
      "validation_failed",
      first ? `${first.field}: ${first.message}` : "Invalid request",
      errors,
    );
  }
  if (isResponseSerializationError(error)) {
    return new ProblemErrorClass(500, "internal", "The server produced an invalid response");
  }
  const fromDb = problemFromDatabase(error);
  if (fromDb) return fromDb;
  if (error.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") {
    return new ProblemErrorClass(415, "unsupported_media_type", "Send application/json");
  }
  if (error.code === "FST_ERR_CTP_EMPTY_JSON_BODY" || error.code === "FST_ERR_CTP_INVALID_JSON_BODY") {
    return problems.badRequest("body", "The body is not valid JSON");
  }
  if (typeof error.statusCode === "number" && error.statusCode >= 400 && error.statusCode < 500) {
    return new ProblemErrorClass(error.statusCode, "bad_request", error.message);
  }
  if (error instanceof SyntaxError) return problems.badRequest("body", "The body is not valid JSON");
  return new ProblemErrorClass(
    500,
    "internal",
    "Something went wrong on our side; the request was not applied",
  );
}
