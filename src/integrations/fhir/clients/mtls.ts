/**
 * Mutual TLS client authentication (RFC 8705 2.1, `tls_client_auth`): a client is registered with
 * what its certificate must say, its subject DN or one subjectAltName, and the token endpoint holds
 * the certificate the connection presented (already verified against ROUNDS_TLS_CLIENT_CA) to it.
 */
import type { ClientCertificate } from "../../../platform/client-certificate.js";

export const TLS_SUBJECT_KINDS = ["subject_dn", "san_dns", "san_uri", "san_ip", "san_email"] as const;
export type TlsSubjectKind = (typeof TLS_SUBJECT_KINDS)[number];

export interface TlsSubject {
  kind: TlsSubjectKind;
  value: string;
}

/**
 * An RFC 4514 DN (`CN=pacs-gateway,O=Radiology`) as its attributes `TYPE=value`, types in capitals,
 * sorted: the certificate lists them in the other order, and a DN names each attribute once in
 * practice. Undefined when it is not a DN.
 */
export function dnAttributes(dn: string): string[] | undefined {
  const parts: string[] = [];
  let current = "";
  for (let i = 0; i < dn.length; i++) {
    const c = dn[i]!;
    if (c === "\\" && i + 1 < dn.length) {
      current += dn[++i];
    } else if (c === "," || c === "+") {
      parts.push(current);
      current = "";
    } else current += c;
  }
  parts.push(current);
  const attributes: string[] = [];
  for (const part of parts) {
    const eq = part.indexOf("=");
    const type = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (eq < 1 || !/^[A-Za-z][A-Za-z0-9-]*$|^\d+(\.\d+)+$/.test(type) || !value) return undefined;
    attributes.push(`${type.toUpperCase()}=${value}`);
  }
  return attributes.sort();
}

/** Whether the certificate carries the registered subject. */
export function certificateMatches(cert: ClientCertificate, subject: TlsSubject): boolean {
  switch (subject.kind) {
    case "subject_dn": {
      const wanted = dnAttributes(subject.value);
      const held = dnAttributes(cert.subject.map((a) => a.replace(/([,+\\])/g, "\\$1")).join(","));
      return wanted !== undefined && held !== undefined && wanted.join("\n") === held.join("\n");
    }
    case "san_dns":
      return cert.san.dns.some((d) => d.toLowerCase() === subject.value.toLowerCase());
    case "san_uri":
      return cert.san.uri.includes(subject.value);
    case "san_ip":
      return cert.san.ip.includes(subject.value);
    case "san_email":
      return cert.san.email.some((e) => e.toLowerCase() === subject.value.toLowerCase());
  }
}
