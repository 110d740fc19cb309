/**
 * System clients of the FHIR API (SMART backend services): administrators register them, they
 * trade their credential for a short-lived bearer token (client credentials grant, with a client
 * secret or a signed JWT assertion), and each token stands for an actor with staff rights at the
 * client's locations narrowed to what its scopes grant. Tokens and secrets are kept only as hashes;
 * registering, changing and every token issued or refused are audited.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { importJWK, type JWK, errors as joseErrors, jwtVerify } from "jose";
import type { Actor } from "../../../platform/access.js";
import { type AuditContext, auditService } from "../../../platform/audit/index.js";
import type { ClientCertificate } from "../../../platform/client-certificate.js";
import { problems, registerConstraint } from "../../../platform/errors.js";
import { auditContextOf } from "../../../platform/identity/index.js";
import type { ServiceDeps } from "../../../platform/module.js";
import { toIso } from "../../../platform/schemas.js";
import { certificateMatches, type TlsSubject } from "./mtls.js";
import { type FhirClientRow, fhirClientRepository as repo } from "./repository.js";
import type { FhirClient, FhirClientInput, FhirClientPatch } from "./schema.js";
import { grantedScopes, grantsOf } from "./scopes.js";

registerConstraint("fhir_client_locations_location_fk", "body.locationIds", "no such location");

/** How long a token lives: SMART backend services recommend five minutes at most. */
export const TOKEN_SECONDS = 300;
/** How far ahead a client assertion may expire. */
const ASSERTION_MAX_SECONDS = 300;
const ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
export const ASSERTION_ALGORITHMS = ["RS256", "RS384", "ES256", "ES384"];

/** A refusal of the token endpoint, in OAuth's words (RFC 6749 5.2). */
export class OAuthError extends Error {
  constructor(
    readonly status: 400 | 401,
    readonly error: "invalid_request" | "invalid_client" | "invalid_scope" | "unsupported_grant_type",
    readonly description: string,
  ) {
    super(description);
    this.name = "OAuthError";
  }
}

/** What a token request carries: its form fields, and the credentials of a Basic header if sent. */
export interface TokenRequest {
  form: Record<string, string | undefined>;
  basic?: { clientId: string; secret: string } | undefined;
  /** The token endpoint's own URL: the audience a client assertion must name. */
  tokenUrl: string;
  /** The client certificate the connection presented, verified against ROUNDS_TLS_CLIENT_CA. */
  clientCertificate?: ClientCertificate | undefined;
  clientAddress: string;
  requestId: string;
}

export interface TokenAnswer {
  access_token: string;
  token_type: "bearer";
  expires_in: number;
  scope: string;
}

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  return x.length === y.length && timingSafeEqual(x, y);
}

async function toClient(db: ServiceDeps["db"], r: FhirClientRow): Promise<FhirClient> {
  return {
    id: r.id,
    name: r.name,
    authMethod: r.auth_method as FhirClient["authMethod"],
    tlsSubject: subjectOf(r) ?? null,
    scopes: r.scopes,
    locationIds: await repo.locationsOf(db, r.id),
    networkWide: r.network_wide,
    active: r.active,
    createdAt: toIso(r.created_at),
    updatedAt: toIso(r.updated_at),
  };
}

/** What a network-wide client's rights reach: every location there is when it calls. */
export interface NetworkLocations {
  list(page: { limit: number; offset: number }): Promise<{ items: Array<{ id: string }>; total: number }>;
}

async function everyLocationId(locations: NetworkLocations): Promise<string[]> {
  const out: string[] = [];
  for (let offset = 0; ; offset += 500) {
    const page = await locations.list({ limit: 500, offset });
    out.push(...page.items.map((l) => l.id));
    if (out.length >= page.total || page.items.length === 0) return out;
  }
}

/** A tls_client_auth client's registered subject. */
function subjectOf(r: FhirClientRow): TlsSubject | undefined {
  return r.tls_subject_kind && r.tls_subject
    ? { kind: r.tls_subject_kind as TlsSubject["kind"], value: r.tls_subject }
    : undefined;
}

/** RFC 8705: a tls_client_auth client is who its verified certificate says, and nothing else signs it in. */
function checkCertificate(req: TokenRequest, client: FhirClientRow): void {
  if (req.basic || req.form.client_secret || req.form.client_assertion)
    throw new OAuthError(400, "invalid_request", "this client signs in with its TLS client certificate only");
  const cert = req.clientCertificate;
  if (!cert)
    throw new OAuthError(
      401,
      "invalid_client",
      "this client signs in with its TLS client certificate: none was verified on this connection",
    );
  const subject = subjectOf(client);
  if (!subject || !certificateMatches(cert, subject))
    throw new OAuthError(401, "invalid_client", "the TLS client certificate is not the one registered");
}

export function createFhirClients({
  db,
  clock,
  locations,
  mutualTls = false,
}: Pick<ServiceDeps, "db" | "clock"> & {
  locations: NetworkLocations;
  /** Client certificates are asked for (ROUNDS_TLS_CLIENT_CA): tls_client_auth is offered. */
  mutualTls?: boolean;
}) {
  /** Which client is asking, and whether its credential holds: `invalid_client` otherwise. */
  async function authenticateClient(
    req: TokenRequest,
    seen: { client?: FhirClientRow },
  ): Promise<FhirClientRow> {
    const { form } = req;
    const assertion = form.client_assertion;
    const claimedId = req.basic?.clientId ?? form.client_id ?? (assertion ? issuerOf(assertion) : undefined);
    if (!claimedId)
      throw new OAuthError(401, "invalid_client", "name the client: client_id or a client assertion");
    const client = UUID.test(claimedId.toLowerCase())
      ? await repo.get(db, claimedId.toLowerCase())
      : undefined;
    if (client) seen.client = client;
    if (!client?.active) throw new OAuthError(401, "invalid_client", "unknown or deactivated client");
    if (client.auth_method === "tls_client_auth") {
      checkCertificate(req, client);
      return client;
    }
    if (client.auth_method === "client_secret") {
      const secret = req.basic?.secret ?? form.client_secret;
      if (req.basic && form.client_secret)
        throw new OAuthError(400, "invalid_request", "send the secret once: Basic or client_secret");
      if (!secret || !client.secret_hash || !sameHash(sha256(secret), client.secret_hash))
        throw new OAuthError(401, "invalid_client", "the client secret does not match");
      return client;
    }
    if (form.client_assertion_type !== ASSERTION_TYPE || !assertion)
      throw new OAuthError(
        401,
        "invalid_client",
        `this client signs in with a client_assertion of type ${ASSERTION_TYPE}`,
      );
    const now = clock.now();
    let claims: { jti?: string; exp?: number };
    try {
      const jwk = client.public_jwk as JWK;
      ({ payload: claims } = await jwtVerify(assertion, (header) => importJWK(jwk, header.alg), {
        issuer: client.id,
        subject: client.id,
        audience: req.tokenUrl,
        algorithms: ASSERTION_ALGORITHMS,
        currentDate: now,
        requiredClaims: ["exp", "jti"],
      }));
    } catch (err) {
      if (err instanceof joseErrors.JOSEError || err instanceof TypeError)
        throw new OAuthError(401, "invalid_client", `the client assertion is not valid: ${err.message}`);
      throw err;
    }
    const exp = claims.exp ?? 0;
    if (exp * 1000 > now.getTime() + ASSERTION_MAX_SECONDS * 1000)
      throw new OAuthError(
        401,
        "invalid_client",
        `the client assertion must expire within ${ASSERTION_MAX_SECONDS} seconds`,
      );
    const jti = String(claims.jti ?? "");
    if (jti.length < 1 || jti.length > 200)
      throw new OAuthError(401, "invalid_client", "the assertion's jti is not usable");
    const fresh = await db
      .transaction()
      .execute((tx) => repo.claimAssertion(tx, client.id, jti, new Date(exp * 1000), now));
    if (!fresh) throw new OAuthError(401, "invalid_client", "this client assertion was used before");
    return client;
  }

  async function auditToken(
    ctx: AuditContext,
    outcome: "success" | "failure",
    detail: Record<string, unknown>,
  ) {
    await db.transaction().execute((tx) =>
      auditService.record(tx, ctx, {
        action: "fhir_client.token",
        resourceType: "fhir_client",
        resourceId: ctx.userId,
        outcome,
        detail,
      }),
    );
  }

  return {
    mutualTls,

    async register(
      actor: Actor,
      input: FhirClientInput,
    ): Promise<{ client: FhirClient; clientSecret?: string }> {
      if (input.publicJwk) {
        try {
          await importJWK(input.publicJwk as JWK, input.publicJwk.kty === "EC" ? "ES384" : "RS384");
        } catch {
          throw problems.invalid("body.publicJwk", "is not a usable RSA or EC public key");
        }
      }
      const secret = input.authMethod === "client_secret" ? randomBytes(32).toString("base64url") : undefined;
      return db.transaction().execute(async (tx) => {
        const row = await repo.insert(tx, {
          name: input.name,
          auth_method: input.authMethod,
          secret_hash: secret ? sha256(secret) : null,
          public_jwk: input.publicJwk ?? null,
          tls_subject_kind: input.tlsSubject?.kind ?? null,
          tls_subject: input.tlsSubject?.value ?? null,
          scopes: [...new Set(input.scopes)].sort(),
          network_wide: input.networkWide,
          created_by: actor.userId,
        });
        await repo.setLocations(tx, row.id, input.locationIds);
        await auditService.record(tx, auditContextOf(actor), {
          action: "fhir_client.register",
          resourceType: "fhir_client",
          resourceId: row.id,
          detail: {
            name: input.name,
            authMethod: input.authMethod,
            ...(input.tlsSubject ? { tlsSubject: input.tlsSubject } : {}),
            scopes: row.scopes,
            locationIds: [...new Set(input.locationIds)].sort(),
            networkWide: input.networkWide,
          },
        });
        const client = await toClient(tx, row);
        return secret ? { client, clientSecret: secret } : { client };
      });
    },

    async list(): Promise<FhirClient[]> {
      return Promise.all((await repo.list(db)).map((r) => toClient(db, r)));
    },

    async update(actor: Actor, id: string, patch: FhirClientPatch): Promise<FhirClient> {
      return db.transaction().execute(async (tx) => {
        const before = await repo.get(tx, id);
        if (!before) throw problems.notFound("FHIR client");
        if (patch.tlsSubject && !patch.authMethod && before.auth_method !== "tls_client_auth")
          throw problems.invalid(
            "body.tlsSubject",
            "only tls_client_auth clients have one: send authMethod too",
          );
        const row = await repo.update(tx, id, {
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.active !== undefined ? { active: patch.active } : {}),
          ...(patch.scopes !== undefined ? { scopes: [...new Set(patch.scopes)].sort() } : {}),
          // locations bind a client; network-wide unbinds it
          ...(patch.networkWide ? { network_wide: true } : patch.locationIds ? { network_wide: false } : {}),
          // moving to mutual TLS forgets the secret or key: the certificate is the only credential
          ...(patch.authMethod ? { auth_method: patch.authMethod, secret_hash: null, public_jwk: null } : {}),
          ...(patch.tlsSubject
            ? { tls_subject_kind: patch.tlsSubject.kind, tls_subject: patch.tlsSubject.value }
            : {}),
        });
        if (patch.locationIds) await repo.setLocations(tx, id, patch.locationIds);
        if (patch.networkWide) await repo.setLocations(tx, id, []);
        // narrower rights take effect at once: the tokens issued under the old ones end
        if (
          patch.active === false ||
          patch.scopes ||
          patch.locationIds ||
          patch.networkWide ||
          patch.tlsSubject
        )
          await repo.revokeTokens(tx, id);
        await auditService.record(tx, auditContextOf(actor), {
          action: "fhir_client.update",
          resourceType: "fhir_client",
          resourceId: id,
          detail: {
            fields: Object.keys(patch),
            ...(patch.scopes ? { scopes: row!.scopes, previousScopes: before.scopes } : {}),
            ...(patch.active !== undefined ? { active: patch.active, previousActive: before.active } : {}),
            ...(patch.locationIds ? { locationIds: [...new Set(patch.locationIds)].sort() } : {}),
            ...(patch.networkWide ? { networkWide: true, previousNetworkWide: before.network_wide } : {}),
            ...(patch.authMethod
              ? { authMethod: patch.authMethod, previousAuthMethod: before.auth_method }
              : {}),
            ...(patch.tlsSubject
              ? { tlsSubject: patch.tlsSubject, previousTlsSubject: subjectOf(before) ?? null }
              : {}),
          },
        });
        return toClient(tx, row!);
      });
    },

    /** The client credentials grant: a token for the scopes asked (all registered ones when none are). */
    async issueToken(req: TokenRequest): Promise<TokenAnswer> {
      const anon: AuditContext = {
        userId: null,
        role: null,
        requestId: req.requestId,
        clientAddress: req.clientAddress,
      };
      const seen: { client?: FhirClientRow } = {};
      let client: FhirClientRow | undefined;
      try {
        if (req.form.grant_type !== "client_credentials")
          throw new OAuthError(
            400,
            "unsupported_grant_type",
            "only grant_type=client_credentials is supported",
          );
        client = await authenticateClient(req, seen);
        const scopes = grantedScopes(client.scopes, req.form.scope);
        if (!scopes)
          throw new OAuthError(400, "invalid_scope", `this client may ask for: ${client.scopes.join(" ")}`);
        const token = randomBytes(32).toString("base64url");
        // RFC 8705 3: a certificate-authenticated client's token is good only with that certificate
        const boundTo =
          client.auth_method === "tls_client_auth" ? (req.clientCertificate?.thumbprint ?? null) : null;
        const now = clock.now();
        await db.transaction().execute(async (tx) => {
          await repo.pruneTokens(tx, now);
          const id = await repo.insertToken(tx, {
            token_hash: sha256(token),
            client_id: client!.id,
            scopes,
            issued_at: now,
            expires_at: new Date(now.getTime() + TOKEN_SECONDS * 1000),
            cnf_x5t_s256: boundTo,
          });
          await auditService.record(
            tx,
            { ...anon, userId: client!.id, role: "system_client" },
            {
              action: "fhir_client.token",
              resourceType: "fhir_client",
              resourceId: client!.id,
              detail: { tokenId: id, scopes, ...(boundTo ? { certificateThumbprint: boundTo } : {}) },
            },
          );
          return id;
        });
        return {
          access_token: token,
          token_type: "bearer",
          expires_in: TOKEN_SECONDS,
          scope: scopes.join(" "),
        };
      } catch (err) {
        client ??= seen.client;
        if (err instanceof OAuthError)
          await auditToken(client ? { ...anon, userId: client.id, role: "system_client" } : anon, "failure", {
            error: err.error,
            reason: err.description,
            ...(client
              ? {}
              : { clientId: (req.basic?.clientId ?? req.form.client_id ?? null)?.slice(0, 100) ?? null }),
          });
        throw err;
      }
    },

    /**
     * The actor a live token stands for: staff of the client's locations (every location, for a
     * network-wide client), narrowed to its scopes' grants.
     */
    async authenticate(
      token: string,
      info: { clientAddress: string; requestId: string; certificateThumbprint?: string | undefined },
    ): Promise<Actor | undefined> {
      const t = await repo.tokenByHash(db, sha256(token), clock.now());
      if (!t) return undefined;
      // a certificate-bound token from a connection without that certificate is no token at all
      if (t.cnf_x5t_s256 !== null && t.cnf_x5t_s256 !== info.certificateThumbprint) return undefined;
      return {
        userId: t.client_id,
        role: "location_staff",
        email: `${t.client_id}@fhir-clients.invalid`,
        displayName: t.name,
        sessionId: t.id,
        patientId: null,
        patientIds: [],
        physicianId: null,
        locationIds: t.network_wide
          ? await everyLocationId(locations)
          : await repo.locationsOf(db, t.client_id),
        departmentIds: [],
        specialties: [],
        clientAddress: info.clientAddress,
        requestId: info.requestId,
        client: { id: t.client_id, scopes: t.scopes, grants: grantsOf(t.scopes) },
      };
    },
  };
}

/** The issuer a client assertion claims (unverified: it only picks the key to verify it with). */
function issuerOf(assertion: string): string | undefined {
  try {
    const payload = JSON.parse(Buffer.from(assertion.split(".")[1] ?? "", "base64url").toString("utf8"));
    return typeof payload?.iss === "string" ? payload.iss : undefined;
  } catch {
    return undefined;
  }
}

export type FhirClients = ReturnType<typeof createFhirClients>;
