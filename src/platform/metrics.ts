/**
 * Prometheus metrics (`GET /metrics`, text format) from one registry per app: two servers in one
 * process (tests, replicas) keep apart, and nothing lands in prom-client's global registry. Request
 * counts and latencies are labelled by route pattern (never the raw URL, so ids do not explode the
 * series), method and status class; everything read from elsewhere (outbox cursors, pool, caches)
 * is read when Prometheus scrapes, through the sources the composition root hands in.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { PoolUse } from "./db.js";
import type { App } from "./http.js";
import type { PartitionHealth } from "./partitions.js";

/** A consumer of the schedule-event outbox, as metrics see it. */
export interface OutboxConsumer {
  name: string;
  /** The newest event it has handled; undefined before it first ran. */
  position(): Promise<number | undefined>;
}

/** A cache that counts what it answered from memory. */
export interface CountingCache {
  name: string;
  counts: { hits: number; misses: number };
}

export interface MetricsSources {
  /** The newest schedule event's seq. */
  newestEvent(): Promise<number>;
  consumers: OutboxConsumer[];
  poolUse?: (() => PoolUse) | undefined;
  caches: CountingCache[];
  /** The read replica, when one is configured. */
  reads?: { queries(): number; lagSeconds(): number | undefined } | undefined;
  /** The time partitions' months ahead and rows in DEFAULT (partitions.ts). */
  partitions?: (() => Promise<PartitionHealth[]>) | undefined;
}

/** Booking routes whose answers count bookings and conflicts. */
const BOOKING_ROUTES = new Set([
  "POST /api/v1/appointments",
  "POST /api/v1/holds",
  "POST /api/v1/appointments/:id/reschedule",
]);

export function createMetrics(sources: MetricsSources) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: "rounds_http_requests_total",
    help: "HTTP requests answered, by route pattern, method and status class",
    labelNames: ["route", "method", "status"] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: "rounds_http_request_duration_seconds",
    help: "Time to answer an HTTP request, by route pattern, method and status class",
    labelNames: ["route", "method", "status"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const bookings = new Counter({
    name: "rounds_bookings_total",
    help: "Appointments booked (201 answers of POST /api/v1/appointments)",
    registers: [registry],
  });
  const conflicts = new Counter({
    name: "rounds_booking_conflicts_total",
    help: "Holds, bookings and reschedules refused because the option was taken (409 answers), by route",
    labelNames: ["route"] as const,
    registers: [registry],
  });
  new Gauge({
    name: "rounds_outbox_lag_events",
    help: "Schedule events not yet handled by each outbox consumer (newest seq minus its cursor)",
    labelNames: ["consumer"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const newest = await sources.newestEvent();
      for (const c of sources.consumers) {
        const at = await c.position();
        if (at !== undefined) this.set({ consumer: c.name }, Math.max(0, newest - at));
      }
    },
  });
  new Gauge({
    name: "rounds_db_pool_connections",
    help: "Database connections of this process by state (total, idle, waiting); the embedded database: total 1",
    labelNames: ["state"] as const,
    registers: [registry],
    collect() {
      this.reset();
      const use = sources.poolUse?.();
      if (!use) return;
      this.set({ state: "total" }, use.total);
      if (use.idle !== undefined) this.set({ state: "idle" }, use.idle);
      if (use.waiting !== undefined) this.set({ state: "waiting" }, use.waiting);
    },
  });
  for (const [name, field, help] of [
    ["rounds_cache_hits_total", "hits", "Reads answered from an in-memory cache, by cache"],
    ["rounds_cache_misses_total", "misses", "Reads a cache had to take from the database, by cache"],
  ] as const)
    new Counter({
      name,
      help,
      labelNames: ["cache"] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const c of sources.caches) this.inc({ cache: c.name }, c.counts[field]);
      },
    });

  const partitions = sources.partitions;
  if (partitions)
    for (const [name, field, help] of [
      [
        "rounds_partition_months_ahead",
        "monthsAhead",
        "Months after this one that have their partition, without a gap, by table (3 after the daily pass; below 1, the pass is not running)",
      ],
      [
        "rounds_partition_default_rows",
        "defaultRows",
        "Rows in the DEFAULT partition, by table (the daily pass moves them to their months; 0 normally)",
      ],
    ] as const)
      new Gauge({
        name,
        help,
        labelNames: ["table"] as const,
        registers: [registry],
        async collect() {
          this.reset();
          for (const p of await partitions()) this.set({ table: p.table }, p[field]);
        },
      });

  if (sources.reads) {
    const reads = sources.reads;
    new Counter({
      name: "rounds_read_replica_queries_total",
      help: "Statements searches and reports ran on the read replica (ROUNDS_READ_DATABASE_URL)",
      registers: [registry],
      collect() {
        this.reset();
        this.inc(reads.queries());
      },
    });
    new Gauge({
      name: "rounds_read_replica_lag_seconds",
      help: "How far the read replica was behind at its last check (absent: it did not answer; reads go to the primary)",
      registers: [registry],
      collect() {
        this.reset();
        const lag = reads.lagSeconds();
        if (lag !== undefined) this.set(lag);
      },
    });
  }

  return {
    registry,
    /** Counts one answered request (an onResponse hook). */
    observe(route: string | undefined, method: string, status: number, seconds: number): void {
      const labels = { route: route ?? "unmatched", method, status: `${Math.floor(status / 100)}xx` };
      requests.inc(labels);
      latency.observe(labels, seconds);
      if (!route || !BOOKING_ROUTES.has(`${method} ${route}`)) return;
      if (status === 201 && route === "/api/v1/appointments") bookings.inc();
      if (status === 409) conflicts.inc({ route });
    },
    text: () => registry.metrics(),
    contentType: registry.contentType,
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/**
 * Counts every answer, and serves `/metrics` on the public app unless a separate port is configured
 * (then `serveMetrics` does, and the public app has no such route).
 */
export function installMetrics(app: App, metrics: Metrics, opts: { publicRoute: boolean }): void {
  app.addHook("onResponse", async (req, reply) => {
    metrics.observe(req.routeOptions.url, req.method, reply.statusCode, reply.elapsedTime / 1000);
  });
  if (!opts.publicRoute) return;
  app.get("/metrics", { schema: { hide: true } }, async (_req, reply) =>
    reply.type(metrics.contentType).send(await metrics.text()),
  );
}

/** `/metrics` alone on its own port (ROUNDS_METRICS_PORT), loopback unless told otherwise. */
export async function serveMetrics(
  metrics: Metrics,
  host: string,
  port: number,
): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    if (req.method !== "GET" || (req.url ?? "").split("?")[0] !== "/metrics") {
      res.writeHead(404, { "content-type": "text/plain" }).end("only /metrics here\n");
      return;
    }
    metrics.text().then(
      (text) => res.writeHead(200, { "content-type": metrics.contentType }).end(text),
      () => res.writeHead(500, { "content-type": "text/plain" }).end("metrics could not be collected\n"),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
