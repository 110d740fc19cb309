/**
 * The TLS client certificate a request's connection presented (mutual TLS, RFC 8705). The HTTPS
 * server asks every connection for one when ROUNDS_TLS_CLIENT_CA is set but admits connections
 * without (browsers), so what is handed out here is only a certificate whose chain the handshake
 * verified against that CA; anything else is as if none was sent. Never read from a header: a
 * certificate forwarded by a proxy is not trusted (README.md, "Encrypted transport").
 */
import { createHash, type X509Certificate } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { TLSSocket } from "node:tls";

export interface ClientCertificate {
  /** SHA-256 of the DER certificate, base64url: the `x5t#S256` tokens are bound to. */
  thumbprint: string;
  /** The subject's attributes as `TYPE=value`, in the certificate's order (e.g. `O=Radiology`, `CN=pacs`). */
  subject: string[];
  /** The subjectAltNames by kind. */
  san: { dns: string[]; uri: string[]; ip: string[]; email: string[] };
}

/** SAN kinds as node:crypto prints them. */
const SAN_PREFIXES = { "DNS:": "dns", "URI:": "uri", "IP Address:": "ip", "email:": "email" } as const;

export function describeCertificate(cert: X509Certificate): ClientCertificate {
  const san: ClientCertificate["san"] = { dns: [], uri: [], ip: [], email: [] };
  for (const entry of (cert.subjectAltName ?? "").split(/,\s*/)) {
    for (const [prefix, kind] of Object.entries(SAN_PREFIXES))
      if (entry.startsWith(prefix)) san[kind].push(entry.slice(prefix.length).replace(/^"|"$/g, ""));
  }
  return {
    thumbprint: createHash("sha256").update(cert.raw).digest("base64url"),
    subject: cert.subject.split("\n").filter(Boolean),
    san,
  };
}

/** The verified client certificate of the request's connection, or undefined. */
export function clientCertificateOf(req: IncomingMessage): ClientCertificate | undefined {
  const socket = req.socket;
  if (!(socket instanceof TLSSocket) || !socket.authorized) return undefined;
  const cert = socket.getPeerX509Certificate();
  return cert ? describeCertificate(cert) : undefined;
}
