/** The administrators' API of system clients: what registering and changing one takes and answers. */
import { z } from "zod";
import { uuid } from "../../../platform/schemas.js";
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

export const fhirClientInput = z
  .object({
    name: z.string().trim().min(2).max(120),
    authMethod: z
      .enum(["client_secret", "private_key_jwt"])
      .describe(
        "client_secret: a secret shown once; private_key_jwt: a signed assertion checked with publicJwk",
      ),
    publicJwk: publicJwk.optional().describe("private_key_jwt: the client's public key"),
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
    if (v.authMethod === "client_secret" && v.publicJwk)
      ctx.addIssue({
        code: "custom",
        path: ["publicJwk"],
        message: "only private_key_jwt clients have a key",
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
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.networkWide && v.locationIds)
      ctx.addIssue({
        code: "custom",
        path: ["locationIds"],
        message: "a network-wide client has no locations",
      });
  });
export type FhirClientPatch = z.infer<typeof fhirClientPatch>;

export const fhirClient = z.object({
  id: uuid.describe("the client_id"),
  name: z.string(),
  authMethod: z.enum(["client_secret", "private_key_jwt"]),
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
