/**
 * Delivering one claimed patient message: checks it still applies (the appointment, the patient's
 * channels, quiet hours, an open offer or survey), renders it, sends it and settles the job under
 * the worker's lease; a failure is retried with back-off or, when permanent, gives up.
 */
import type { FastifyBaseLogger } from "fastify";
import type { NotificationsConfig } from "../../platform/config.js";
import type { Executor } from "../../platform/db.js";
import { DeliveryError, type EmailChannel, type SmsProvider } from "./channels.js";
import { loadContext } from "./content.js";
import { channelsFor, deferralFor, retryDelayMs, supersededBy } from "./planning.js";
import { type JobRow, notificationRepository as repo } from "./repository.js";
import type { Channel } from "./schema.js";
import { contactOf, effectivePreferences, type RenderSettings, renderMessage } from "./service.js";
import type { MessageEvent, TemplateLibrary } from "./templates.js";

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

/** What delivering a message needs: the worker's dependencies, its render settings and its id (the lease holder). */
export interface DeliveryDeps {
  db: Executor;
  config: NotificationsConfig;
  library: TemplateLibrary;
  email: EmailChannel | undefined;
  sms: SmsProvider | undefined;
  now: () => Date;
  log: FastifyBaseLogger;
  offerLinks?: OfferLinks | undefined;
  surveyLinks?: SurveyLinks | undefined;
  settings: RenderSettings;
  workerId: string;
}

/** Sends one claimed job on its channel and settles it (the caller holds its lease). */
export async function deliverJob(d: DeliveryDeps, job: JobRow): Promise<void> {
  const { db, library, log, settings } = d;
  const now = d.now();
  const settle = (change: Parameters<typeof repo.settle>[3], on: Executor = db) =>
    repo.settle(on, job.id, d.workerId, change);
  const kind = job.kind as MessageEvent;
  try {
    const ctx = await loadContext(db, job.appointment_id);
    const skip = (why: string) => settle({ status: "cancelled", lastError: why });
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
        ctx.reminderHours ?? d.config.reminderHours,
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
      await settle({
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
          link: `${settings.publicUrl}/patient/waitlist`,
          expiresAt: offerExpires.toISOString(),
        };
      else {
        const link =
          typeof payload.offerId === "string"
            ? await d.offerLinks?.issue(payload.offerId, channel)
            : undefined;
        if (!link) return void (await skip("the offer is no longer open"));
        offer = {
          link: `${settings.publicUrl}/waitlist/offer/${link.token}`,
          expiresAt: link.expiresAt.toISOString(),
        };
      }
    }
    let survey: { link: string; expiresAt: string } | null = null;
    if (surveying) {
      // every message, in-app too, carries a link of its own (the survey page needs no sign-in)
      const link = await d.surveyLinks?.issue(
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
        link: `${settings.publicUrl}/survey/${link.token}`,
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
    const { message, calendar } = renderMessage(ctx, kind, prefs.language, extras, settings, now);
    let providerId: string | null = null;
    if (channel === "in_app") {
      // settled first: only the worker whose lease moves the job to sent writes its inbox row
      const settled = await db.transaction().execute(async (tx) => {
        const won = await settle({ status: "sent", sentAt: now, lastError: null }, tx);
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
        await d.email!.send({
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
      providerId = (await d.sms!.send({ to: contactOf(ctx.patient).phone!, body: message.sms })).providerId;
    }
    const marked = await settle({
      status: "sent",
      sentAt: now,
      lastError: null,
      providerMessageId: providerId,
    });
    // the lease ran out while sending: another worker may send it again (same Message-ID)
    if (!marked) log.warn({ job: job.id }, "message sent after its lease expired; it may be delivered twice");
  } catch (err) {
    const permanent = err instanceof DeliveryError && err.permanent;
    const giveUp = permanent || job.attempts >= (job.max_attempts ?? 8);
    const message = err instanceof Error ? err.message : String(err);
    if (!(err instanceof DeliveryError)) log.error({ err, job: job.id }, "preparing a notification failed");
    await settle(
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
