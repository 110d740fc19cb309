/** The notification service's moving parts for one process, created by the composition root. */
import type { FastifyBaseLogger } from "fastify";
import type { Config, NotificationsConfig } from "../../platform/config.js";
import type { Database } from "../../platform/db.js";
import { smtpChannel, twilioProvider } from "./channels.js";
import { LiveHub, LiveStreams } from "./realtime.js";
import { TemplateLibrary } from "./templates.js";
import { createWaker, type Waker } from "./waker.js";
import { NotificationWorker } from "./worker.js";

export interface NotificationRuntime {
  config: NotificationsConfig;
  library: TemplateLibrary;
  now: () => Date;
  hub: LiveHub;
  streams: LiveStreams;
  worker: NotificationWorker;
  /** Starts the worker (the API side needs no start: streams start the hub on demand). */
  startWorker(): Promise<void>;
  /** Ends live streams, stops the worker after its current round and closes the LISTEN connection. */
  stop(): Promise<void>;
}

export interface RuntimeOptions {
  log: FastifyBaseLogger;
  /** The worker's clock; tests move it forward to make reminders due. */
  now?: (() => Date) | undefined;
  pollMs?: number;
}

export function createNotificationRuntime(
  database: Database,
  config: Config,
  opts: RuntimeOptions,
): NotificationRuntime {
  const log = opts.log.child({ module: "notifications" });
  const now = opts.now ?? (() => new Date());
  const pollMs = opts.pollMs ?? 1000;
  const settings = config.notifications;
  const library = new TemplateLibrary();
  const waker: Waker = createWaker({
    databaseUrl: database.kind === "postgres" ? config.databaseUrl : undefined,
    pollMs,
    log,
  });
  const hub = new LiveHub(database.db, waker, log);
  const streams = new LiveStreams(database.db, hub, log);
  const worker = new NotificationWorker({
    db: database.db,
    config: settings,
    library,
    email: settings.smtpUrl ? smtpChannel(settings.smtpUrl, settings.mailFrom) : undefined,
    sms: settings.sms ? twilioProvider(settings.sms) : undefined,
    now,
    log,
    pollMs,
  });
  let unwake: (() => void) | undefined;
  let stopped: Promise<void> | undefined;
  return {
    config: settings,
    library,
    now,
    hub,
    streams,
    worker,
    async startWorker() {
      unwake ??= waker.onWake(() => worker.wake());
      await waker.start();
      worker.start();
    },
    stop() {
      stopped ??= (async () => {
        streams.closeAll();
        hub.close();
        unwake?.();
        await worker.stop();
        await waker.stop();
      })();
      return stopped;
    },
  };
}
