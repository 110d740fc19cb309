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
import { DeliveryError, type EmailChannel, type SmsProvider } from "./channels.js";
import { loadContext } from "./content.js";
import { lastSeq, type OutboxRead, readAfter } from "./outbox.js";
import { channelsFor, deferralFor, planFor, retryDelayMs, supersededBy } from "./planning.js";
import { type JobRow, notificationRepository as repo } from "./repository.js";
import type { Channel } from "./schema.js";
import { contactOf, effectivePreferences, type RenderSettings, renderMessage } from "./service.js";
import { deliverStaffDue } from "./staff.js";
import type { MessageEvent, TemplateLibrary } from "./templates.js";

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

/**
 * Links to answer a waitlist offer: a new one for each message, or undefined once the offer is no
 * longer open. The token goes into the message and nowhere else (the waitlist keeps its hash).
 */
export interface OfferLinks {
  issue(offerId: string, channel: Channel): Promise<{ token: string; expiresAt: Date } | undefined>;
}

/**
 * Links to a completed visit's satisfaction survey: a new one for each message, or undefined once
 * the survey is answered or closed. The token goes into the message and nowhere else.
 */
export interface SurveyLinks {
  issue(
    visit: {
      appointmentId: string;
      patientId: string;
      locationId: string;
      physicianId: string;
      start: Date;
      status: string;
    },
    channel: Channel,
  ): Promise<{ token: string; expiresAt: Date } | undefined>;
}

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

  async deliverDue(): Promise<void> {
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
        (job) => this.deliver(job),
      );
      if (jobs.length < JOB_BATCH) return;
    }
  }

  private settle(job: JobRow, change: Parameters<typeof repo.settle>[3], db: Executor = this.deps.db) {
    return repo.settle(db, job.id, this.id, change);
  }

  private async deliver(job: JobRow): Promise<void> {
    const { db, library, log } = this.deps;
    const now = this.deps.now();
    const kind = job.kind as MessageEvent;
    try {
      const ctx = await loadContext(db, job.appointment_id);
      const skip = (why: string) => this.settle(job, { status: "cancelled", lastError: why });
      if (!ctx) return void (await skip("the appointment no longer exists"));
      const a = ctx.appointment;
      // a survey is about a visit that has happened; every other message about one to come
      const surveying = kind === "survey";
      if (surveying && a.status !== "completed") return void (await skip(`the appointment is ${a.status}`));
      if (!surveying && a.start.getTime() <= now.getTime())
        return void (await skip("the appointment has started"));
      const payload = (
        typeof job.payload === "string" ? JSON.parse(job.payload) : (job.payload ?? {})
      ) as Record<string, unknown>;
      const offering = kind === "waitlist_offer";
      // an offer is about a hold kept for the patient; every other message about a booking
      if (!surveying && (offering ? a.status !== "held" : kind !== "cancellation" && a.status !== "booked"))
        return void (await skip(offering ? "the offer is no longer open" : `the appointment is ${a.status}`));
      if (kind === "reminder" && job.reminder_hours) {
        const later = supersededBy(
          job.reminder_hours,
          ctx.reminderHours ?? this.deps.config.reminderHours,
          a.start,
          now,
        );
        if (later) return void (await skip(`superseded by the ${later}-hour reminder`));
      }
      const prefs = effectivePreferences(await repo.preferences(db, job.patient_id), ctx.patient, library);
      const channel = job.channel as Channel;
      if (!channelsFor(prefs, contactOf(ctx.patient)).includes(channel))
        return void (await skip(`the patient no longer receives ${channel} messages`));
      const offerExpires = typeof payload.expiresAt === "string" ? new Date(payload.expiresAt) : a.start;
      if (offering && offerExpires.getTime() <= now.getTime())
        return void (await skip("the offer has expired"));
      // an offer waits for quiet hours only if the patient can still answer it after they end
      // a survey is open for days: it always waits for quiet hours to end
      const quietEnd = deferralFor(
        channel,
        now,
        offering ? offerExpires : surveying ? new Date(now.getTime() + 7 * 86_400_000) : a.start,
        prefs.quietHours,
      );
      if (quietEnd) {
        await this.settle(job, {
          status: "pending",
          runAt: quietEnd,
          lastError: "waiting for quiet hours to end",
          refundAttempt: true,
        });
        return;
      }

      let offer: { link: string; expiresAt: string } | null = null;
      if (offering) {
        // signed in, the patient answers in the app; an email or SMS carries a link of its own
        if (channel === "in_app")
          offer = {
            link: `${this.settings.publicUrl}/patient/waitlist`,
            expiresAt: offerExpires.toISOString(),
          };
        else {
          const link =
            typeof payload.offerId === "string"
              ? await this.deps.offerLinks?.issue(payload.offerId, channel)
              : undefined;
          if (!link) return void (await skip("the offer is no longer open"));
          offer = {
            link: `${this.settings.publicUrl}/waitlist/offer/${link.token}`,
            expiresAt: link.expiresAt.toISOString(),
          };
        }
      }
      let survey: { link: string; expiresAt: string } | null = null;
      if (surveying) {
        // every message, in-app too, carries a link of its own (the survey page needs no sign-in)
        const link = await this.deps.surveyLinks?.issue(
          {
            appointmentId: a.id,
            patientId: a.patientId,
            locationId: a.locationId,
            physicianId: a.physicianId,
            start: a.start,
            status: a.status,
          },
          channel,
        );
        if (!link) return void (await skip("the survey is answered or closed"));
        survey = {
          link: `${this.settings.publicUrl}/survey/${link.token}`,
          expiresAt: link.expiresAt.toISOString(),
        };
      }
      const extras = {
        survey,
        reminderHours: job.reminder_hours,
        reason: typeof payload.reason === "string" ? payload.reason : null,
        byHospital: payload.byHospital === true,
        previousStart: typeof payload.previousStart === "string" ? payload.previousStart : null,
        offer,
        rescheduleOffer:
          kind === "reschedule_offer" &&
          typeof payload.offerId === "string" &&
          typeof payload.offeredStart === "string" &&
          typeof payload.expiresAt === "string"
            ? { offerId: payload.offerId, offeredStart: payload.offeredStart, expiresAt: payload.expiresAt }
            : null,
      };
      const { message, calendar } = renderMessage(ctx, kind, prefs.language, extras, this.settings, now);
      let providerId: string | null = null;
      if (channel === "in_app") {
        // settled first: only the worker whose lease moves the job to sent writes its inbox row
        const settled = await db.transaction().execute(async (tx) => {
          const won = await this.settle(job, { status: "sent", sentAt: now, lastError: null }, tx);
          if (won)
            await repo.insertNotification(tx, {
              patient_id: job.patient_id,
              appointment_id: job.appointment_id,
              job_id: job.id,
              kind,
              title: message.subject,
              body: message.text,
            });
          return won;
        });
        if (!settled) log.warn({ job: job.id }, "in-app message already settled by another worker");
        return;
      }
      if (channel === "email") {
        providerId = (
          await this.deps.email!.send({
            to: ctx.patient.email!,
            subject: message.subject,
            text: message.text,
            html: message.html,
            messageId: `<${job.id}@rounds.notifications>`,
            // an offer is not an appointment yet (a waitlist offer) or changes nothing in the
            // calendar until it is accepted (another time offered): no calendar file
            attachments:
              offering || surveying || kind === "reschedule_offer"
                ? []
                : [
                    {
                      filename: kind === "cancellation" ? "cancelled-appointment.ics" : "appointment.ics",
                      content: calendar,
                      contentType: `text/calendar; charset=utf-8; method=${kind === "cancellation" ? "CANCEL" : "PUBLISH"}`,
                    },
                  ],
          })
        ).providerId;
      } else {
        providerId = (await this.deps.sms!.send({ to: contactOf(ctx.patient).phone!, body: message.sms }))
          .providerId;
      }
      const marked = await this.settle(job, {
        status: "sent",
        sentAt: now,
        lastError: null,
        providerMessageId: providerId,
      });
      // the lease ran out while sending: another worker may send it again (same Message-ID)
      if (!marked)
        log.warn({ job: job.id }, "message sent after its lease expired; it may be delivered twice");
    } catch (err) {
      const permanent = err instanceof DeliveryError && err.permanent;
      const giveUp = permanent || job.attempts >= (job.max_attempts ?? 8);
      const message = err instanceof Error ? err.message : String(err);
      if (!(err instanceof DeliveryError)) log.error({ err, job: job.id }, "preparing a notification failed");
      await this.settle(
        job,
        giveUp
          ? { status: "failed", lastError: message }
          : {
              status: "pending",
              runAt: new Date(now.getTime() + retryDelayMs(job.attempts)),
              lastError: message,
            },
      ).catch((e: unknown) => log.error({ err: e, job: job.id }, "could not record a delivery failure"));
    }
  }
}
