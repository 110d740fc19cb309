/**
 * The rules of what to send and when, as pure functions over plain data: which messages a
 * schedule change calls for, on which channels, and when quiet hours or a failure push a
 * message later. The worker supplies the facts and persists the outcome.
 */
import { Temporal } from "temporal-polyfill";
import type { ScheduleEvent } from "../../platform/events.js";
import type { NewJob } from "./repository.js";
import type { Channel } from "./schema.js";
import type { MessageEvent } from "./templates.js";

export interface EffectivePreferences {
  email: boolean;
  sms: boolean;
  inApp: boolean;
  language: string;
  quietHours: { start: string; end: string; timeZone: string } | null;
}

export interface Contact {
  email: string | null;
  /** E.164, or null when the patient has no usable number. */
  phone: string | null;
}

export function channelsFor(prefs: EffectivePreferences, contact: Contact): Channel[] {
  const out: Channel[] = [];
  if (prefs.email && contact.email) out.push("email");
  if (prefs.sms && contact.phone) out.push("sms");
  if (prefs.inApp) out.push("in_app");
  return out;
}

export const dedupeKey = (kind: MessageEvent, appointmentId: string, channel: Channel, hours?: number) =>
  `${kind}${hours ? `:${hours}h` : ""}:${appointmentId}:${channel}`;

export interface PlanInput {
  event: ScheduleEvent;
  channels: Channel[];
  reminderHours: number[];
  now: Date;
  /** Whether the patient was ever told about this appointment (a released hold was not). */
  announced: boolean;
}

export interface Plan {
  jobs: NewJob[];
  /** Appointments whose unsent messages are now wrong. */
  cancel: Array<{ appointmentId: string; reason: string }>;
}

/** What one schedule change means for the patient's messages. */
export function planFor({ event: e, channels, reminderHours, now, announced }: PlanInput): Plan {
  const p = e.payload;
  const start = typeof p.start === "string" ? new Date(p.start) : undefined;
  const plan: Plan = { jobs: [], cancel: [] };
  if (!start || Number.isNaN(start.getTime())) return plan;
  const job = (
    kind: MessageEvent,
    channel: Channel,
    runAt: Date,
    payload: Record<string, unknown>,
    hours?: number,
  ) =>
    plan.jobs.push({
      kind,
      reminder_hours: hours ?? null,
      appointment_id: e.appointmentId,
      patient_id: e.patientId,
      channel,
      starts_at: start,
      event_seq: e.seq,
      payload,
      run_at: runAt,
      dedupe_key: dedupeKey(kind, e.appointmentId, channel, hours),
    });
  const reminders = () => {
    const bookedAt = new Date(e.occurredAt).getTime();
    for (const hours of reminderHours) {
      const at = new Date(start.getTime() - hours * 3_600_000);
      // a reminder whose moment had passed when the booking was made would only repeat the confirmation
      if (at.getTime() > bookedAt) for (const c of channels) job("reminder", c, at, {}, hours);
    }
  };
  switch (e.type) {
    case "appointment.booked":
      for (const c of channels) job("confirmation", c, now, {});
      reminders();
      break;
    case "appointment.rescheduled": {
      const previous = typeof p.previousAppointmentId === "string" ? p.previousAppointmentId : undefined;
      if (previous) plan.cancel.push({ appointmentId: previous, reason: "the appointment was moved" });
      const byHospital = p.byHospital === true;
      const payload = {
        byHospital,
        reason: byHospital && typeof p.reason === "string" ? p.reason : null,
        previousStart: typeof p.previousStart === "string" ? p.previousStart : null,
      };
      for (const c of channels) job("reschedule", c, now, payload);
      reminders();
      break;
    }
    case "appointment.cancelled":
      plan.cancel.push({ appointmentId: e.appointmentId, reason: "the appointment was cancelled" });
      if (announced && start.getTime() > now.getTime())
        for (const c of channels)
          job("cancellation", c, now, { reason: typeof p.reason === "string" ? p.reason : null });
      break;
    case "waitlist.offered": {
      // a freed slot held for the patient: the message carries the way to answer before it expires
      const offerId = typeof p.offerId === "string" ? p.offerId : undefined;
      const expiresAt = typeof p.expiresAt === "string" ? p.expiresAt : undefined;
      if (offerId && expiresAt)
        for (const c of channels) job("waitlist_offer", c, now, { offerId, expiresAt });
      break;
    }
    case "reschedule.offered": {
      // one message per offer (an appointment may be offered again by a later change)
      const offerId = typeof p.offerId === "string" ? p.offerId : undefined;
      if (!offerId) break;
      const payload = {
        offerId,
        offeredStart: typeof p.offeredStart === "string" ? p.offeredStart : null,
        expiresAt: typeof p.expiresAt === "string" ? p.expiresAt : null,
      };
      for (const c of channels)
        plan.jobs.push({
          kind: "reschedule_offer",
          reminder_hours: null,
          appointment_id: e.appointmentId,
          patient_id: e.patientId,
          channel: c,
          starts_at: start,
          event_seq: e.seq,
          payload,
          run_at: now,
          dedupe_key: `reschedule_offer:${offerId}:${c}`,
        });
      break;
    }
    case "appointment.status_changed":
      // checked in, seen or missed: reminders are no longer wanted
      if (p.status !== "booked")
        plan.cancel.push({
          appointmentId: e.appointmentId,
          reason: `the appointment is ${String(p.status)}`,
        });
      // seen: the satisfaction survey, by email and in the app (a link in an SMS is not asked for)
      if (p.status === "completed") for (const c of channels) if (c !== "sms") job("survey", c, now, {});
      break;
    default:
      break;
  }
  return plan;
}

/**
 * When `now` falls inside the patient's quiet hours, the instant they end; otherwise undefined.
 * Start after end means the quiet hours span midnight (21:00-08:00).
 */
export function quietUntil(now: Date, quiet: EffectivePreferences["quietHours"]): Date | undefined {
  if (!quiet) return undefined;
  const local = Temporal.Instant.fromEpochMilliseconds(now.getTime()).toZonedDateTimeISO(quiet.timeZone);
  const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
  const t = local.hour * 60 + local.minute;
  const s = minutes(quiet.start);
  const e = minutes(quiet.end);
  const inside = s < e ? t >= s && t < e : t >= s || t < e;
  if (!inside) return undefined;
  const endDay = s > e && t >= s ? local.toPlainDate().add({ days: 1 }) : local.toPlainDate();
  const end = endDay
    .toPlainDateTime(Temporal.PlainTime.from(quiet.end))
    .toZonedDateTime(quiet.timeZone, { disambiguation: "later" });
  return new Date(end.epochMilliseconds);
}

/** Messages that may wait for quiet hours to end, unless waiting would make them useless. */
export function deferralFor(
  channel: Channel,
  now: Date,
  appointmentStart: Date,
  quiet: EffectivePreferences["quietHours"],
): Date | undefined {
  if (channel === "in_app") return undefined;
  const until = quietUntil(now, quiet);
  // news that cannot wait: it would arrive less than an hour before the appointment
  if (!until || until.getTime() > appointmentStart.getTime() - 3_600_000) return undefined;
  return until;
}

/** 30 s, 1 min, 2 min … capped at an hour. */
export const retryDelayMs = (attempts: number) =>
  Math.min(30_000 * 2 ** Math.max(0, attempts - 1), 3_600_000);

/** A reminder is stale once a later (closer) reminder is already due. */
export function supersededBy(hours: number, all: number[], start: Date, now: Date): number | undefined {
  return all
    .filter((h) => h < hours)
    .sort((a, b) => a - b)
    .find((h) => now.getTime() >= start.getTime() - h * 3_600_000);
}
