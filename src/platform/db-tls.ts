/**
 * TLS to a PostgreSQL server: the URL's `sslmode` (pg's own parsing) plus the CA of
 * ROUNDS_DATABASE_CA, and a start-up error that says what was refused when the server's
 * certificate does not check out (the host, never the URL's credentials).
 */
import type { ConnectionOptions } from "node:tls";
import type pg from "pg";
import { sslModeOf } from "./config.tls.js";
import { readPem } from "./pem.js";

/** The pool's connection string and TLS options. */
export function connectionOf(
  url: string,
  caFile: string | undefined,
): { connectionString: string; ssl?: ConnectionOptions } {
  if (!caFile) return { connectionString: url };
  const mode = sslModeOf(url);
  // pg lets the URL's ssl settings override the pool's: they move into `ssl` here
  const stripped = new URL(url);
  stripped.searchParams.delete("sslmode");
  return {
    connectionString: stripped.toString(),
    ssl: {
      ca: readPem("ROUNDS_DATABASE_CA", caFile),
      rejectUnauthorized: true,
      // verify-ca: the chain is checked, the host name is not (a server reached by address)
      ...(mode === "verify-ca" ? { checkServerIdentity: () => undefined } : {}),
    },
  };
}

/** The primary's connection settings for a connection of its own (the notification worker's LISTEN). */
export function primaryConnection(config: {
  databaseUrl: string | undefined;
  databaseCa: string | undefined;
}): { connectionString: string; ssl?: ConnectionOptions } | undefined {
  return config.databaseUrl ? connectionOf(config.databaseUrl, config.databaseCa) : undefined;
}

/** Node's codes for a certificate that did not check out. */
const CERTIFICATE_REFUSED =
  /^(ERR_TLS_CERT_ALTNAME_INVALID|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|CERT_HAS_EXPIRED|CERT_NOT_YET_VALID|CERT_UNTRUSTED|CERT_SIGNATURE_FAILURE)$/;

export class DatabaseCertificateError extends Error {
  override name = "DatabaseCertificateError";
}

/** Where a URL points, without its user name or password. */
function serverOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || "5432"}`;
  } catch {
    return "the database server";
  }
}

/** The pool, whose connections fail with a clear DatabaseCertificateError when the certificate is refused. */
export function explainingRefusals(pool: pg.Pool, url: string): pg.Pool {
  const explain = (err: unknown): never => {
    const code = (err as { code?: unknown })?.code;
    if (typeof code === "string" && CERTIFICATE_REFUSED.test(code))
      throw new DatabaseCertificateError(
        `the PostgreSQL server at ${serverOf(url)} presented a certificate that was refused (${code}: ${(err as Error).message}); ` +
          "set ROUNDS_DATABASE_CA to the PEM file of the CA that signed it, and check the URL's host name matches it",
      );
    throw err;
  };
  return new Proxy(pool, {
    get(target, prop, receiver) {
      if (prop === "connect") return () => target.connect().catch(explain);
      return Reflect.get(target, prop, receiver);
    },
  });
}
