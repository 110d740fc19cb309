/**
 * System clients over HTTP: the administrators' API (`/api/v1/fhir-clients`), and under the FHIR
 * base the token endpoint (client credentials, RFC 6749 4.4 with SMART's private_key_jwt) and the
 * SMART discovery document. Every FHIR route then needs the scope of its resource type and access.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { clientCertificateOf } from "../../../platform/client-certificate.js";
import { ProblemError } from "../../../platform/errors.js";
import type { App } from "../../../platform/http.js";
import { actorOf, requestInfo } from "../../../platform/identity/index.js";
import { errorResponses, idParams } from "../../../platform/schemas.js";
import { baseUrl, FHIR_BASE, hidden, pub } from "../context.js";
import { fhirClient, fhirClientInput, fhirClientPatch, registeredFhirClient } from "./schema.js";
import { KNOWN_SCOPES, requiredScope } from "./scopes.js";
import { ASSERTION_ALGORITHMS, type FhirClients, OAuthError, TOKEN_SECONDS } from "./service.js";

const tags = ["fhir-clients"];
const admin = ["admin"] as const;

/** The administrators' API of system clients. */
export function fhirClientRoutes(app: App, clients: FhirClients): void {
  app.get(
    "/api/v1/fhir-clients",
    {
      config: { allow: admin },
      schema: {
        tags,
        summary: "List the system clients of the FHIR API",
        response: { 200: z.object({ items: z.array(fhirClient) }), ...errorResponses },
      },
    },
    async () => ({ items: await clients.list() }),
  );
  app.post(
    "/api/v1/fhir-clients",
    {
      config: { allow: admin, guards: { "body.locationIds": "reference" } },
      schema: {
        tags,
        summary:
          "Register a system client of the FHIR API: its scopes, its locations and how it signs in (a client_secret clients see once)",
        body: fhirClientInput,
        response: { 201: registeredFhirClient, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await clients.register(actorOf(req), req.body)),
  );
  app.patch(
    "/api/v1/fhir-clients/:id",
    {
      config: { allow: admin, guards: { "params.id": "reference", "body.locationIds": "reference" } },
      schema: {
        tags,
        summary: "Rename a system client, change its scopes or locations, or deactivate it (its tokens end)",
        params: idParams,
        body: fhirClientPatch,
        response: { 200: fhirClient, ...errorResponses },
      },
    },
    (req) => clients.update(actorOf(req), req.params.id, req.body),
  );
}

const TOKEN_PATH = "/auth/token";

/** The credentials of an `Authorization: Basic` header (client_secret_basic: each part form-encoded). */
function basicCredentials(req: FastifyRequest): { clientId: string; secret: string } | undefined {
  const m = /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(req.headers.authorization ?? "");
  if (!m) return undefined;
  const text = Buffer.from(m[1]!, "base64").toString("utf8");
  const colon = text.indexOf(":");
  if (colon < 0) throw new OAuthError(401, "invalid_client", "the Basic credentials need client_id:secret");
  try {
    const decode = (s: string) => decodeURIComponent(s.replaceAll("+", " "));
    return { clientId: decode(text.slice(0, colon)), secret: decode(text.slice(colon + 1)) };
  } catch {
    throw new OAuthError(401, "invalid_client", "the Basic credentials are not form-encoded");
  }
}

function oauthError(reply: FastifyReply, err: OAuthError): FastifyReply {
  if (err.status === 401) void reply.header("www-authenticate", 'Basic realm="rounds-fhir"');
  return reply
    .code(err.status)
    .header("cache-control", "no-store")
    .send({ error: err.error, error_description: err.description });
}

/**
 * Inside the FHIR plugin: the token endpoint, SMART discovery, the system clients' tokens as
 * bearer tokens of FHIR requests, and the scope every FHIR route needs of them.
 */
export function smartRoutes(fhir: FastifyInstance, clients: FhirClients): void {
  fhir.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_req, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );
  // a system client's token stands for its actor on the FHIR API only
  fhir.bearerAuthenticators.push((token, req) =>
    req.url.startsWith(`${FHIR_BASE}/`)
      ? clients.authenticate(token, {
          ...requestInfo(req),
          certificateThumbprint: clientCertificateOf(req.raw)?.thumbprint,
        })
      : Promise.resolve(undefined),
  );
  fhir.addHook("onRequest", async (req) => {
    const client = req.actor?.client;
    if (!client) return;
    const scope = requiredScope(req.method, req.routeOptions.url ?? "", FHIR_BASE);
    if (scope && !client.scopes.includes(scope))
      throw new ProblemError(403, "insufficient_scope", `this token's scopes do not include ${scope}`, [
        { field: "scope", message: `needs ${scope}` },
      ]);
  });

  // whatever refuses a token request before its handler (unreadable or unstorable input) answers in OAuth's words too
  const tokenErrors = (error: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    const status = error instanceof ProblemError ? error.status : (error.statusCode ?? 500);
    if (status >= 500) {
      req.log.error({ err: error }, "token request failed");
      return reply.code(500).header("cache-control", "no-store").send({ error: "server_error" });
    }
    const field = error instanceof ProblemError ? error.errors[0]?.field : undefined;
    return oauthError(
      reply,
      new OAuthError(
        400,
        "invalid_request",
        `${field ? `${field.replace(/^body\./, "")}: ` : ""}${error.message}`,
      ),
    );
  };

  fhir.post(TOKEN_PATH, { config: pub, schema: hidden, errorHandler: tokenErrors }, async (req, reply) => {
    try {
      const form = req.body;
      if (typeof form !== "object" || form === null || Array.isArray(form))
        throw new OAuthError(400, "invalid_request", "send application/x-www-form-urlencoded fields");
      const fields = Object.fromEntries(
        Object.entries(form as Record<string, unknown>).map(([k, v]) => [
          k,
          typeof v === "string" ? v : undefined,
        ]),
      );
      const answer = await clients.issueToken({
        form: fields,
        basic: basicCredentials(req),
        tokenUrl: `${baseUrl(req)}${TOKEN_PATH}`,
        clientCertificate: clientCertificateOf(req.raw),
        ...requestInfo(req),
      });
      return reply.header("cache-control", "no-store").header("pragma", "no-cache").send(answer);
    } catch (err) {
      if (err instanceof OAuthError) return oauthError(reply, err);
      throw err;
    }
  });

  fhir.get("/.well-known/smart-configuration", { config: pub, schema: hidden }, (req, reply) =>
    reply.type("application/json").send(smartConfiguration(baseUrl(req), clients.mutualTls)),
  );
}

/** SMART App Launch 2.x discovery, for backend services: what the token endpoint accepts. */
export function smartConfiguration(base: string, mutualTls = false) {
  return {
    issuer: base,
    token_endpoint: `${base}${TOKEN_PATH}`,
    grant_types_supported: ["client_credentials"],
    token_endpoint_auth_methods_supported: [
      "client_secret_basic",
      "client_secret_post",
      "private_key_jwt",
      ...(mutualTls ? ["tls_client_auth"] : []),
    ],
    // RFC 8705 3.3: tokens of tls_client_auth clients are bound to their certificate
    ...(mutualTls ? { tls_client_certificate_bound_access_tokens: true } : {}),
    token_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGORITHMS,
    scopes_supported: [...KNOWN_SCOPES, "system/*.read", "system/*.write", "system/*.*"],
    capabilities: ["client-confidential-symmetric", "client-confidential-asymmetric", "permission-v1"],
    token_lifetime_seconds: TOKEN_SECONDS,
  };
}
