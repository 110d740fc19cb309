/**
 * The configuration of encrypted transport beyond HTTPS serving itself (README.md, "Encrypted
 * transport"): the CA a PostgreSQL server's certificate is checked against, whether SMTP must be
 * upgraded with STARTTLS and which CA its certificate chains to, and the CA of the client
 * certificates that system clients of the FHIR API present (RFC 8705 mutual TLS).
 */
import { z } from "zod";

/** How Rounds protects the connections it makes or accepts, beyond the HTTPS certificate and key. */
export interface TransportTlsConfig {
  /**
   * PEM file of the CA the PostgreSQL servers' certificates must chain to (ROUNDS_DATABASE_CA), for
   * DATABASE_URL, DATABASE_OWNER_URL and ROUNDS_READ_DATABASE_URL alike; unset: the system's CAs
   * (or the URL's own sslrootcert).
   */
  databaseCa: string | undefined;
  smtp: SmtpTlsConfig;
  /**
   * PEM file of the CA system clients' certificates must chain to (ROUNDS_TLS_CLIENT_CA): the HTTPS
   * server then asks every connection for a certificate, and FHIR clients registered with
   * `tls_client_auth` sign in with theirs; unset: no certificate is asked for.
   */
  clientCa: string | undefined;
}

export interface SmtpTlsConfig {
  /**
   * Never send in clear (ROUNDS_SMTP_REQUIRE_TLS): an smtp:// server must offer STARTTLS and the
   * upgrade must succeed, or the message stays queued with the reason. Default: required unless the
   * SMTP host is the loopback interface (a relay on the same machine).
   */
  requireTls: boolean;
  /** PEM file of a private CA the SMTP server's certificate chains to (ROUNDS_SMTP_CA); unset: the system's. */
  ca: string | undefined;
}

type Flag = z.ZodType<boolean, string>;

const pemFile = (what: string) => z.string().min(1).max(1000).optional().describe(`PEM file: ${what}`);

/** The variables (config.ts spreads them into its schema; `booleanFlag` is its true/false parser). */
export const tlsEnv = (booleanFlag: Flag) => ({
  ROUNDS_DATABASE_CA: pemFile("CA of the PostgreSQL servers' certificates"),
  ROUNDS_SMTP_REQUIRE_TLS: booleanFlag.optional().describe("default: true unless the SMTP host is loopback"),
  ROUNDS_SMTP_CA: pemFile("CA of the SMTP server's certificate"),
  ROUNDS_TLS_CLIENT_CA: pemFile("CA of system clients' certificates (mutual TLS)"),
});

type TlsEnv = z.infer<z.ZodObject<ReturnType<typeof tlsEnv>>> & {
  SMTP_URL?: string | undefined;
  DATABASE_URL?: string | undefined;
  DATABASE_OWNER_URL?: string | undefined;
  ROUNDS_READ_DATABASE_URL?: string | undefined;
  ROUNDS_TLS_CERT?: string | undefined;
};

/** The host names and addresses that never leave the machine. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h.endsWith(".localhost") || /^127(\.\d{1,3}){3}$/.test(h) || h === "::1";
}

/** The SSL mode a PostgreSQL URL asks for (`sslmode=`), or undefined when it names none. */
export function sslModeOf(url: string): string | undefined {
  try {
    return new URL(url).searchParams.get("sslmode") ?? undefined;
  } catch {
    return undefined;
  }
}

const VERIFYING_MODES = ["verify-full", "verify-ca"];

/**
 * The settings, or the variable at fault and what is wrong with it (config.ts throws that as its
 * ConfigError: this file cannot import it without an import circle).
 */
export function tlsConfig(e: TlsEnv): TransportTlsConfig | { variable: string; problem: string } {
  if (e.ROUNDS_DATABASE_CA) {
    // a CA is only worth giving when the certificate is checked against it
    const urls = ["DATABASE_URL", "DATABASE_OWNER_URL", "ROUNDS_READ_DATABASE_URL"] as const;
    for (const variable of urls) {
      const url = e[variable];
      if (url && !VERIFYING_MODES.includes(sslModeOf(url) ?? ""))
        return {
          variable,
          problem: "must say sslmode=verify-full (or verify-ca) when ROUNDS_DATABASE_CA is set",
        };
    }
  }
  if (e.ROUNDS_TLS_CLIENT_CA && !e.ROUNDS_TLS_CERT)
    return {
      variable: "ROUNDS_TLS_CLIENT_CA",
      problem: "needs ROUNDS_TLS_CERT and ROUNDS_TLS_KEY: client certificates are asked for over HTTPS only",
    };
  const smtpHost = e.SMTP_URL ? hostOf(e.SMTP_URL) : undefined;
  return {
    databaseCa: e.ROUNDS_DATABASE_CA,
    smtp: {
      requireTls: e.ROUNDS_SMTP_REQUIRE_TLS ?? !(smtpHost !== undefined && isLoopbackHost(smtpHost)),
      ca: e.ROUNDS_SMTP_CA,
    },
    clientCa: e.ROUNDS_TLS_CLIENT_CA,
  };
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}
