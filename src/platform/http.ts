import { randomUUID } from "node:crypto";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type RouteOptions,
} from "fastify";
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
import { isStorableText, problemSchema } from "./schemas.js";

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
  /**
   * PEM certificate and key: the app then speaks HTTPS only and sends HSTS. With `clientCa`, every
   * connection is asked for a client certificate, verified against it but not required (browsers
   * have none): only system clients registered for mutual TLS are held to one.
   */
  tls?: { cert: Buffer; key: Buffer; clientCa?: string | undefined } | undefined;
  /** Problem statuses a route answers beyond the common ones (a rate-limited route: 429). */
  moreProblems?: (method: string, url: string) => number[];
}

/**
 * The web app loads its own scripts, styles and fonts only (Mantine sets inline style attributes
 * and its CSS variables in a style element), talks to its own origin and is never framed; its
 * service worker and manifest are its own too.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  // the installable app: its service worker and manifest come from this origin only
  "worker-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** Sent with every answer, problems and the web app's files alike. */
const SECURITY_HEADERS: Record<string, string> = {
  "content-security-policy": CONTENT_SECURITY_POLICY,
  "x-content-type-options": "nosniff",
  // links carry tokens (video visits, waitlist offers): never leak a URL to another site
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cross-origin-opener-policy": "same-origin",
};
/** Two years, subdomains included: once a browser has seen HTTPS here it never tries plain HTTP. */
const HSTS = "max-age=63072000; includeSubDomains";

/** The bare HTTP application: schemas, OpenAPI, problem+json errors. Modules add their routes. */
export async function createHttpApp(opts: HttpOptions): Promise<App> {
  const app = Fastify({
    ...(opts.tls
      ? {
          https: {
            cert: opts.tls.cert,
            key: opts.tls.key,
            ...(opts.tls.clientCa
              ? { ca: opts.tls.clientCa, requestCert: true, rejectUnauthorized: false }
              : {}),
          },
        }
      : {}),
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
    // shutting down is answered by the hook below, as problem+json
    return503OnClosing: false,
    // errors raised before routing (a malformed percent-encoding, an over-long path parameter)
    frameworkErrors: (error, req, reply) => sendProblem(req, reply, toProblem(error, req)),
    // requests Node cannot even parse (a URL or headers over 16 KiB, broken HTTP), answered on the socket
    clientErrorHandler: answerUnreadableRequest,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // before the OpenAPI plugin reads the routes: every operation documents every status it answers
  app.addHook("onRoute", (route) => documentProblems(route, opts.moreProblems));

  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Rounds API",
        version: opts.version,
        description:
          "Appointment scheduling across a hospital network. Errors are application/problem+json " +
          "naming the field at fault (errors[].field). Dates and instants lie between 1800-01-01 " +
          "and 2200-12-31; text must not contain NUL characters or unpaired surrogates.",
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: "/api/docs" });
  app.get("/api/openapi.json", { schema: { hide: true } }, async () => app.swagger());

  // Shutting down: new requests on kept-alive connections answer 503, and every connection closes
  // after its answer, so the server's close waits only for requests already in flight.
  let closing = false;
  app.addHook("preClose", async () => {
    closing = true;
  });
  app.addHook("onRequest", async (_req, reply) => {
    if (!closing) return;
    void reply.header("connection", "close");
    throw new ProblemErrorClass(503, "shutting_down", "The server is shutting down; send the request again");
  });

  const securityHeaders = opts.tls
    ? { ...SECURITY_HEADERS, "strict-transport-security": HSTS }
    : SECURITY_HEADERS;
  app.addHook("onSend", async (req, reply) => {
    reply.header("x-request-id", req.id);
    for (const [name, value] of Object.entries(securityHeaders))
      if (!reply.hasHeader(name)) reply.header(name, value);
    if (closing) reply.header("connection", "close");
  });

  // PostgreSQL cannot store NUL in text, and stores an unpaired surrogate as U+FFFD: refuse both
  // anywhere in the request, naming the field, before any schema or query sees them
  app.addHook("preValidation", async (req) => {
    const parts = { params: req.params, query: req.query, body: req.body } as const;
    for (const [part, value] of Object.entries(parts)) {
      const field = unstorableTextIn(value, part);
      if (field) throw problems.badRequest(field, "must not contain NUL characters or unpaired surrogates");
    }
  });

  app.setNotFoundHandler((req, reply) => {
    const err = new ProblemErrorClass(
      404,
      "route_not_found",
      `No route ${req.method} ${req.url.split("?")[0]}`,
    );
    void reply.code(404).type("application/problem+json").send(problemBody(err, req.id));
  });

  app.setErrorHandler((error: FastifyError, req, reply) => sendProblem(req, reply, toProblem(error, req)));

  return app as unknown as App;
}

/** A request Node's HTTP parser refused: answered as problem+json on the bare socket, then closed. */
function answerUnreadableRequest(err: Error & { code?: string }, socket: import("node:stream").Duplex): void {
  if (err.code === "ECONNRESET" || socket.destroyed) return;
  const [status, reason, code, field, message] =
    err.code === "HPE_HEADER_OVERFLOW"
      ? [431, "Request Header Fields Too Large", "too_large", "url", "the URL and headers exceed 16 KiB"]
      : err.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? [408, "Request Timeout", "timeout", "request", "arrived too slowly"]
        : [400, "Bad Request", "bad_request", "request", "is not valid HTTP"];
  const body = JSON.stringify(
    problemBody(new ProblemErrorClass(status, code, message, [{ field, message }])),
  );
  if (socket.writable)
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/problem+json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  socket.destroy(err);
}

function sendProblem(req: FastifyRequest, reply: FastifyReply, problem: ProblemError): void {
  void reply.code(problem.status).type("application/problem+json").send(problemBody(problem, req.id));
}

/** The first field (dotted path) holding a string PostgreSQL cannot store as sent, if any. */
function unstorableTextIn(value: unknown, path: string, depth = 0): string | undefined {
  if (typeof value === "string") return isStorableText(value) ? undefined : path;
  if (typeof value !== "object" || value === null || depth > 32) return undefined;
  for (const [key, inner] of Object.entries(value)) {
    const at = `${path}.${key}`;
    if (!isStorableText(key)) return at;
    const found = unstorableTextIn(inner, at, depth + 1);
    if (found) return found;
  }
  return undefined;
}

const problemResponse = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: problemSchema } },
});

/** What each problem status means, as the API document says it. */
const PROBLEM_STATUSES: Record<number, string> = {
  400: "The request is malformed or a field is invalid (see errors[].field)",
  401: "Sign in first (no valid session or bearer token)",
  403: "Your role may not do this",
  404: "Not found, or not yours to see",
  409: "Conflicts with the current state (see code)",
  413: "The body is larger than 1 MiB",
  414: "A path parameter is too long",
  415: "The body is not application/json",
  422: "Well-formed, but refers to something that does not exist or breaks a rule",
  429: "Too many requests or attempts; wait as Retry-After says and try again",
  431: "The URL and headers together exceed 16 KiB",
  503: "The server is shutting down; retry on another replica",
};

/**
 * Adds the problem responses a route can answer to its schema, from what the route declares: every
 * operation can answer 400, 404, 409, 422, 431 (a URL over 16 KiB) and (while shutting down) 503; one that admits only
 * signed-in callers 401 and 403; one that may carry a body 413 and 415; one with path parameters 414. A
 * route documents anything more itself (sign-in: 401, 429). Problem responses are served as
 * application/problem+json.
 */
function documentProblems(route: RouteOptions, moreProblems: HttpOptions["moreProblems"] = () => []): void {
  const schema = route.schema;
  if (!schema || schema.hide || !route.url.startsWith("/api/v1")) return;
  const statuses = [400, 404, 409, 422, 431, 503];
  const allow = (route.config as { allow?: unknown } | undefined)?.allow;
  if (allow !== undefined && allow !== "public") statuses.push(401, 403);
  // fastify reads a body on these methods whether or not the route takes one
  const methods = [route.method].flat();
  if (methods.some((m) => ["POST", "PUT", "PATCH", "DELETE"].includes(m))) statuses.push(413, 415);
  if (route.url.includes(":")) statuses.push(414);
  for (const m of methods) statuses.push(...moreProblems(m, route.url));
  const response = { ...((schema.response as Record<string, unknown> | undefined) ?? {}) };
  for (const [status, given] of Object.entries(response))
    if (given === problemSchema)
      response[status] = problemResponse(PROBLEM_STATUSES[Number(status)] ?? "Problem");
  for (const status of statuses) response[status] ??= problemResponse(PROBLEM_STATUSES[status] ?? "Problem");
  schema.response = response;
}

/** Errors the framework raises before a handler runs, as problems naming the part at fault. */
type FrameworkProblem = [status: number, code: string, field: string, message: string];
const FRAMEWORK_PROBLEMS: Record<string, FrameworkProblem> = {
  FST_ERR_BAD_URL: [400, "bad_request", "url", "has a malformed percent-encoding"],
  FST_ERR_MAX_PARAM_LENGTH: [414, "too_long", "params", "a path parameter is too long"],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [
    415,
    "unsupported_media_type",
    "headers.content-type",
    "send application/json",
  ],
  FST_ERR_CTP_INVALID_TYPE: [415, "unsupported_media_type", "headers.content-type", "send application/json"],
  FST_ERR_CTP_EMPTY_TYPE: [415, "unsupported_media_type", "headers.content-type", "send application/json"],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, "too_large", "body", "is larger than 1 MiB"],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [
    400,
    "bad_request",
    "headers.content-length",
    "does not match the body",
  ],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, "bad_request", "body", "is not valid JSON"],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, "bad_request", "body", "is not valid JSON"],
};

/** The part of the request a value without a known field came from. */
function requestPart(req: FastifyRequest): string {
  if (req.body !== undefined && req.body !== null) return "body";
  const query = req.query as Record<string, unknown> | undefined;
  return query && Object.keys(query).length ? "query" : "params";
}

function toProblem(error: FastifyError, req: FastifyRequest): ProblemError {
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
    req.log.error({ err: error }, "response does not match its schema");
    return new ProblemErrorClass(500, "internal", "The server produced an invalid response");
  }
  const fromDb = problemFromDatabase(error, requestPart(req));
  if (fromDb) {
    req.log.info({ err: error }, "the database refused the request");
    return fromDb;
  }
  const framework = typeof error.code === "string" ? FRAMEWORK_PROBLEMS[error.code] : undefined;
  if (framework) {
    const [status, code, field, message] = framework;
    return new ProblemErrorClass(status, code, `${field}: ${message}`, [{ field, message }]);
  }
  if (error instanceof SyntaxError) return problems.badRequest("body", "The body is not valid JSON");
  if (typeof error.statusCode === "number" && error.statusCode >= 400 && error.statusCode < 500) {
    // another framework refusal: its status stands, its wording (which may quote the request) does not
    req.log.info({ err: error }, "request refused by the framework");
    return new ProblemErrorClass(error.statusCode, "bad_request", "The request could not be read", [
      { field: "request", message: "could not be read" },
    ]);
  }
  req.log.error({ err: error }, "request failed");
  return new ProblemErrorClass(
    500,
    "internal",
    "Something went wrong on our side; the request was not applied",
  );
}
