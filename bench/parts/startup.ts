/**
 * `npm run bench -- --only startup`: how long `npm start` takes to answer `/readyz` with 200 on the
 * embedded database, fresh (empty data directory: migrations, the demo network, the audit key)
 * and on restart (the same directory again), and how much memory the idle server holds a few
 * seconds after it is ready. Runs `npm start` itself, so whatever `prestart` does is counted.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../test/support/servers.js";

export interface StartupRun {
  /** Milliseconds from spawning `npm start` to the first 200 from `/readyz`. */
  readyMs: number;
  /** Resident memory of the process that serves (the largest in the process group), MB. */
  serverRssMb: number;
  /** Resident memory of every process `npm start` left running (npm, sh, tsx, server), MB. */
  totalRssMb: number;
}

export interface StartupResult {
  runs: number;
  idleSeconds: number;
  fresh: StartupSummary;
  restart: StartupSummary;
}

interface StartupSummary {
  readyMs: { median: number; min: number; max: number };
  serverRssMb: { median: number; min: number; max: number };
  totalRssMb: { median: number; min: number; max: number };
}

const log = (...m: unknown[]) => console.error("[bench startup]", ...m);

/** Resident memory (MB) of each live process whose process group is `pgid`. */
function groupRssMb(pgid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = readFileSync(`/proc/${entry}/stat`, "utf8").split(") ")[1]!.split(" ");
      if (Number(fields[2]) !== pgid) continue;
      const status = readFileSync(`/proc/${entry}/status`, "utf8");
      out.push(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
    } catch {}
  }
  return out;
}

async function untilReady(url: string, child: ChildProcess, limitMs: number): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`npm start exited with ${child.exitCode} before it was ready`);
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`not ready within ${limitMs} ms`);
}

export interface NpmStart {
  url: string;
  /** Milliseconds from spawning `npm start` to the first 200 from `/readyz`. */
  readyMs: number;
  /** Resident memory now: the serving process and every process of the tree, MB. */
  rss(): { serverRssMb: number; totalRssMb: number };
  stop(): Promise<void>;
}

/** `npm start` on the embedded database in `dataDir`, ready to serve; `env` adds settings. */
export async function startNpm(dataDir: string, env: Record<string, string> = {}): Promise<NpmStart> {
  const port = await freePort();
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    ROUNDS_DATA_DIR: dataDir,
    PORT: String(port),
    LOG_LEVEL: "warn",
    ROUNDS_SEED_DEMO: "true",
    ...env,
  };
  delete childEnv.DATABASE_URL;
  delete childEnv.DATABASE_OWNER_URL;
  delete childEnv.NODE_OPTIONS;
  const started = performance.now();
  // its own process group, so the whole tree (npm, sh, node) can be measured and stopped
  const child = spawn("npm", ["start", "--silent"], {
    env: childEnv,
    detached: true,
    stdio: ["ignore", "ignore", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch {}
    await exited;
    // npm may exit before the server it started has closed the database
    for (let i = 0; i < 200 && groupRssMb(child.pid!).length > 0; i++)
      await new Promise((r) => setTimeout(r, 50));
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    await untilReady(url, child, 120_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    url,
    readyMs: Math.round(performance.now() - started),
    rss() {
      const rss = groupRssMb(child.pid!);
      return {
        serverRssMb: Math.round(Math.max(...rss)),
        totalRssMb: Math.round(rss.reduce((a, b) => a + b, 0)),
      };
    },
    stop,
  };
}

/** One `npm start` on `dataDir`: time to ready, memory after `idleSeconds`, then SIGTERM. */
async function startOnce(dataDir: string, idleSeconds: number): Promise<StartupRun> {
  const server = await startNpm(dataDir);
  try {
    await new Promise((r) => setTimeout(r, idleSeconds * 1000));
    return { readyMs: server.readyMs, ...server.rss() };
  } finally {
    await server.stop();
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : Math.round((s[mid - 1]! + s[mid]!) / 2);
};

function summarize(runs: StartupRun[]): StartupSummary {
  const of = (key: keyof StartupRun) => {
    const xs = runs.map((r) => r[key]);
    return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
  };
  return { readyMs: of("readyMs"), serverRssMb: of("serverRssMb"), totalRssMb: of("totalRssMb") };
}

/** `runs` times: a fresh start on an empty data directory, then a restart on the same one. */
export async function measureStartup(runs: number, idleSeconds = 5): Promise<StartupResult> {
  const fresh: StartupRun[] = [];
  const restart: StartupRun[] = [];
  for (let i = 0; i < runs; i++) {
    const dataDir = mkdtempSync(join(tmpdir(), "rounds-bench-startup-"));
    try {
      fresh.push(await startOnce(dataDir, idleSeconds));
      restart.push(await startOnce(dataDir, idleSeconds));
      log(
        `run ${i + 1}/${runs}: fresh`,
        JSON.stringify(fresh.at(-1)),
        "restart",
        JSON.stringify(restart.at(-1)),
      );
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  return { runs, idleSeconds, fresh: summarize(fresh), restart: summarize(restart) };
}
