/**
 * MLLP connections, plain or over TLS, and the acknowledgement exchange of one message in original
 * or enhanced mode. Outbound messages ask for both acknowledgements (MSH-15 AL, MSH-16 AL): an
 * original-mode receiver answers AA/AE/AR once; an enhanced-mode receiver first commits (CA) or
 * refuses (CE/CR) and then answers for the application (AA/AE/AR). A commit without an
 * application answer in time still counts: the EMR has taken the message into safe keeping.
 */
import { readFileSync } from "node:fs";
import net from "node:net";
import tls from "node:tls";
import type { Hl7Message } from "@medplum/core";
import { Hl7Connection, type Hl7MessageEvent } from "@medplum/hl7";
import type { Hl7Config } from "../../platform/config.js";

/** An EMR endpoint: `host:port` (its key in the outbox) and whether it speaks TLS. */
export interface MllpTarget {
  key: string;
  host: string;
  port: number;
  tls: boolean;
}

export function parseTarget(spec: string): MllpTarget {
  const secure = spec.startsWith("tls://");
  const key = secure ? spec.slice("tls://".length) : spec;
  const at = key.lastIndexOf(":");
  return {
    key,
    host: key.slice(0, at).replace(/^\[|\]$/g, ""),
    port: Number(key.slice(at + 1)),
    tls: secure,
  };
}

/** PEM contents read from the configured files (read once, at start). */
export interface MllpTls {
  /** The listener's certificate and key, and the CA its peers' client certificates must chain to. */
  server?: { cert: string; key: string; ca?: string | undefined } | undefined;
  /** Outbound: the CA pinned for the EMR's certificate, and our client certificate. */
  client: { ca?: string | undefined; cert?: string | undefined; key?: string | undefined };
}

const pem = (path: string | undefined) => (path ? readFileSync(path, "utf8") : undefined);

/** Reads the configured PEM files; a certificate without its key (or the reverse) is a mistake. */
export function loadTls(config: Hl7Config["tls"]): MllpTls {
  if (Boolean(config.cert) !== Boolean(config.key))
    throw new Error("ROUNDS_HL7_TLS_CERT and ROUNDS_HL7_TLS_KEY go together");
  if (Boolean(config.clientCert) !== Boolean(config.clientKey))
    throw new Error("ROUNDS_HL7_CLIENT_CERT and ROUNDS_HL7_CLIENT_KEY go together");
  if (config.ca && !config.cert) throw new Error("ROUNDS_HL7_TLS_CA needs ROUNDS_HL7_TLS_CERT and KEY");
  return {
    server:
      config.cert && config.key
        ? { cert: pem(config.cert)!, key: pem(config.key)!, ca: pem(config.ca) }
        : undefined,
    client: { ca: pem(config.targetCa), cert: pem(config.clientCert), key: pem(config.clientKey) },
  };
}

/** Opens an MLLP connection to the target (verifying its certificate when over TLS). */
export function connectMllp(
  target: MllpTarget,
  client: MllpTls["client"],
  timeoutMs: number,
): Promise<Hl7Connection> {
  return new Promise((resolve, reject) => {
    const socket = target.tls
      ? tls.connect({
          host: target.host,
          port: target.port,
          servername: net.isIP(target.host) ? undefined : target.host,
          ...(client.ca ? { ca: client.ca } : {}),
          ...(client.cert && client.key ? { cert: client.cert, key: client.key } : {}),
        })
      : net.connect({ host: target.host, port: target.port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`Connection timeout after ${timeoutMs}ms`));
    }, timeoutMs);
    const fail = (err: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    socket.once("error", fail);
    socket.once(target.tls ? "secureConnect" : "connect", () => {
      clearTimeout(timer);
      socket.off("error", fail);
      resolve(new Hl7Connection(socket));
    });
  });
}

export interface Acknowledgement {
  /** MSA-1 of the answer that settles the message: AA/AE/AR, CE/CR, or CA (committed, no application answer). */
  code: string;
  reason: string;
}

/** The acknowledgement code (MSA-1) and the reason it gives (ERR-8, else MSA-3). */
export function ackOf(reply: Hl7Message): Acknowledgement {
  const msa = reply.getSegment("MSA");
  const err = reply.getSegment("ERR");
  return {
    code: (msa?.getComponent(1, 1) ?? "").toUpperCase(),
    reason: err?.getComponent(8, 1) || msa?.getComponent(3, 1) || "",
  };
}

/**
 * Sends the message and waits for what settles it: an application answer, a commit refusal, or a
 * commit (CA) followed by no application answer within `appAckMs`. Rejects when nothing came
 * within `timeoutMs` or the connection failed.
 */
export async function exchange(
  conn: Hl7Connection,
  msg: Hl7Message,
  { timeoutMs, appAckMs }: { timeoutMs: number; appAckMs: number },
): Promise<Acknowledgement> {
  const controlId = msg.getSegment("MSH")?.getField(10)?.toString() ?? "";
  let graceTimer: NodeJS.Timeout | undefined;
  let onMessage: ((ev: Hl7MessageEvent) => void) | undefined;
  // the connection itself waits for the application answer and lets a CA pass by; we watch for it
  const committed = new Promise<Acknowledgement>((resolve) => {
    onMessage = (ev: Hl7MessageEvent) => {
      const ack = ackOf(ev.message);
      if (ack.code !== "CA" || ev.message.getSegment("MSA")?.getField(2)?.toString() !== controlId) return;
      graceTimer ??= setTimeout(() => resolve(ack), appAckMs);
    };
    conn.addEventListener("message", onMessage as (ev: Event) => void);
  });
  const answered = conn.sendAndWait(msg, { timeoutMs, returnAck: "application" }).then(ackOf);
  // settled by a commit alone, the connection's own wait ends with the connection
  answered.catch(() => {});
  try {
    return await Promise.race([answered, committed]);
  } finally {
    clearTimeout(graceTimer);
    conn.removeEventListener("message", onMessage as (ev: Event) => void);
  }
}
