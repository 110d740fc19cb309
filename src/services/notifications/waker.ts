/**
 * Wakes this process's readers of the schedule_events outbox. On PostgreSQL one dedicated
 * connection LISTENs on the events channel, so every replica hears every commit at once (and
 * re-listens after a dropped connection); a slow poll backs it up. Embedded PGlite has a single
 * session that the Database handle does not expose, so there the poll is the only wake-up.
 */
import type { ConnectionOptions } from "node:tls";
import type { FastifyBaseLogger } from "fastify";
import pg from "pg";
import { EVENTS_CHANNEL } from "../../platform/events.js";

export interface Waker {
  /** Calls `fn` on every wake-up; returns the unsubscribe function. */
  onWake(fn: () => void): () => void;
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly listening: boolean;
}

/** Where the LISTEN connection goes: the primary's URL and, with ROUNDS_DATABASE_CA, its TLS options. */
export interface ListenConnection {
  connectionString: string;
  ssl?: ConnectionOptions;
}

export function createWaker(opts: {
  connection: ListenConnection | undefined;
  pollMs: number;
  log: FastifyBaseLogger;
}): Waker {
  const listeners = new Set<() => void>();
  const wake = () => {
    for (const fn of [...listeners]) fn();
  };
  let timer: NodeJS.Timeout | undefined;
  let client: pg.Client | undefined;
  let stopped = false;
  let started: Promise<void> | undefined;
  let retryMs = 1000;
  let reconnect: NodeJS.Timeout | undefined;

  async function listen(): Promise<void> {
    if (!opts.connection || stopped) return;
    const c = new pg.Client({
      ...opts.connection,
      application_name: "rounds-events-listener",
    });
    c.on("notification", wake);
    c.on("error", (err) => {
      opts.log.warn({ err: err.message }, "event listener connection lost; polling until it is back");
      drop(c);
    });
    c.on("end", () => drop(c));
    try {
      await c.connect();
      await c.query(`LISTEN ${EVENTS_CHANNEL}`);
      if (stopped) {
        await c.end().catch(() => {});
        return;
      }
      client = c;
      retryMs = 1000;
      // anything committed while we were not listening is in the table: read it now
      wake();
    } catch (err) {
      opts.log.warn({ err: (err as Error).message }, "cannot LISTEN for schedule events; retrying");
      drop(c);
    }
  }

  function drop(c: pg.Client) {
    if (client === c) client = undefined;
    c.removeAllListeners("notification");
    void c.end().catch(() => {});
    if (stopped || reconnect) return;
    reconnect = setTimeout(() => {
      reconnect = undefined;
      void listen();
    }, retryMs);
    reconnect.unref();
    retryMs = Math.min(retryMs * 2, 30_000);
  }

  return {
    onWake(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    start() {
      started ??= (async () => {
        timer = setInterval(wake, opts.pollMs);
        timer.unref();
        await listen();
      })();
      return started;
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      if (reconnect) clearTimeout(reconnect);
      listeners.clear();
      const c = client;
      client = undefined;
      if (c) {
        c.removeAllListeners();
        c.on("error", () => {});
        await c.end().catch(() => {});
      }
    },
    get listening() {
      return client !== undefined;
    },
  };
}
