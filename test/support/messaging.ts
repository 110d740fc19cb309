/**
 * Real peers for the notification channels, on loopback inside the test: an SMTP server whose
 * messages are parsed with mailparser, an HTTP server speaking the Twilio Messages API, and a
 * clock that tests move forward.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type ParsedMail, simpleParser } from "mailparser";
import pg from "pg";
import { SMTPServer } from "smtp-server";
import { loadConfig } from "../../src/platform/config.js";
import { type Database, openDatabase } from "../../src/platform/db.js";
import { migrate } from "../../src/platform/migrations.js";
import { createRounds, type Rounds } from "../../src/server.js";
import { testDatabase, unique } from "./rounds.js";

/** Polls `probe` until it gives something other than undefined or false. */
export async function until<T>(
  probe: () => T | Promise<T>,
  what: string,
  timeoutMs = 15_000,
): Promise<Exclude<T, undefined | false>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value as Exclude<T, undefined | false>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Mailbox {
  url: string;
  messages: ParsedMail[];
  /** Messages addressed to one recipient, oldest first. */
  to(address: string): ParsedMail[];
  /** Whether a message came over a session upgraded with STARTTLS. */
  encrypted(mail: ParsedMail): boolean;
  close(): Promise<void>;
}

/**
 * A real SMTP server on loopback. Without `tls` it offers no STARTTLS (plain, as a relay on the same
 * machine); with a certificate and key it offers STARTTLS and records which sessions used it.
 */
export async function startMailbox(opts: { tls?: { cert: string; key: string } } = {}): Promise<Mailbox> {
  const messages: ParsedMail[] = [];
  const secure = new WeakSet<ParsedMail>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: opts.tls ? ["AUTH"] : ["STARTTLS", "AUTH"],
    ...(opts.tls ? { cert: opts.tls.cert, key: opts.tls.key } : {}),
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (mail) => {
          if (session.secure) secure.add(mail);
          messages.push(mail);
          callback();
        },
        (err: Error) => callback(err),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as AddressInfo).port;
  const addressesOf = (m: ParsedMail) =>
    [m.to ?? []].flat().flatMap((a) => a.value.map((v) => (v.address ?? "").toLowerCase()));
  return {
    url: `smtp://${opts.tls ? "localhost" : "127.0.0.1"}:${port}`,
    messages,
    to: (address) => messages.filter((m) => addressesOf(m).includes(address.toLowerCase())),
    encrypted: (mail) => secure.has(mail),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface SentSms {
  to: string;
  from: string;
  body: string;
  authorization: string | undefined;
  path: string;
}

export interface SmsGateway {
  url: string;
  sid: string;
  token: string;
  messages: SentSms[];
  to(number: string): SentSms[];
  close(): Promise<void>;
}

/** Answers `POST /2010-04-01/Accounts/{sid}/Messages.json` the way Twilio does. */
export async function startSmsGateway(): Promise<SmsGateway> {
  const sid = "AC00000000000000000000000000000001";
  const token = "test-token";
  const messages: SentSms[] = [];
  let n = 0;
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString();
    });
    req.on("end", () => {
      const expected = `Basic ${Buffer.from(`${sid}:${token}`).toString("base64")}`;
      if (req.method !== "POST" || req.url !== `/2010-04-01/Accounts/${sid}/Messages.json`) {
        res
          .writeHead(404, { "content-type": "application/json" })
          .end(JSON.stringify({ code: 20404, message: "Not found" }));
        return;
      }
      if (req.headers.authorization !== expected) {
        res
          .writeHead(401, { "content-type": "application/json" })
          .end(JSON.stringify({ code: 20003, message: "Authenticate" }));
        return;
      }
      const form = new URLSearchParams(body);
      messages.push({
        to: form.get("To") ?? "",
        from: form.get("From") ?? "",
        body: form.get("Body") ?? "",
        authorization: req.headers.authorization,
        path: req.url,
      });
      n += 1;
      res
        .writeHead(201, { "content-type": "application/json" })
        .end(JSON.stringify({ sid: `SM${String(n).padStart(32, "0")}`, status: "queued" }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    sid,
    token,
    messages,
    to: (number) => messages.filter((m) => m.to === number),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A clock that runs with real time, plus however far a test has moved it. */
export class TestClock {
  offsetMs = 0;
  readonly now = () => new Date(Date.now() + this.offsetMs);
  /** Moves the clock so that it now reads `at`. */
  set(at: Date | number): void {
    this.offsetMs = new Date(at).getTime() - Date.now();
  }
  reset(): void {
    this.offsetMs = 0;
  }
}

export interface OwnDatabase {
  database: Database;
  /** The PostgreSQL URL, for the worker's LISTEN connection; undefined on PGlite. */
  url: string | undefined;
  drop(): Promise<void>;
}

/**
 * A database for a test file whose worker clock runs ahead. Such a worker acts on every job in
 * its database (sends other tests' reminders, cancels "started" appointments), and on PostgreSQL
 * test files run in parallel on one database; so there it gets a database of its own. PGlite
 * runs one file at a time per test worker, so the shared database is fine.
 */
export async function ownDatabase(): Promise<OwnDatabase> {
  const shared = process.env.DATABASE_URL;
  if (!shared) return { database: await testDatabase(), url: undefined, drop: async () => {} };
  const name = `rounds_test_notifications_${unique(10).toLowerCase()}`;
  const server = new URL(shared);
  server.pathname = "/postgres";
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: server.toString() });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(shared);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString(), dataDir: "memory://" });
  await migrate(database);
  return {
    database,
    url: url.toString(),
    async drop() {
      await database.close();
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/** The app on a test database, with notification settings and a worker clock of its own. */
export async function startRoundsWith(
  env: Record<string, string>,
  now?: () => Date,
  own?: OwnDatabase,
): Promise<Rounds> {
  const database = own?.database ?? (await testDatabase());
  const config = loadConfig({
    ...process.env,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    ROUNDS_SEED_DEMO: "false",
    ...(own?.url ? { DATABASE_URL: own.url } : {}),
    ...env,
  });
  return createRounds(config, { database, now });
}

export function messagingEnv(mailbox?: Mailbox, sms?: SmsGateway): Record<string, string> {
  return {
    ...(mailbox ? { SMTP_URL: mailbox.url } : {}),
    ...(sms
      ? {
          SMS_API_URL: sms.url,
          SMS_ACCOUNT_SID: sms.sid,
          SMS_AUTH_TOKEN: sms.token,
          SMS_FROM: "+12125550199",
        }
      : {}),
  };
}
