/**
 * A server asked to stop (SIGTERM, as an orchestrator does on every deploy) stops taking new work,
 * finishes what is in flight and exits within 10 seconds, even when a client holds a live event
 * stream open and another never finishes sending its request.
 */
import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type FreshDatabase, freshDatabase } from "./support/databases.js";
import { until } from "./support/messaging.js";
import { type ServerProcess, startServerProcess } from "./support/servers.js";
import { openEventStream } from "./support/sse.js";

const ADMIN = { email: "shutdown.admin@test.rounds.invalid", password: "correct-horse-battery-staple" };

/** Sends a request's head and the first part of its body; the caller decides when to send the rest. */
function startRequest(url: string, token: string, body: string, sentPart: number) {
  const { hostname, port } = new URL(url);
  const socket: Socket = connect(Number(port), hostname);
  let answer = "";
  socket.on("data", (d: Buffer) => {
    answer += d.toString();
  });
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  socket.on("error", () => {});
  socket.write(
    "POST /api/v1/specialties HTTP/1.1\r\n" +
      `Host: ${hostname}:${port}\r\n` +
      `Authorization: Bearer ${token}\r\n` +
      "Content-Type: application/json\r\n" +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n` +
      body.slice(0, sentPart),
  );
  return {
    finish: () => socket.write(body.slice(sentPart)),
    answer: () => answer,
    closed,
  };
}

interface Stoppable {
  server: ServerProcess;
  token: string;
  close(): Promise<void>;
}

/** A `rounds serve` process with a database of its own (so its administrator is created) and a sign-in. */
async function startSignedInServer(env: Record<string, string> = {}): Promise<Stoppable> {
  const fresh: FreshDatabase | undefined = process.env.DATABASE_URL ? await freshDatabase() : undefined;
  const server = await startServerProcess({
    DATABASE_URL: fresh?.url ?? "",
    ROUNDS_DATA_DIR: "memory://",
    ROUNDS_ADMIN_EMAIL: ADMIN.email,
    ROUNDS_ADMIN_PASSWORD: ADMIN.password,
    LOG_LEVEL: "info",
    ...env,
  });
  const login = await fetch(`${server.url}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(ADMIN),
  });
  expect(login.status).toBe(200);
  const { token } = (await login.json()) as { token: string };
  return {
    server,
    token,
    async close() {
      if (server.child.exitCode === null) server.child.kill("SIGKILL");
      await fresh?.drop();
    },
  };
}

/** Sends SIGTERM once the server holds `inFlight` specialty requests; resolves whether it exited within 10 s. */
async function stopWith(server: ServerProcess, inFlight: number, onStopping: () => void) {
  await until(
    () => (server.output().match(/"url":"\/api\/v1\/specialties"/g)?.length ?? 0) >= inFlight,
    "the server to receive the requests",
  );
  const exited = new Promise<"exited">((resolve) => server.child.once("exit", () => resolve("exited")));
  server.child.kill("SIGTERM");
  await until(() => server.output().includes("shutting down"), "the server to begin shutting down");
  onStopping();
  const deadline = new Promise<"still running">((resolve) =>
    setTimeout(() => resolve("still running"), 10_000),
  );
  return Promise.race([exited, deadline]);
}

describe("stopping a server", () => {
  let running: Stoppable | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  it("on SIGTERM it finishes the request in flight, ends live streams and exits, cutting nobody off", async () => {
    running = await startSignedInServer();
    const { server, token } = running;
    const stream = await openEventStream(`${server.url}/api/v1/events`, { authorization: `Bearer ${token}` });
    expect(stream.status).toBe(200);
    const slow = startRequest(server.url, token, JSON.stringify({ code: "slow_one", name: "Slow One" }), 10);

    const outcome = await stopWith(server, 1, () => slow.finish());
    expect(outcome, server.output().slice(-2000)).toBe("exited");
    await slow.closed;
    expect(slow.answer()).toMatch(/^HTTP\/1\.1 201/);
    await stream.ended;
    // the live stream did not hold the close open until connections were cut
    expect(server.output()).not.toContain("grace period");
    stream.close();
  }, 120_000);

  it("on SIGTERM it exits within its grace period and 2 seconds even though a client never finishes its request", async () => {
    running = await startSignedInServer({ ROUNDS_SHUTDOWN_GRACE_SECONDS: "1" });
    const { server, token } = running;
    const stream = await openEventStream(`${server.url}/api/v1/events`, { authorization: `Bearer ${token}` });
    const slow = startRequest(server.url, token, JSON.stringify({ code: "slow_two", name: "Slow Two" }), 10);
    const hung = startRequest(server.url, token, JSON.stringify({ code: "hung_one", name: "Hung One" }), 10);

    const outcome = await stopWith(server, 2, () => slow.finish());
    expect(outcome, server.output().slice(-2000)).toBe("exited");
    await slow.closed;
    expect(slow.answer()).toMatch(/^HTTP\/1\.1 201/);
    await Promise.all([stream.ended, hung.closed]);
    stream.close();
  }, 120_000);
});
