/**
 * The pure rules of encrypted transport: which settings belong together, when SMTP must be
 * encrypted, and how a client certificate is held to the subject a system client was registered with.
 */
import { X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { certificateMatches, dnAttributes } from "../../src/integrations/fhir/clients/mtls.js";
import { describeCertificate } from "../../src/platform/client-certificate.js";
import { ConfigError, loadConfig } from "../../src/platform/config.js";
import { selfSigned } from "../support/hl7-certificates.js";

function refusal(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

const PRIMARY = "postgres://rounds@db.example.org/rounds";

describe("encrypted transport settings", () => {
  it("a database CA needs every database URL to verify against it", () => {
    expect(
      refusal({ DATABASE_URL: `${PRIMARY}?sslmode=require`, ROUNDS_DATABASE_CA: "ca.pem" }).variable,
    ).toBe("DATABASE_URL");
    const replica = refusal({
      DATABASE_URL: `${PRIMARY}?sslmode=verify-full`,
      ROUNDS_READ_DATABASE_URL: "postgres://rounds@replica.example.org/rounds",
      ROUNDS_DATABASE_CA: "ca.pem",
    });
    expect(replica.variable).toBe("ROUNDS_READ_DATABASE_URL");
    expect(replica.message).toContain("sslmode=verify-full");
    const ok = loadConfig({
      DATABASE_URL: `${PRIMARY}?sslmode=verify-full`,
      DATABASE_OWNER_URL: "postgres://owner@db.example.org/rounds?sslmode=verify-ca",
      ROUNDS_DATABASE_CA: "ca.pem",
    });
    expect(ok.databaseCa).toBe("ca.pem");
  });

  it("client certificates are asked for over HTTPS only", () => {
    expect(refusal({ ROUNDS_TLS_CLIENT_CA: "clients.pem" }).variable).toBe("ROUNDS_TLS_CLIENT_CA");
    const ok = loadConfig({
      ROUNDS_TLS_CERT: "c.pem",
      ROUNDS_TLS_KEY: "k.pem",
      ROUNDS_TLS_CLIENT_CA: "clients.pem",
    });
    expect(ok.operations.tls?.clientCaFile).toBe("clients.pem");
  });

  it("SMTP must be encrypted unless the relay is on this machine, and the variable decides either way", () => {
    const required = (url: string, extra: Record<string, string> = {}) =>
      loadConfig({ SMTP_URL: url, ...extra }).notifications.smtpTls.requireTls;
    expect(required("smtp://relay.hospital.example:587")).toBe(true);
    expect(required("smtp://10.0.0.5:25")).toBe(true);
    expect(required("smtp://[::1]:25")).toBe(false);
    expect(required("smtp://127.0.0.2:25")).toBe(false);
    expect(required("smtp://relay.hospital.example:25", { ROUNDS_SMTP_REQUIRE_TLS: "false" })).toBe(false);
    expect(refusal({ ROUNDS_SMTP_REQUIRE_TLS: "sometimes" }).variable).toBe("ROUNDS_SMTP_REQUIRE_TLS");
  });
});

describe("a client certificate held to a registered subject", () => {
  const cert = describeCertificate(new X509Certificate(selfSigned("pacs-gateway").cert));

  it("the subject DN matches whatever the order and the case of attribute types, and nothing more or less", () => {
    expect(cert.subject).toEqual(["CN=pacs-gateway"]);
    expect(certificateMatches(cert, { kind: "subject_dn", value: "CN=pacs-gateway" })).toBe(true);
    expect(certificateMatches(cert, { kind: "subject_dn", value: "cn = pacs-gateway" })).toBe(true);
    expect(certificateMatches(cert, { kind: "subject_dn", value: "CN=pacs-gateway,O=Radiology" })).toBe(
      false,
    );
    expect(certificateMatches(cert, { kind: "subject_dn", value: "CN=pacs" })).toBe(false);
    expect(dnAttributes("CN=pacs-gateway,O=Radiology")).toEqual(dnAttributes("O=Radiology, CN=pacs-gateway"));
    expect(dnAttributes("CN=Smith\\, J.,O=Radiology")).toEqual(["CN=Smith, J.", "O=Radiology"]);
    expect(dnAttributes("pacs-gateway")).toBeUndefined();
  });

  it("a subjectAltName matches by its kind only", () => {
    expect(certificateMatches(cert, { kind: "san_dns", value: "LOCALHOST" })).toBe(true);
    expect(certificateMatches(cert, { kind: "san_ip", value: "127.0.0.1" })).toBe(true);
    expect(certificateMatches(cert, { kind: "san_uri", value: "localhost" })).toBe(false);
    expect(certificateMatches(cert, { kind: "san_dns", value: "127.0.0.1" })).toBe(false);
    expect(cert.thumbprint).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
