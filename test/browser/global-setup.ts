/**
 * Starts the app exactly as `npm start` does: build the web app once, then `rounds serve` on a
 * fresh data directory that loads the demo network (with its demo users) on first start.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { type ServerProcess, startServerProcess } from "../support/servers.js";

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // while working on a journey: point the tests at a demo server you already run (and built)
  const running = process.env.ROUNDS_BROWSER_BASE_URL;
  if (running) {
    project.provide("baseUrl", running.replace(/\/$/, ""));
    return async () => {};
  }
  const built = Date.now();
  execFileSync("npm", ["run", "build:web"], { stdio: "inherit" });
  console.log(`web app built in ${((Date.now() - built) / 1000).toFixed(1)} s`);

  const dataDir = mkdtempSync(join(tmpdir(), "rounds-browser-"));
  const started = Date.now();
  let server: ServerProcess;
  try {
    server = await startServerProcess(
      {
        ROUNDS_DATA_DIR: dataDir,
        ROUNDS_SEED_DEMO: "true",
        // in-app messages only: no SMTP server or SMS carrier is configured
        ROUNDS_NOTIFICATIONS_WORKER: "true",
        LOG_LEVEL: "warn",
      },
      600_000,
    );
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  console.log(`server with the demo network ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  project.provide("baseUrl", server.url);
  return async () => {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
