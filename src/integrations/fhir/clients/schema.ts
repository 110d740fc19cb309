/** The administrators' API of system clients: what registering and changing one takes and answers. */
import { z } from "zod";
import { uuid } from "../../../platform/schemas.js";
import { dnAttributes, TLS_SUBJECT_KINDS } from "./mtls.js";
import { KNOWN_SCOPES } from "./scopes.js";

const scope = z.enum(KNOWN_SCOPES as [string, ...string[]], {
  error: `must be one of ${KNOWN_SCOPES.join(", ")}`,
});

/** A public key as a JWK (RSA or EC): a private key's parts are refused. */
const publicJwk = z
  .looseObject({
    kty: z.enum(["RSA", "EC"], { error: "must be an RSA or EC key" }),
  })
  .refine((k) => !("d" in k) && !("p" in k) && !("q" in k), {
    error: "must be a public key: never send the private key",
  });

/** What a tls_client_auth client's certificate must carry (RFC 8705 2.1.2's metadata, one of them). */
const tlsSubject = z
  .object({
    kind: z
      .enum(TLS_SUBJECT_KINDS)
      .describe(
        "subject_dn (RFC 4514, e.g. CN=pacs-gateway,O=Radiology) or a subjectAltName: san_dns, san_uri, san_ip, san_email",
      ),
    value: z.string().trim().min(1).max(500),
  })
  .strict()
  .refine((s) => s.kind !== "subject_dn" || dnAttributes(s.value) !== undefined, {
    path: ["value"],
    error: "must be a distinguished name such as CN=pacs-gateway,O=Radiology",
  });

const AUTH_METHODS = ["client_secret", "private_key_jwt", "tls_client_auth"] as const;

export const fhirClientInput = z
  .object({
    name: z.string().trim().min(2).max(120),
    authMethod: z
      .enum(AUTH_METHODS)
      .describe(
        "client_secret: a secret shown once; private_key_jwt: a signed assertion checked with publicJwk; tls_client_auth: its TLS client certificate (RFC 8705), tokens bound to it",
      ),
    publicJwk: publicJwk.optional().describe("private_key_jwt: the client's public key"),
    tlsSubject: tlsSubject.optional().describe("tls_client_auth: what its certificate must carry"),
    scopes: z.array(scope).min(1).max(20),
    locationIds: z
      .array(uuid)
      .max(50)
      .default([])
      .describe("the locations whose staff rights the client acts with (none for a network-wide client)"),
    networkWide: z
      .boolean()
      .default(false)
      .describe("bound to no location: staff rights at every location of the network"),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.networkWide && v.locationIds.length)
      ctx.addIssue({
        code: "custom",
        path: ["locationIds"],
        message: "a network-wide client has no locations",
      });
    if (!v.networkWide && !v.locationIds.length)
      ctx.addIssue({
        code: "custom",
        path: ["locationIds"],
        message: "name at least one location, or register the client network-wide",
      });
    if (v.authMethod === "private_key_jwt" && !v.publicJwk)
      ctx.addIssue({ code: "custom", path: ["publicJwk"], message: "private_key_jwt needs the public key" });
    if (v.authMethod !== "private_key_jwt" && v.publicJwk)
      ctx.addIssue({
        code: "custom",
        path: ["publicJwk"],
        message: "only private_key_jwt clients have a key",
      });
    if (v.authMethod === "tls_client_auth" && !v.tlsSubject)
      ctx.addIssue({
        code: "custom",
        path: ["tlsSubject"],
        message: "tls_client_auth needs the subject its certificate carries",
      });
    if (v.authMethod !== "tls_client_auth" && v.tlsSubject)
      ctx.addIssue({
        code: "custom",
        path: ["tlsSubject"],
        message: "only tls_client_auth clients have one",
      });
  });
export type FhirClientInput = z.infer<typeof fhirClientInput>;

export const fhirClientPatch = z
  .object({
    name: z.string().trim().min(2).max(120).optional(),
    active: z.boolean().optional().describe("false revokes every token the client holds"),
    scopes: z.array(scope).min(1).max(20).optional(),
    locationIds: z.array(uuid).min(1).max(50).optional().describe("binds the client to these locations"),
    networkWide: z
      .literal(true)
      .optional()
      .describe("unbinds the client from its locations (send locationIds to bind it again)"),
    authMethod: z
      .literal("tls_client_auth")
      .optional()
      .describe("moves a client to mutual TLS (with tlsSubject): its secret or key is forgotten"),
    tlsSubject: tlsSubject
      .optional()
      .describe("tls_client_auth: a new subject for its certificate (its tokens end)"),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.networkWide && v.locationIds)
      ctx.addIssue({
        code: "custom",
        path: ["locationIds"],
        message: "a network-wide client has no locations",
      });
    if (v.authMethod && !v.tlsSubject)
      ctx.addIssue({
        code: "custom",
        path: ["tlsSubject"],
        message: "tls_client_auth needs the subject its certificate carries",
      });
  });
export type FhirClientPatch = z.infer<typeof fhirClientPatch>;

export const fhirClient = z.object({
  id: uuid.describe("the client_id"),
  name: z.string(),
  authMethod: z.enum(AUTH_METHODS),
  tlsSubject: z
    .object({ kind: z.enum(TLS_SUBJECT_KINDS), value: z.string() })
    .nullable()
    .describe("tls_client_auth: what its certificate must carry"),
  scopes: z.array(z.string()),
  locationIds: z.array(uuid),
  networkWide: z.boolean(),
  active: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type FhirClient = z.infer<typeof fhirClient>;

export const registeredFhirClient = z.object({
  client: fhirClient,
  clientSecret: z
    .string()
    .optional()
    .describe("client_secret clients: shown this once; Rounds keeps only its hash"),
});
