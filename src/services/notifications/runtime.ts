/**
 * The notifications module for one process, created once by the composition root: the API's
 * operations, the live event streams and the worker, with every dependency passed in.
 */
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from "fastify";
import type { Actor } from "../../platform/access.js";
import { auditService } from "../../platform/audit/index.js";
import type { NotificationsConfig } from "../../platform/config.js";
import type { Db } from "../../platform/db.js";
import { auditContextOf } from "../../platform/identity/index.js";
import { readPem } from "../../platform/pem.js";
import { smtpChannel, twilioProvider } from "./channels.js";
import { LiveHub, LiveStreams } from "./realtime.js";
import { type Clock, createNotificationService, type NotificationPolicies } from "./service.js";
import { TemplateLibrary } from "./templates.js";
import { createWaker, type ListenConnection, type Waker } from "./waker.js";
import { NotificationWorker, type OfferLinks, type SurveyLinks } from "./worker.js";

export interface NotificationDeps {
  db: Db;
  /** The worker's and the API's clock; tests move it forward to make reminders due. */
  clock: Clock;
  policies: NotificationPolicies;
  config: NotificationsConfig;
  log: FastifyBaseLogger;
  /** The PostgreSQL server to LISTEN on for schedule events; without it (PGlite) the outbox is polled. */
  listenConnection?: ListenConnection | undefined;
  pollMs?: number;
  /** Issues a waitlist offer's link for each message about it (the waitlist, wired in by the composition root). */
  offerLinks?: OfferLinks | undefined;
  /** Issues a satisfaction survey's link for each message about a completed visit (analytics' surveys). */
  surveyLinks?: SurveyLinks | undefined;
}

export function createNotifications(deps: NotificationDeps) {
  const { db, clock, policies, config } = deps;
  const log = deps.log.child({ module: "notifications" });
  const now = () => clock.now();
  const pollMs = deps.pollMs ?? 1000;
  const library = new TemplateLibrary();
  const settings = {
    library,
    reminderHours: config.reminderHours,
    publicUrl: config.publicUrl,
  };
  const waker: Waker = createWaker({ connection: deps.listenConnection, pollMs, log });
  const hub = new LiveHub(db, waker, log);
  const streams = new LiveStreams(db, hub, policies.permits, log);
  const worker = new NotificationWorker({
    db,
    config,
    library,
    email: config.smtpUrl
      ? smtpChannel(config.smtpUrl, config.mailFrom, {
          requireTls: config.smtpTls.requireTls,
          ca: config.smtpTls.ca ? readPem("ROUNDS_SMTP_CA", config.smtpTls.ca) : undefined,
        })
      : undefined,
    sms: config.sms ? twilioProvider(config.sms) : undefined,
    now,
    log,
    pollMs,
    offerLinks: deps.offerLinks,
    surveyLinks: deps.surveyLinks,
  });
  let unwake: (() => void) | undefined;
  let stopped: Promise<void> | undefined;
  return {
    ...createNotificationService({ db, clock, policies, settings }),
    config,
    db,
    library,
    hub,
    streams,
    worker,

    /** Serves the caller's live event stream (the subscription is audited) until it ends. */
    async watch(
      actor: Actor,
      lastEventId: number | undefined,
      req: FastifyRequest,
      reply: FastifyReply,
    ): Promise<void> {
      await auditService.record(db, auditContextOf(actor), {
        action: "events.subscribe",
        resourceType: "schedule_events",
        detail: { lastEventId: lastEventId ?? null },
      });
      await streams.serve(req, reply, actor, lastEventId);
    },

    /** Starts the worker (the API side needs no start: streams start the hub on demand). */
    async startWorker(): Promise<void> {
      unwake ??= waker.onWake(() => worker.wake());
      await waker.start();
      worker.start();
    },

    /** Ends live streams, stops the worker after its current round and closes the LISTEN connection. */
    stop(): Promise<void> {
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

export type Notifications = ReturnType<typeof createNotifications>;
