/**
 * The EMR's side of HL7 tests: an MLLP endpoint (plain or TLS) that reads what Rounds sends with
 * node-hl7-client, an HL7 library we did not write, and answers as told; and raw MLLP framing.
 */
import net from "node:net";
import tls from "node:tls";
import { Client as Hl7PeerClient, Message } from "node-hl7-client";

export const VT = "\x0b";
export const END = "\x1c\r";

/** Reads MLLP frames off a socket. */
export function onFrames(socket: net.Socket, handle: (text: string) => void): void {
  let buffer = "";
  socket.setEncoding("utf8");
  socket.on("data", (chunk: string) => {
    buffer += chunk;
    for (let end = buffer.indexOf(END); end >= 0; end = buffer.indexOf(END)) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + END.length);
      handle(frame.startsWith(VT) ? frame.slice(1) : frame);
    }
  });
}

/**
 * How the EMR answers: original mode (AA, or AE with a reason), enhanced mode (CA then AA, or
 * only CA), or not at all.
 */
export type EmrAnswer = "AA" | "AE" | "silent" | "CA+AA" | "CA";

export interface Emr {
  port: number;
  received: Message[];
  answer: EmrAnswer;
  close(): Promise<void>;
}

/** Starts the EMR's endpoint on a loopback port; with `secure`, over TLS (client certificate per `ca`). */
export async function startEmr(secure?: { cert: string; key: string; ca: string }): Promise<Emr> {
  const sockets = new Set<net.Socket>();
  const emr: Emr = {
    port: 0,
    received: [],
    answer: "AA",
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  const ack = (msg: Message, code: string, id: string, reason = "") =>
    [
      `MSH|^~\\&|EMR|EMR|ROUNDS|ROUNDS|20260101000000||ACK^${msg.get("MSH.9.2").toString()}|${id}|P|2.5.1`,
      `MSA|${code}|${msg.get("MSH.10").toString()}`,
      ...(reason ? [reason] : []),
    ].join("\r");
  const accept = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    onFrames(socket, (text) => {
      const msg = new Message({ text });
      emr.received.push(msg);
      const id = `A${Date.now()}${emr.received.length}`;
      const send = (code: string, reason?: string) =>
        socket.write(`${VT}${ack(msg, code, id, reason)}${END}`);
      if (emr.answer === "silent") return;
      if (emr.answer === "AE")
        return void send("AE", "ERR|||207^Application error^HL70357|E||||unknown provider");
      if (emr.answer.startsWith("CA")) send("CA");
      if (emr.answer.endsWith("AA")) setTimeout(() => send("AA"), 20);
    });
  };
  const server = secure
    ? tls.createServer({ ...secure, requestCert: true, rejectUnauthorized: true }, accept)
    : net.createServer(accept);
  server.on("tlsClientError", () => {});
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  emr.port = (server.address() as net.AddressInfo).port;
  return emr;
}

/** Sends raw bytes in an MLLP frame and returns the first `count` answers' text. */
export async function sendRaw(port: number, text: string, count = 1): Promise<string[]> {
  const socket = net.connect(port, "127.0.0.1");
  try {
    return await new Promise<string[]>((resolve, reject) => {
      const answers: string[] = [];
      socket.on("error", reject);
      onFrames(socket, (t) => {
        answers.push(t);
        if (answers.length === count) resolve(answers);
      });
      socket.write(`${VT}${text}${END}`);
    });
  } finally {
    socket.destroy();
  }
}

/** Sends one message with node-hl7-client (over TLS, trusting `ca`, when given) and returns the ACK. */
export async function sendWithPeer(port: number, text: string, ca?: string): Promise<Message> {
  const client = new Hl7PeerClient({ host: "127.0.0.1", ...(ca ? { tls: { ca } } : {}) });
  let resolveAck: (m: Message) => void = () => {};
  const ack = new Promise<Message>((resolve) => {
    resolveAck = resolve;
  });
  const conn = client.createConnection({ port, waitAck: true }, async (res) => {
    resolveAck(res.getMessage());
  });
  try {
    await conn.sendMessage(new Message({ text }));
    return await ack;
  } finally {
    await conn.close();
    client.closeAll();
  }
}
