/**
 * Rounds' own MLLP listener (ROUNDS_HL7_LISTEN_PORT), plain or over TLS (ROUNDS_HL7_TLS_CERT/KEY;
 * with ROUNDS_HL7_TLS_CA, a peer must present a client certificate from that CA): each message is
 * handled in turn per connection and answered with its acknowledgements. A frame that is not an
 * HL7 message at all gets an AR built by hand (there is no MSH to answer from).
 */
import net from "node:net";
import tls from "node:tls";
import { Hl7Message } from "@medplum/core";
import { Hl7Connection, type Hl7ErrorEvent, type Hl7MessageEvent } from "@medplum/hl7";
import type { FastifyBaseLogger } from "fastify";
import { escapeHl7, hl7Time } from "./siu.js";

export interface Listener {
  /** The port it listens on (useful when started on port 0). */
  port: number;
  close(): Promise<void>;
}

function rejectUnreadable(reason: string): Hl7Message {
  const now = new Date();
  return Hl7Message.parse(
    [
      `MSH|^~\\&|ROUNDS|ROUNDS|||${hl7Time(now)}||ACK|${now.getTime()}|P|2.5.1`,
      `MSA|AR||${escapeHl7(reason)}`,
      `ERR|||102^Data type error^HL70357|E||||${escapeHl7(reason)}`,
    ].join("\r"),
  );
}

export async function startListener(
  port: number,
  handle: (msg: Hl7Message, peer: string) => Promise<Hl7Message[]>,
  log: FastifyBaseLogger,
  host?: string,
  secure?: { cert: string; key: string; ca?: string | undefined },
): Promise<Listener> {
  const connections = new Set<Hl7Connection>();
  const accept = (socket: net.Socket) => {
    const conn = new Hl7Connection(socket);
    connections.add(conn);
    const peer = socket.remoteAddress ?? "unknown";
    // one message at a time per connection, answered in order
    let queue = Promise.resolve();
    conn.addEventListener("message", (ev: Hl7MessageEvent) => {
      queue = queue.then(async () => {
        const acks = await handle(ev.message, peer).catch((err: unknown) => {
          log.error({ err }, "HL7 listener could not handle a message");
          return [ev.message.buildAck({ ackCode: "AE" })];
        });
        for (const ack of acks) if (!conn.isClosed()) conn.send(ack);
      });
    });
    conn.addEventListener("error", (ev: Hl7ErrorEvent) => {
      const err = ev.error as Error & { type?: string };
      if (err.type === "entity.parse.failed" && !conn.isClosed()) {
        log.warn({ peer }, "HL7 listener received a frame that is not an HL7 message");
        conn.send(rejectUnreadable("not an HL7 v2 message: it must start with an MSH segment"));
      } else log.debug({ err, peer }, "HL7 connection error");
    });
    conn.addEventListener("close", () => connections.delete(conn));
  };
  const server = secure
    ? tls.createServer(
        {
          cert: secure.cert,
          key: secure.key,
          ...(secure.ca ? { ca: secure.ca, requestCert: true, rejectUnauthorized: true } : {}),
        },
        accept,
      )
    : net.createServer(accept);
  // a peer that fails the handshake (wrong CA, no client certificate) is dropped, and logged
  server.on("tlsClientError", (err: Error) => log.warn({ err: err.message }, "HL7 TLS handshake refused"));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const actual = typeof address === "object" && address ? address.port : port;
  log.info({ port: actual, tls: Boolean(secure) }, "HL7 MLLP listener started");
  return {
    port: actual,
    async close() {
      await Promise.all([...connections].map((c) => c.close().catch(() => {})));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
