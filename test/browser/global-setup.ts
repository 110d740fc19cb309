/**
 * Starts the app exactly as `npm start` does: build the web app once, then `rounds serve` on a
 * fresh data directory that loads the demo network (with its demo users) on first start. With
 * ROUNDS_BROWSER_DATABASE_URL (an empty database on a PostgreSQL server; CI gives one) the server
 * keeps the demo there instead: the journeys are about the screens, and the server then leaves
 * the machine's cores to the browser and the database tiers running beside it.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import type { TestProject } from "vitest/node";
import { type ServerProcess, startServerProcess } from "../support/servers.js";

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
    /** Where the server's email lands, one JSON file per message; empty when the server is not ours. */
    mailDir: string;
  }
}

/** An SMTP server on loopback that writes each message it receives to `dir` as JSON. */
async function startMailDrop(dir: string): Promise<{ url: string; close: () => Promise<void> }> {
  mkdirSync(dir, { recursive: true });
  let n = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          const to = [mail.to ?? []].flat().flatMap((a) => a.value.map((v) => v.address ?? ""));
          n += 1;
          writeFileSync(
            join(dir, `${String(n).padStart(6, "0")}.json`),
            JSON.stringify({ to, subject: mail.subject ?? "", text: mail.text ?? "" }),
          );
          callback();
        },
        (err: Error) => callback(err),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The server's database settings: a PostgreSQL server's (ROUNDS_BROWSER_DATABASE_URL) or none. */
function onServer(dataDir: string): Record<string, string> {
  const url = process.env.ROUNDS_BROWSER_DATABASE_URL;
  if (!url) return { DATABASE_URL: "" };
  return {
    DATABASE_URL: url,
    ROUNDS_AUDIT_KEY: randomBytes(32).toString("hex"),
    ROUNDS_AUDIT_CHECKPOINTS: join(dataDir, "audit-checkpoints"),
  };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // while working on a journey: point the tests at a demo server you already run (and built)
  const running = process.env.ROUNDS_BROWSER_BASE_URL;
  if (running) {
    project.provide("baseUrl", running.replace(/\/$/, ""));
    project.provide("mailDir", "");
    return async () => {};
  }
  const built = Date.now();
  execFileSync("npm", ["run", "build:web"], { stdio: "inherit" });
  console.log(`web app built in ${((Date.now() - built) / 1000).toFixed(1)} s`);

  const dataDir = mkdtempSync(join(tmpdir(), "rounds-browser-"));
  const mailDir = mkdtempSync(join(tmpdir(), "rounds-browser-mail-"));
  const mail = await startMailDrop(mailDir);
  const started = Date.now();
  let server: ServerProcess;
  try {
    server = await startServerProcess(
      {
        ROUNDS_DATA_DIR: dataDir,
        ...onServer(dataDir),
        ROUNDS_SEED_DEMO: "true",
        // email lands in the mail drop (the waitlist journey follows an offer's link); no SMS carrier
        ROUNDS_NOTIFICATIONS_WORKER: "true",
        SMTP_URL: mail.url,
        LOG_LEVEL: "warn",
      },
      600_000,
    );
  } catch (err) {
    await mail.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(mailDir, { recursive: true, force: true });
    throw err;
  }
  console.log(`server with the demo network ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  project.provide("baseUrl", server.url);
  project.provide("mailDir", mailDir);
  return async () => {
    await server.stop();
    await mail.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(mailDir, { recursive: true, force: true });
  };
}
