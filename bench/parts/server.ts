/** API processes for the bench: `rounds serve` on the bench database, and signing in to one. */
import { spawn } from "node:child_process";
import { freePort } from "../../test/support/servers.js";
import { ADMIN, type BenchOptions, sleep } from "./common.js";

const BENCH_AUDIT_KEY = "rounds-bench-audit-key-not-a-secret-0123456789";

export interface Server {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Starts `rounds serve` on the bench database and waits until it is ready; `env` adds settings. */
export async function startServer(opts: BenchOptions, env: Record<string, string> = {}): Promise<Server> {
  const port = await freePort();
  // BENCH_SERVER_NODE_ARGS="--cpu-prof" profiles the API process
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", "src/cli.ts", "serve"], {
    env: {
      ...process.env,
      DATABASE_URL: opts.databaseUrl,
      PORT: String(port),
      LOG_LEVEL: "warn",
      ROUNDS_SEED_DEMO: "false",
      ROUNDS_ADMIN_EMAIL: ADMIN.email,
      ROUNDS_ADMIN_PASSWORD: ADMIN.password,
      DATABASE_POOL_SIZE: "20",
      ROUNDS_MAX_OPEN_HOLDS: "100",
      // the bench measures throughput, not its own refusal: rate limits off unless ROUNDS_RATE_LIMITS says (README.md, "Operating Rounds")
      ROUNDS_RATE_LIMITS: process.env.ROUNDS_RATE_LIMITS ?? "false",
      // every replica signs the audit trail with the same secret; the bench database is throw-away
      ROUNDS_AUDIT_KEY: process.env.ROUNDS_AUDIT_KEY || BENCH_AUDIT_KEY,
      ...env,
    },
    // the server's own log goes to stderr, so stdout stays the numbers
    stdio: ["ignore", process.stderr, process.stderr],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null)
      throw new Error(`rounds serve exited with ${child.exitCode} before it was ready`);
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) break;
    } catch {}
    await sleep(200);
  }
  return {
    url,
    pid: child.pid!,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** Request headers of a signed-in user. */
export async function signIn(
  url: string,
  credentials: { email: string; password: string },
): Promise<Record<string, string>> {
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(credentials),
  });
  if (res.status !== 200)
    throw new Error(`sign-in of ${credentials.email}: ${res.status} ${await res.text()}`);
  const { token } = (await res.json()) as { token: string };
  return { authorization: `Bearer ${token}`, "content-type": "application/json" };
}

export interface Timed {
  status: number;
  body: unknown;
  ms: number;
}

/** A GET against `url` as the user of `headers`, timed from send to the parsed body. */
export function getter(url: string, headers: Record<string, string>): (path: string) => Promise<Timed> {
  return async (path) => {
    const t = performance.now();
    const res = await fetch(`${url}${path}`, { headers });
    const body = await res.json();
    return { status: res.status, body, ms: performance.now() - t };
  };
}
