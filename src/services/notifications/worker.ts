/**
 * The notification worker. Each round it (1) turns new schedule events into queued messages,
 * advancing its cursor in the same transaction as the jobs it creates, so an event is planned
 * exactly once whichever replica gets there; (2) claims due messages with a lease and sends them.
 *
 * Exactly once, from the patient's side: a job's dedupe key stops it from being queued twice, and
 * only the lease holder can mark it sent. In-app messages are written and marked in one
 * transaction. Email and SMS are sent, then marked: a crash between the provider accepting the
 * message and the mark leaves a window in which the lease expires and the message goes again.
 * An email resend carries the same Message-ID (the job id), which mail systems use to drop
 * duplicates; the SMS API has no such key, so that window is the residual risk.
 */
import { randomUUID } from "node:crypto";
import type { FastifyBaseLogger } from "fastify";
import type { NotificationsConfig } from "../../platform/config.js";
import type { Db, Executor } from "../../platform/db.js";
import type { ScheduleEvent } from "../../platform/events.js";
import { inOrderPerKey } from "../../platform/lanes.js";
import { patientService } from "../patients/index.js";
import { appointmentFacts, appointmentTypeCatalog } from "../scheduling/index.js";
import type { EmailChannel, SmsProvider } from "./channels.js";
import { deliverJob, type OfferLinks, type SurveyLinks } from "./delivery.js";
import { lastSeq, type OutboxRead, readAfter } from "./outbox.js";
import { channelsFor, planFor } from "./planning.js";
import { notificationRepository as repo } from "./repository.js";
import type { Channel } from "./schema.js";
import { contactOf, effectivePreferences, type RenderSettings } from "./service.js";
import { deliverStaffDue } from "./staff.js";
import type { TemplateLibrary } from "./templates.js";

export type { OfferLinks, SurveyLinks } from "./delivery.js";

export const CURSOR = "notifications";
const EVENT_BATCH = 100;
const JOB_BATCH = 40;
/**
 * Messages sent at once: one appointment's messages go in order, different appointments' side by
 * side, so a schedule change that writes to hundreds of patients does not hold every other
 * patient's confirmation behind it for minutes.
 */
const SEND_AT_ONCE = 8;
const LEASE_MS = 120_000;
const SWEEP_MS = 60_000;

export interface WorkerDeps {
  db: Db;
  config: NotificationsConfig;
  library: TemplateLibrary;
  email: EmailChannel | undefined;
  sms: SmsProvider | undefined;
  now: () => Date;
  log: FastifyBaseLogger;
  pollMs: number;
  offerLinks?: OfferLinks | undefined;
  surveyLinks?: SurveyLinks | undefined;
}

export class NotificationWorker {
  readonly id = randomUUID();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  /** When the last round ended (or the loop started): readiness fails when it stops moving. */
  lastRoundAt: number | undefined;
  private batch = EVENT_BATCH;
  private poison = { seq: -1, failures: 0 };
  /** Every event up to this seq is planned: while the sequence stays there, skip the planning transaction. */
  private planned = -1;
  private lastSweep = 0;
  private readonly settings: RenderSettings;

  constructor(private readonly deps: WorkerDeps) {
    this.settings = {
      library: deps.library,
      reminderHours: deps.config.reminderHours,
      publicUrl: deps.config.publicUrl,
    };
  }

  /** The channels this process can deliver; jobs on other channels wait for a replica that can. */
  get channels(): Channel[] {
    return [
      "in_app",
      ...(this.deps.email ? (["email"] as const) : []),
      ...(this.deps.sms ? (["sms"] as const) : []),
    ];
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.lastRoundAt = Date.now();
    this.deps.log.info({ worker: this.id, channels: this.channels }, "notification worker started");
    if (!this.deps.email)
      this.deps.log.warn(
        "SMTP_URL is not set: this process sends no email (patients still get in-app messages)",
      );
    this.wake();
  }

  /** Runs a round now, or right after the one in progress. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.running = this.round().finally(() => {
      this.running = undefined;
      this.lastRoundAt = Date.now();
      if (this.stopped) return;
      if (this.again) {
        this.again = false;
        this.wake();
      } else {
        this.timer = setTimeout(() => this.wake(), this.deps.pollMs);
        this.timer.unref();
      }
    });
  }

  /** The newest schedule event this consumer has handled (shared by every replica), for outbox lag. */
  position(): Promise<number | undefined> {
    return repo.readCursor(this.deps.db, CURSOR);
  }

  /** Whether the loop runs in this process (started and not stopped). */
  get started(): boolean {
    return !this.stopped;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    this.deps.email?.close();
  }

  /** One full round; exposed so that tests and tools can drive the worker step by step. */
  async round(): Promise<void> {
    try {
      await this.planEvents();
      if (Date.now() - this.lastSweep > SWEEP_MS) {
        this.lastSweep = Date.now();
        await repo.cancelStarted(this.deps.db, this.deps.now());
      }
      await this.deliverDue();
      await deliverStaffDue({ ...this.deps, publicUrl: this.settings.publicUrl, workerId: this.id });
    } catch (err) {
      this.deps.log.error({ err }, "notification round failed; retrying next round");
    }
  }

  async planEvents(): Promise<void> {
    for (let rounds = 0; rounds < 50 && !this.stopped; rounds++) {
      // the sequence has not moved since everything was planned: no transaction needed
      if ((await lastSeq(this.deps.db)) === this.planned) return;
      let read: OutboxRead | undefined;
      try {
        read = await this.deps.db.transaction().execute(async (tx) => {
          const cursor = await repo.lockCursor(tx, CURSOR);
          if (cursor === undefined) return undefined; // another replica is planning right now
          const batch = await readAfter(tx, cursor, this.batch);
          for (const e of batch.events) await this.plan(tx, e);
          if (batch.through > cursor) await repo.advanceCursor(tx, CURSOR, batch.through);
          return batch;
        });
        this.batch = EVENT_BATCH;
      } catch (err) {
        await this.onPlanningFailure(err);
        return;
      }
      if (!read || read.events.length < this.batch) {
        if (read) this.planned = read.through;
        return;
      }
    }
  }

  /** A failing batch is retried one event at a time; an event that fails three times is skipped. */
  private async onPlanningFailure(err: unknown): Promise<void> {
    if (this.batch > 1) {
      this.batch = 1;
      this.deps.log.warn({ err }, "planning notifications failed; retrying event by event");
      return;
    }
    const first = await this.deps.db.transaction().execute(async (tx) => {
      const cursor = await repo.lockCursor(tx, CURSOR);
      if (cursor === undefined) return undefined;
      const [e] = (await readAfter(tx, cursor, 1)).events;
      if (!e) return undefined;
      this.poison =
        this.poison.seq === e.seq
          ? { seq: e.seq, failures: this.poison.failures + 1 }
          : { seq: e.seq, failures: 1 };
      if (this.poison.failures >= 3) {
        await repo.advanceCursor(tx, CURSOR, e.seq);
        this.deps.log.error({ err, event: e }, "skipping a schedule event that cannot be planned");
      }
      return e;
    });
    if (first) this.deps.log.warn({ err, seq: first.seq }, "planning a schedule event failed");
  }

  private async plan(tx: Executor, e: ScheduleEvent): Promise<void> {
    if (e.type === "appointment.held" || !e.patientId) return;
    const now = this.deps.now();
    const patient = await patientService.get(tx, e.patientId);
    const prefs = effectivePreferences(await repo.preferences(tx, e.patientId), patient, this.deps.library);
    const announced =
      e.type === "appointment.cancelled"
        ? await repo.hasJob(tx, e.appointmentId, ["confirmation", "reschedule"])
        : true;
    const plan = planFor({
      event: e,
      channels: channelsFor(prefs, contactOf(patient)),
      reminderHours: await this.reminderHoursOf(tx, e),
      now,
      announced,
    });
    for (const c of plan.cancel) await repo.cancelPending(tx, c.appointmentId, c.reason, now);
    await repo.insertJobs(tx, plan.jobs);
  }

  /** The appointment type's reminder hours, or the network's when the type names none. */
  private async reminderHoursOf(tx: Executor, e: ScheduleEvent): Promise<number[]> {
    if (e.type !== "appointment.booked" && e.type !== "appointment.rescheduled") return [];
    const facts = await appointmentFacts.get(tx, e.appointmentId);
    const type = facts ? await appointmentTypeCatalog.get(tx, facts.appointmentTypeId) : undefined;
    return type?.reminderHours ?? this.deps.config.reminderHours;
  }

  /** Claims due messages on this process's channels and delivers them (delivery.ts). */
  async deliverDue(): Promise<void> {
    const delivery = { ...this.deps, settings: this.settings, workerId: this.id };
    for (let rounds = 0; rounds < 20 && !this.stopped; rounds++) {
      const jobs = await repo.claimDue(this.deps.db, {
        now: this.deps.now(),
        channels: this.channels,
        limit: JOB_BATCH,
        leaseMs: LEASE_MS,
        workerId: this.id,
      });
      await inOrderPerKey(
        jobs,
        (j) => j.appointment_id,
        SEND_AT_ONCE,
        (job) => deliverJob(delivery, job),
      );
      if (jobs.length < JOB_BATCH) return;
    }
  }
}
