/**
 * Mutual TLS for system clients (RFC 8705) over a real HTTPS server that asks for client
 * certificates from a test CA: a client registered with `tls_client_auth` and its certificate's
 * subject gets a token with no secret, uses it over a connection with that certificate, and the
 * same token from a connection without it, or with another certificate, is refused; so is a token
 * request with the wrong certificate, with none, or with one from a CA the server does not trust.
 * Browsers and other callers without a certificate are still served.
 */
import https from "node:https";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Rounds } from "../../src/server.js";
import { type Client, clientFor } from "../support/auth.js";
import { type Issued, makeCa, type TestCa } from "../support/certificates.js";
import { createLocation } from "../support/fixtures.js";
import { startRounds } from "../support/rounds.js";

let ca: TestCa;
let stranger: TestCa;
let rounds: Rounds;
let base: string;
let admin: Client;
let locationId: string;
/** The certificate of the registered client, another client's, and one from an untrusted CA with the same subject. */
let gateway: Issued;
let other: Issued;
let forged: Issued;
const SUBJECT = "/O=Radiology/CN=pacs-gateway";

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** One request on a fresh connection (no pooled socket, no resumed session), with a client certificate or none. */
function call(
  path: string,
  opts: { cert?: Issued; token?: string; form?: Record<string, string> } = {},
): Promise<Answer> {
  const body = opts.form ? new URLSearchParams(opts.form).toString() : undefined;
  return new Promise((resolve, reject) => {
    const req = https.request(
      `${base}${path}`,
      {
        method: body ? "POST" : "GET",
        agent: false,
        ca: ca.ca,
        ...(opts.cert ? { cert: opts.cert.cert, key: opts.cert.key } : {}),
        headers: {
          ...(body ? { "content-type": "application/x-www-form-urlencoded" } : {}),
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => {
          text += c;
        });
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const tokenFor = (clientId: string, cert?: Issued) =>
  call("/fhir/R4/auth/token", { cert, form: { grant_type: "client_credentials", client_id: clientId } });

let clientId: string;

beforeAll(async () => {
  ca = await makeCa("Rounds Test Client CA");
  stranger = await makeCa("Some Other CA");
  const server = await ca.server("rounds");
  gateway = await ca.client("gateway", SUBJECT);
  other = await ca.client("other", "/O=Radiology/CN=modality-7");
  forged = await stranger.client("forged", SUBJECT);
  rounds = await startRounds({
    ROUNDS_TLS_CERT: server.certFile,
    ROUNDS_TLS_KEY: server.keyFile,
    ROUNDS_TLS_CLIENT_CA: ca.caFile,
  });
  base = (await rounds.app.listen({ port: 0, host: "127.0.0.1" })).replace("localhost", "127.0.0.1");
  admin = await clientFor(rounds, "admin");
  locationId = (await createLocation(rounds)).id;
  const res = await admin.inject({
    method: "POST",
    url: "/api/v1/fhir-clients",
    payload: {
      name: "PACS gateway",
      authMethod: "tls_client_auth",
      tlsSubject: { kind: "subject_dn", value: "CN=pacs-gateway,O=Radiology" },
      scopes: ["system/Appointment.read"],
      locationIds: [locationId],
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  const made = res.json() as { client: { id: string; authMethod: string }; clientSecret?: string };
  expect(made.clientSecret).toBeUndefined();
  expect(made.client.authMethod).toBe("tls_client_auth");
  clientId = made.client.id;
}, 120_000);
afterAll(async () => {
  await rounds?.close();
  ca?.remove();
  stranger?.remove();
});

describe("mutual TLS for system clients", () => {
  it("discovery offers tls_client_auth with certificate-bound tokens, and callers without a certificate are still served", async () => {
    const config = await call("/fhir/R4/.well-known/smart-configuration");
    expect(config.status).toBe(200);
    expect(config.body.token_endpoint_auth_methods_supported).toContain("tls_client_auth");
    expect(config.body.tls_client_certificate_bound_access_tokens).toBe(true);
    expect((await call("/healthz")).status).toBe(200);
  });

  it("the registered certificate gets a token without a secret, and the token works only with that certificate", async () => {
    const issued = await tokenFor(clientId, gateway);
    expect(issued.status, JSON.stringify(issued.body)).toBe(200);
    const token = String(issued.body.access_token);
    expect((await call("/fhir/R4/Appointment?_count=1", { cert: gateway, token })).status).toBe(200);
    // stolen: the same token from a connection without the certificate, or with another one
    expect((await call("/fhir/R4/Appointment?_count=1", { token })).status).toBe(401);
    expect((await call("/fhir/R4/Appointment?_count=1", { cert: other, token })).status).toBe(401);
    // and the holder still can
    expect((await call("/fhir/R4/Appointment?_count=1", { cert: gateway, token })).status).toBe(200);
  });

  it("a token request with another client's certificate, with none, or with a look-alike from an untrusted CA is refused", async () => {
    for (const cert of [other, undefined, forged]) {
      const refused = await tokenFor(clientId, cert);
      expect(refused.status).toBe(401);
      expect(refused.body.error).toBe("invalid_client");
    }
    const withSecret = await call("/fhir/R4/auth/token", {
      cert: gateway,
      form: { grant_type: "client_credentials", client_id: clientId, client_secret: "guess" },
    });
    expect(withSecret.status).toBe(400);
  });

  it("a subject that is not a distinguished name is refused at registration, naming the field", async () => {
    const res = await admin.inject({
      method: "POST",
      url: "/api/v1/fhir-clients",
      payload: {
        name: "Broken",
        authMethod: "tls_client_auth",
        tlsSubject: { kind: "subject_dn", value: "pacs-gateway" },
        scopes: ["system/Appointment.read"],
        locationIds: [locationId],
      },
    });
    expect(res.statusCode).toBe(400);
    expect(JSON.stringify(res.json())).toContain("body.tlsSubject.value");
  });

  it("an administrator moves a secret client to mutual TLS; its secret then opens nothing", async () => {
    const made = await admin.inject({
      method: "POST",
      url: "/api/v1/fhir-clients",
      payload: {
        name: "Modality 7",
        authMethod: "client_secret",
        scopes: ["system/Appointment.read"],
        locationIds: [locationId],
      },
    });
    const { client, clientSecret } = made.json() as { client: { id: string }; clientSecret: string };
    const moved = await admin.inject({
      method: "PATCH",
      url: `/api/v1/fhir-clients/${client.id}`,
      payload: {
        authMethod: "tls_client_auth",
        tlsSubject: { kind: "subject_dn", value: "CN=modality-7, O=Radiology" },
      },
    });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json()).toMatchObject({ authMethod: "tls_client_auth", tlsSubject: { kind: "subject_dn" } });
    const bySecret = await call("/fhir/R4/auth/token", {
      form: { grant_type: "client_credentials", client_id: client.id, client_secret: clientSecret },
    });
    expect(bySecret.status).toBe(400);
    expect((await tokenFor(client.id)).status).toBe(401);
    expect((await tokenFor(client.id, other)).status).toBe(200);
  });
});
