/** Preferences, the in-app inbox, delivery records and template previews, within the caller's scope. */

import type { Actor } from "../../platform/access.js";
import type { Executor } from "../../platform/db.js";
import { problems, registerConstraint } from "../../platform/errors.js";
import { authorize, patient, patientScope } from "../../platform/policy.js";
import { type Page, toHHMM, toIso } from "../../platform/schemas.js";
import { type Patient, patientService } from "../patients/index.js";
import { e164 } from "./channels.js";
import { buildView, calendarFile, loadContext, type MessageContext } from "./content.js";
import type { EffectivePreferences } from "./planning.js";
import {
  type JobRow,
  type NotificationRow,
  type PreferencesRow,
  notificationRepository as repo,
} from "./repository.js";
import type { InboxQuery, Job, JobQuery, Notification, Preferences, PreferencesInput } from "./schema.js";
import type { MessageEvent, RenderedMessage, TemplateLibrary } from "./templates.js";

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
  telehealthBaseUrl: string;
  reminderHours: number[];
}

/** One message in one language, and the calendar file that goes with an email. */
export function renderMessage(
  ctx: MessageContext,
  event: MessageEvent,
  language: string,
  extras: {
    reminderHours?: number | null;
    reason?: string | null;
    byHospital?: boolean;
    previousStart?: string | null;
  },
  settings: RenderSettings,
  now: Date,
): { message: RenderedMessage; calendar: string } {
  const strings = settings.library.strings(language);
  const view = buildView(ctx, event, extras, {
    language,
    strings,
    telehealthBaseUrl: settings.telehealthBaseUrl,
    now,
  });
  return {
    message: settings.library.render(event, language, view),
    calendar: calendarFile(ctx, view, { cancelled: event === "cancellation", now }),
  };
}

export const notificationService = {
  async preferences(db: Executor, patientId: string, library: TemplateLibrary): Promise<Preferences> {
    const [patient, row] = await Promise.all([
      patientService.get(db, patientId),
      repo.preferences(db, patientId),
    ]);
    return toPreferences(patientId, effectivePreferences(row, patient, library), row);
  },

  async setPreferences(
    db: Executor,
    patientId: string,
    input: PreferencesInput,
    library: TemplateLibrary,
  ): Promise<Preferences> {
    const patient = await patientService.get(db, patientId);
    if (input.channels.email && !patient.email)
      throw problems.invalid("body.channels.email", "the patient has no email address on record");
    if (input.channels.sms && !contactOf(patient).phone)
      throw problems.invalid("body.channels.sms", "the patient has no mobile number on record");
    const language = input.language ?? patient.preferredLanguage;
    if (
      input.language !== undefined &&
      library.resolveLanguage(input.language) !== input.language.split("-")[0]
    )
      throw problems.invalid(
        "body.language",
        `messages are not available in ${input.language}; choose one of ${library.languages.join(", ")}`,
      );
    const row = await repo.upsertPreferences(db, {
      patient_id: patientId,
      email: input.channels.email,
      sms: input.channels.sms,
      in_app: input.channels.inApp,
      language,
      quiet_start: input.quietHours?.start ?? null,
      quiet_end: input.quietHours?.end ?? null,
      quiet_time_zone: input.quietHours?.timeZone ?? null,
    });
    return toPreferences(patientId, effectivePreferences(row, patient, library), row);
  },

  /** Patients see their own and their dependents' inbox; administrators anyone's (the policy). */
  async inbox(db: Executor, actor: Actor, q: InboxQuery): Promise<Page<Notification>> {
    if (q.patientId) await authorize(db, actor, "read_messages", patient(q.patientId, "query.patientId"));
    const patientIds = q.patientId ? [q.patientId] : await patientScope(db, actor);
    const { rows, total } = await repo.inbox(db, { patientIds, unread: q.unread }, q);
    return { items: rows.map(toNotification), total, limit: q.limit, offset: q.offset };
  },

  async markRead(db: Executor, actor: Actor, id: string, now: Date): Promise<Notification> {
    const row = await repo.notification(db, id);
    if (!row) throw problems.notFound("notification");
    await authorize(db, actor, "read_messages", { ...patient(row.patient_id), noun: "notification" });
    return toNotification((await repo.markRead(db, id, now))!);
  },

  async jobs(db: Executor, q: JobQuery): Promise<Page<Job>> {
    const { rows, total } = await repo.jobs(db, q, q);
    return { items: rows.map(toJob), total, limit: q.limit, offset: q.offset };
  },

  /** A template rendered with a real appointment's data, or with the sample appointment. */
  async preview(
    db: Executor,
    event: MessageEvent,
    wantedLanguage: string,
    appointmentId: string | undefined,
    settings: RenderSettings,
    now: Date,
  ) {
    const language = settings.library.resolveLanguage(wantedLanguage);
    const ctx = appointmentId ? await loadContext(db, appointmentId) : sampleContext(now);
    if (!ctx) throw problems.notFound("appointment", "query.appointmentId");
    const extras = {
      reminderHours: event === "reminder" ? (settings.reminderHours.at(-1) ?? 24) : null,
      reason: event === "cancellation" || event === "reschedule" ? "The physician is unwell" : null,
      byHospital: event === "reschedule",
      previousStart:
        event === "reschedule" ? new Date(ctx.appointment.start.getTime() - 86_400_000).toISOString() : null,
    };
    const { message, calendar } = renderMessage(ctx, event, language, extras, settings, now);
    return { event, language, ...message, calendar };
  },
};

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
