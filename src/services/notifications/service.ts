/** Preferences, the in-app inbox, delivery records and template previews, within the caller's scope. */

import type { Actor } from "../../platform/access.js";
import { auditService } from "../../platform/audit/index.js";
import type { Clock } from "../../platform/clock.js";
import type { Db, Executor } from "../../platform/db.js";
import { problems, registerConstraint } from "../../platform/errors.js";
import { auditContextOf } from "../../platform/identity/index.js";
import type { PatientGround, Policies } from "../../platform/policy.js";
import { patient } from "../../platform/policy.js";
import { type Page, toHHMM, toIso } from "../../platform/schemas.js";
import { type Patient, patientService } from "../patients/index.js";
import { e164 } from "./channels.js";
import { buildView, calendarFile, loadContext, type MessageContext, type MessageExtras } from "./content.js";
import type { EffectivePreferences } from "./planning.js";
import {
  type JobRow,
  type NotificationRow,
  type PreferencesRow,
  notificationRepository as repo,
} from "./repository.js";
import type { InboxQuery, Job, JobQuery, Notification, Preferences, PreferencesInput } from "./schema.js";
import { type MessageEvent, messageEvents, type RenderedMessage, type TemplateLibrary } from "./templates.js";

registerConstraint("notification_preferences_patient_fk", "params.id", "no such patient");

export function effectivePreferences(
  row: PreferencesRow | undefined,
  patient: Pick<Patient, "preferredLanguage">,
  library: TemplateLibrary,
): EffectivePreferences {
  if (!row)
    return {
      email: true,
      sms: false,
      inApp: true,
      language: library.resolveLanguage(patient.preferredLanguage),
      quietHours: null,
    };
  return {
    email: row.email,
    sms: row.sms,
    inApp: row.in_app,
    language: library.resolveLanguage(row.language),
    quietHours:
      row.quiet_start && row.quiet_end && row.quiet_time_zone
        ? { start: toHHMM(row.quiet_start), end: toHHMM(row.quiet_end), timeZone: row.quiet_time_zone }
        : null,
  };
}

export const contactOf = (p: Pick<Patient, "email" | "phone">) => ({
  email: p.email,
  phone: p.phone ? (e164(p.phone) ?? null) : null,
});

function toPreferences(patientId: string, prefs: EffectivePreferences, row?: PreferencesRow): Preferences {
  return {
    patientId,
    channels: { email: prefs.email, sms: prefs.sms, inApp: prefs.inApp },
    language: prefs.language,
    quietHours: prefs.quietHours,
    chosen: row !== undefined,
    updatedAt: row ? toIso(row.updated_at) : null,
  };
}

export function toNotification(r: NotificationRow): Notification {
  return {
    id: r.id,
    patientId: r.patient_id,
    appointmentId: r.appointment_id,
    kind: r.kind,
    title: r.title,
    body: r.body,
    createdAt: toIso(r.created_at),
    readAt: r.read_at ? toIso(r.read_at) : null,
  };
}

export function toJob(r: JobRow): Job {
  return {
    id: r.id,
    kind: r.kind as Job["kind"],
    reminderHours: r.reminder_hours,
    appointmentId: r.appointment_id,
    patientId: r.patient_id,
    channel: r.channel as Job["channel"],
    runAt: toIso(r.run_at),
    attempts: r.attempts,
    status: r.status as Job["status"],
    lastError: r.last_error,
    sentAt: r.sent_at ? toIso(r.sent_at) : null,
    createdAt: toIso(r.created_at),
  };
}

export interface RenderSettings {
  library: TemplateLibrary;
  reminderHours: number[];
  /** Where patients reach the web app; links in messages start with it. */
  publicUrl: string;
}

/** One message in one language, and the calendar file that goes with an email. */
export function renderMessage(
  ctx: MessageContext,
  event: MessageEvent,
  language: string,
  extras: MessageExtras,
  settings: RenderSettings,
  now: Date,
): { message: RenderedMessage; calendar: string } {
  const strings = settings.library.strings(language);
  const view = buildView(ctx, event, extras, {
    language,
    strings,
    publicUrl: settings.publicUrl,
    now,
  });
  return {
    message: settings.library.render(event, language, view),
    calendar: calendarFile(ctx, view, { cancelled: event === "cancellation", now }),
  };
}

/** The policy's checks, as the composition root hands them over. */
export type NotificationPolicies = Pick<Policies, "authorize" | "patientScope" | "permits">;

/** The time business rules read; a test moves it to make reminders due. */
export type { Clock } from "../../platform/clock.js";

export interface NotificationServiceDeps {
  db: Db;
  clock: Clock;
  policies: NotificationPolicies;
  settings: RenderSettings;
}

export type TemplatePreviewQuery = { language: string; appointmentId?: string | undefined };

function audit(
  tx: Executor,
  actor: Actor,
  action: string,
  patientId: string | null,
  access?: PatientGround,
  detail: Record<string, unknown> = {},
) {
  return auditService.record(tx, auditContextOf(actor), {
    action,
    resourceType: "notification",
    resourceId: patientId,
    patientId,
    actingFor: access === "guardian" ? patientId : null,
    detail: access ? { access, ...detail } : detail,
    flagged: access === "break_glass",
  });
}

/**
 * The operations behind the notifications API: each takes the caller first, authorizes through
 * the policy, runs in its own transaction and writes its audit event there.
 */
export function createNotificationService({ db, clock, policies, settings }: NotificationServiceDeps) {
  const { library } = settings;

  /** A template rendered with a real appointment's data, or with the sample appointment. */
  async function render(
    ex: Executor,
    event: MessageEvent,
    wanted: string,
    appointmentId: string | undefined,
  ) {
    const now = clock.now();
    const language = library.resolveLanguage(wanted);
    const ctx = appointmentId ? await loadContext(ex, appointmentId) : sampleContext(now);
    if (!ctx) throw problems.notFound("appointment", "query.appointmentId");
    const extras = {
      reminderHours: event === "reminder" ? (settings.reminderHours.at(-1) ?? 24) : null,
      reason: event === "cancellation" || event === "reschedule" ? "The physician is unwell" : null,
      byHospital: event === "reschedule",
      previousStart:
        event === "reschedule" ? new Date(ctx.appointment.start.getTime() - 86_400_000).toISOString() : null,
      offer:
        event === "waitlist_offer"
          ? {
              link: `${settings.publicUrl}/waitlist/offer/${"x".repeat(43)}`,
              expiresAt: new Date(now.getTime() + 2 * 3_600_000).toISOString(),
            }
          : null,
      rescheduleOffer:
        event === "reschedule_offer"
          ? {
              offerId: "00000000-0000-4000-8000-000000000002",
              offeredStart: new Date(ctx.appointment.start.getTime() + 2 * 86_400_000).toISOString(),
              expiresAt: new Date(now.getTime() + 48 * 3_600_000).toISOString(),
            }
          : null,
      survey:
        event === "survey"
          ? {
              link: `${settings.publicUrl}/survey/${"x".repeat(43)}`,
              expiresAt: new Date(now.getTime() + 14 * 86_400_000).toISOString(),
            }
          : null,
    };
    const { message, calendar } = renderMessage(ctx, event, language, extras, settings, now);
    return { event, language, ...message, calendar };
  }

  return {
    /** Patients see their own and their dependents' inbox; administrators anyone's (the policy). */
    inbox(actor: Actor, q: InboxQuery): Promise<Page<Notification>> {
      return db.transaction().execute(async (tx) => {
        if (q.patientId)
          await policies.authorize(tx, actor, "read_messages", patient(q.patientId, "query.patientId"));
        const patientIds = q.patientId ? [q.patientId] : await policies.patientScope(tx, actor);
        const { rows, total } = await repo.inbox(
          tx,
          { patientIds, unread: q.unread, from: q.from, to: q.to },
          q,
        );
        const page = { items: rows.map(toNotification), total, limit: q.limit, offset: q.offset };
        await audit(tx, actor, "notification.list", q.patientId ?? actor.patientId, undefined, {
          count: page.items.length,
        });
        return page;
      });
    },

    markRead(actor: Actor, id: string): Promise<Notification> {
      return db.transaction().execute(async (tx) => {
        const row = await repo.notification(tx, id);
        if (!row) throw problems.notFound("notification");
        await policies.authorize(tx, actor, "read_messages", {
          ...patient(row.patient_id),
          noun: "notification",
        });
        const read = toNotification((await repo.markRead(tx, id, clock.now()))!);
        await audit(tx, actor, "notification.read", read.patientId, undefined, { notificationId: read.id });
        return read;
      });
    },

    /** The channels, language and quiet hours are part of the record a caller may update. */
    preferences(actor: Actor, patientId: string): Promise<Preferences> {
      return db.transaction().execute(async (tx) => {
        const access = await policies.authorize(tx, actor, "update", patient(patientId));
        const [record, row] = await Promise.all([
          patientService.get(tx, patientId),
          repo.preferences(tx, patientId),
        ]);
        const prefs = toPreferences(patientId, effectivePreferences(row, record, library), row);
        await audit(tx, actor, "notification.preferences.read", patientId, access);
        return prefs;
      });
    },

    setPreferences(actor: Actor, patientId: string, input: PreferencesInput): Promise<Preferences> {
      return db.transaction().execute(async (tx) => {
        const access = await policies.authorize(tx, actor, "update", patient(patientId));
        const record = await patientService.get(tx, patientId);
        if (input.channels.email && !record.email)
          throw problems.invalid("body.channels.email", "the patient has no email address on record");
        if (input.channels.sms && !contactOf(record).phone)
          throw problems.invalid("body.channels.sms", "the patient has no mobile number on record");
        const language = input.language ?? record.preferredLanguage;
        if (
          input.language !== undefined &&
          library.resolveLanguage(input.language) !== input.language.split("-")[0]
        )
          throw problems.invalid(
            "body.language",
            `messages are not available in ${input.language}; choose one of ${library.languages.join(", ")}`,
          );
        const row = await repo.upsertPreferences(tx, {
          patient_id: patientId,
          email: input.channels.email,
          sms: input.channels.sms,
          in_app: input.channels.inApp,
          language,
          quiet_start: input.quietHours?.start ?? null,
          quiet_end: input.quietHours?.end ?? null,
          quiet_time_zone: input.quietHours?.timeZone ?? null,
        });
        const prefs = toPreferences(patientId, effectivePreferences(row, record, library), row);
        await audit(tx, actor, "notification.preferences.update", patientId, access, {
          channels: prefs.channels,
          language: prefs.language,
          quietHours: prefs.quietHours !== null,
        });
        return prefs;
      });
    },

    /** Admission to the template and job routes is the administrators' alone (route `allow`). */
    templates() {
      return { events: [...messageEvents], languages: library.languages };
    },

    /** With a real appointment the preview reads patient data, so that reading is audited. */
    async preview(actor: Actor, event: MessageEvent, q: TemplatePreviewQuery) {
      const { appointmentId } = q;
      if (!appointmentId) return render(db, event, q.language, undefined);
      return db.transaction().execute(async (tx) => {
        const preview = await render(tx, event, q.language, appointmentId);
        await auditService.record(tx, auditContextOf(actor), {
          action: "notification.template.preview",
          resourceType: "appointment",
          resourceId: appointmentId,
          detail: { event, language: preview.language },
        });
        return preview;
      });
    },

    async jobs(q: JobQuery): Promise<Page<Job>> {
      const { rows, total } = await repo.jobs(db, q, q);
      return { items: rows.map(toJob), total, limit: q.limit, offset: q.offset };
    },
  };
}

export type NotificationService = ReturnType<typeof createNotificationService>;

/** A made-up appointment so that templates can be previewed on an empty network. */
function sampleContext(now: Date): MessageContext {
  const start = new Date(Math.ceil((now.getTime() + 3 * 86_400_000) / 3_600_000) * 3_600_000);
  const stamp = now.toISOString();
  const id = "00000000-0000-4000-8000-000000000001";
  return {
    typeName: "Cardiology consultation",
    reminderHours: null,
    appointment: {
      id,
      patientId: id,
      physicianId: id,
      locationId: id,
      appointmentTypeId: id,
      start,
      end: new Date(start.getTime() + 30 * 60_000),
      status: "booked",
      telehealth: false,
      joinUrl: null,
      reason: "Follow-up on blood pressure",
      cancelReason: null,
      originalId: id,
      moves: 0,
    },
    patient: {
      id,
      mrn: "SAMPLE-1",
      givenName: "Alex",
      familyName: "Sample",
      birthDate: "1980-01-01",
      sex: "unknown",
      email: "alex@example.invalid",
      phone: "+1 212 555 0100",
      address: {
        line: "5 Elm St",
        city: "Riverton",
        region: "NY",
        postalCode: "10001",
        latitude: 40.7,
        longitude: -74.0,
      },
      preferredLocationIds: [],
      preferredLanguage: "en",
      accessibilityNeeds: [],
      insurance: { payer: "Sample Health", memberId: "X1" },
      active: true,
      createdAt: stamp,
      updatedAt: stamp,
    },
    physician: {
      id,
      npi: "1234567890",
      givenName: "Ada",
      familyName: "Lovelace",
      title: "MD",
      primarySpecialty: "cardiology",
      specialties: ["cardiology"],
      homeDepartmentId: null,
      languages: ["en"],
      acceptsNewPatients: true,
      offersTelehealth: false,
      active: true,
      createdAt: stamp,
      updatedAt: stamp,
    },
    location: {
      id,
      code: "SAMPLE",
      name: "Riverside Main Campus",
      kind: "main_campus",
      addressLine: "1 Hospital Way",
      city: "Riverton",
      region: "NY",
      postalCode: "10002",
      country: "US",
      latitude: 40.75,
      longitude: -73.99,
      timeZone: "America/New_York",
      phone: "+1 212 555 0199",
      openingHours: [],
      parking: {
        spaces: 400,
        accessibleSpaces: 24,
        costCentsPerHour: 300,
        notes: "Visitor garage on the north side.",
      },
      accessibilityFeatures: ["step_free_access", "wheelchair_accessible", "hearing_loop"],
      amenities: ["cafe", "pharmacy", "wifi"],
      publicTransport: "Bus 12 and 40 stop at the main entrance.",
      services: [],
      dataResidency: "us",
      active: true,
      createdAt: stamp,
      updatedAt: stamp,
    },
  };
}
