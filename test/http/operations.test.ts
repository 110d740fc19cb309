/**
 * Running Rounds for real: Prometheus metrics an operator scrapes, readiness that names the part at
 * fault, rate limits shared by replicas, strict security headers, and HTTPS on a self-signed
 * certificate made here with openssl, over a real TLS socket. Two servers on the worker's database:
 * one as configured by default, one with HTTPS, a separate metrics port and tight rate limits.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/platform/config.js";
import type { Rounds } from "../../src/server.js";
import { signIn, TEST_PASSWORD } from "../support/auth.js";
import { buildClinicNetwork, optionsOn } from "../support/network.js";
import { startRounds, unique } from "../support/rounds.js";

let plain: Rounds;
let secure: Rounds;
let dir: string;
let cert: Buffer;
let base: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "rounds-tls-"));
  const [certFile, keyFile] = [join(dir, "cert.pem"), join(dir, "key.pem")];
  // biome-ignore format: one openssl command line
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
    "-keyout", keyFile, "-out", certFile, "-days", "1", "-subj", "/CN=localhost",
    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"], { stdio: "ignore" });
  cert = readFileSync(certFile);
  plain = await startRounds();
  secure = await startRounds({
    ROUNDS_TLS_CERT: certFile,
    ROUNDS_TLS_KEY: keyFile,
    ROUNDS_METRICS_PORT: "0",
    ROUNDS_RATE_SIGNIN_ACCOUNT: "2",
    ROUNDS_RATE_SEARCH_ACCOUNT: "2",
  });
  const address = await secure.app.listen({ host: "127.0.0.1", port: 0 });
  base = address.replace("localhost", "127.0.0.1");
});

afterAll(async () => {
  await plain?.close();
  await secure?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request over a real socket; HTTPS trusts only the test's own certificate. */
function request(url: string, opts: { method?: string; body?: unknown } = {}): Promise<Answer> {
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  const client = url.startsWith("https:") ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      url,
      {
        method: opts.method ?? "GET",
        ...(url.startsWith("https:") ? { ca: cert } : {}),
        headers: payload ? { "content-type": "application/json" } : {},
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => {
          body += c;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

/** The value of one sample line of a Prometheus scrape, or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (wanted.every((w) => line.includes(w))) return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return undefined;
}

describe("metrics", () => {
  it("an operator scraping /metrics sees requests per route, bookings, conflicts, outbox lag, pool use, cache hits and partitions kept ahead", async () => {
    const net = await buildClinicNetwork(plain);
    const [option] = await optionsOn(net, net.admin);
    await optionsOn(net, net.admin);
    const book = () =>
      net.admin.inject({
        method: "POST",
        url: "/api/v1/appointments",
        payload: { optionId: option!.id, patientId: net.patientId },
      });
    expect((await book()).statusCode).toBe(201);
    expect((await book()).statusCode).toBe(409);

    const res = await plain.app.inject({ url: "/metrics" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toContain("text/plain");
    const text = res.body;
    const search = { route: "/api/v1/availability", method: "GET", status: "2xx" };
    expect(sample(text, "rounds_http_requests_total", search)).toBeGreaterThanOrEqual(2);
    expect(sample(text, "rounds_http_request_duration_seconds_count", search)).toBeGreaterThanOrEqual(2);
    // ids never become labels: the route pattern does
    expect(text).not.toContain(option!.id);
    expect(sample(text, "rounds_bookings_total")).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, "rounds_booking_conflicts_total", { route: "/api/v1/appointments" }),
    ).toBeGreaterThanOrEqual(1);
    expect(sample(text, "rounds_outbox_lag_events", { consumer: "notifications" })).toBeGreaterThanOrEqual(0);
    expect(sample(text, "rounds_db_pool_connections", { state: "total" })).toBeGreaterThanOrEqual(1);
    const cache = { cache: "physician_bookings" };
    // the second search read the physician's days from memory
    expect(sample(text, "rounds_cache_hits_total", cache)).toBeGreaterThanOrEqual(1);
    expect(sample(text, "rounds_cache_misses_total", cache)).toBeGreaterThanOrEqual(1);
    // the partition pass ran at start: the coming months exist and nothing waits in DEFAULT
    for (const table of ["audit_events", "notifications"]) {
      expect(sample(text, "rounds_partition_months_ahead", { table })).toBeGreaterThanOrEqual(3);
      expect(sample(text, "rounds_partition_default_rows", { table })).toBe(0);
    }
  });

  it("with ROUNDS_METRICS_PORT set, /metrics is served on that port only, not on the public one", async () => {
    expect(secure.metricsPort).toBeGreaterThan(0);
    // the public port has no such route (the web app's fallback answers, without a metric)
    const onPublic = await secure.app.inject({ url: "/metrics" });
    expect(onPublic.body).not.toContain("rounds_http_requests_total");
    const scrape = await request(`http://127.0.0.1:${secure.metricsPort}/metrics`);
    expect(scrape.status).toBe(200);
    expect(scrape.body).toContain("# TYPE rounds_http_requests_total counter");
  });
});

describe("security headers and HTTPS", () => {
  it("every answer, a problem too, carries a strict content security policy, nosniff and no referrer", async () => {
    for (const url of ["/healthz", "/api/v1/nowhere"]) {
      const res = await plain.app.inject({ url });
      expect(res.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
      expect(res.headers["content-security-policy"]).toContain("script-src 'self'");
      expect(res.headers["x-content-type-options"]).toBe("nosniff");
      expect(res.headers["referrer-policy"]).toBe("no-referrer");
      // HSTS only where the server itself speaks HTTPS
      expect(res.headers["strict-transport-security"]).toBeUndefined();
    }
  });

  it("a certificate without its key (or a key without its certificate) stops start-up naming the missing one", () => {
    expect(() => loadConfig({ ROUNDS_TLS_CERT: "/etc/rounds/cert.pem" })).toThrow(ConfigError);
    expect(() => loadConfig({ ROUNDS_TLS_CERT: "/etc/rounds/cert.pem" })).toThrow(/ROUNDS_TLS_KEY/);
    expect(() => loadConfig({ ROUNDS_TLS_KEY: "/etc/rounds/key.pem" })).toThrow(/ROUNDS_TLS_CERT/);
  });

  it("with a certificate configured the server speaks HTTPS only, sends HSTS and a Secure session cookie", async () => {
    expect(base).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const health = await request(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(health.headers["strict-transport-security"]).toMatch(/max-age=\d{7,}/);
    const user = await signIn(secure, "admin");
    const login = await request(`${base}/api/v1/auth/login`, {
      method: "POST",
      body: { email: user.email, password: TEST_PASSWORD },
    });
    expect(login.status).toBe(200);
    const cookie = [login.headers["set-cookie"] ?? []].flat().find((c) => c.startsWith("rounds_session="));
    expect(cookie).toMatch(/;\s*Secure/i);
    // plain HTTP on the same port gets no answer from the API
    const cleartext = await request(`${base.replace("https:", "http:")}/healthz`).catch(() => undefined);
    expect(cleartext?.status).not.toBe(200);
  });
});

describe("rate limits", () => {
  /** Sends requests until one is refused (at most `n`); the statuses in order. */
  async function until429(send: () => Promise<{ statusCode: number }>, n: number): Promise<number[]> {
    const statuses: number[] = [];
    for (let i = 0; i < n; i++) {
      statuses.push((await send()).statusCode);
      if (statuses.at(-1) === 429) break;
    }
    return statuses;
  }

  it("searches of one account over its limit are refused with 429, Retry-After and the limit named, on any replica", async () => {
    const net = await buildClinicNetwork(plain);
    const url = `/api/v1/availability?appointmentTypeId=${net.appointmentTypeId}&physicianId=${net.physicianId}`;
    // the limit is a one-minute window: a window boundary can split one attempt, never two
    for (let attempt = 0; attempt < 2; attempt++) {
      const staff = await signIn(plain, "admin");
      // two searches through the replica with the default (generous) limit...
      for (let i = 0; i < 2; i++)
        expect((await plain.app.inject({ url, headers: staff.headers })).statusCode).toBe(200);
      // ...count against the other replica's limit of two: the counters live in the database
      const refused = await secure.app.inject({ url, headers: staff.headers });
      if (refused.statusCode !== 429) continue;
      expect(Number(refused.headers["retry-after"])).toBeGreaterThanOrEqual(1);
      expect(Number(refused.headers["retry-after"])).toBeLessThanOrEqual(60);
      expect(refused.headers["content-type"]).toContain("application/problem+json");
      const problem = refused.json() as { code: string; detail: string; errors: Array<{ field: string }> };
      expect(problem.code).toBe("rate_limited");
      expect(problem.errors[0]?.field).toBe("account");
      expect(problem.detail).toContain("2 search requests a minute");
      return;
    }
    throw new Error("the third search in a minute was never refused");
  });

  it("sign-ins naming one account are limited per account, even from different addresses", async () => {
    const email = `nobody.${unique(8).toLowerCase()}@test.rounds.invalid`;
    const statuses = await until429(
      () =>
        secure.app.inject({
          method: "POST",
          url: "/api/v1/auth/login",
          payload: { email, password: "not-the-password" },
          remoteAddress: `10.77.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`,
        }),
      5,
    );
    // the first two are judged on the password; one of the next three meets the limit
    expect(statuses.slice(0, 2)).toEqual([401, 401]);
    expect(statuses.at(-1)).toBe(429);
  });
});

describe("health and readiness", () => {
  it("readiness names each part; a stopped notification worker makes it 503 while health stays 200", async () => {
    const ready = await secure.app.inject({ url: "/readyz" });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({
      status: "ready",
      checks: { database: "ok", notificationWorker: "ok" },
    });
    await secure.notifications.worker.stop();
    const notReady = await secure.app.inject({ url: "/readyz" });
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json()).toMatchObject({
      status: "not ready",
      checks: { database: "ok", notificationWorker: "stopped" },
    });
    expect((await secure.app.inject({ url: "/healthz" })).statusCode).toBe(200);
  });
});
