import { z } from "zod";
import { instant, localTime, pageQuery, timeZone, uuid } from "../../platform/schemas.js";
import { messageEvents } from "./templates.js";

export const channels = ["email", "sms", "in_app"] as const;
export type Channel = (typeof channels)[number];
export const jobStatuses = ["pending", "sent", "failed", "cancelled"] as const;
export const jobKinds = messageEvents;

const language = z
  .string()
  .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, "must be a language tag such as en or es");

export const quietHours = z
  .object({
    start: localTime.describe("local time quiet hours begin, e.g. 21:00"),
    end: localTime.describe("local time they end, e.g. 08:00 (before start means the next day)"),
    timeZone,
  })
  .strict()
  .refine((q) => q.start !== q.end, { error: "must differ from start", path: ["end"] });
export type QuietHours = z.infer<typeof quietHours>;

export const preferencesInput = z
  .object({
    channels: z.object({ email: z.boolean(), sms: z.boolean(), inApp: z.boolean() }).strict(),
    language: language.optional().describe("default: the patient's preferred language"),
    quietHours: quietHours.nullable().default(null).describe("SMS and email wait until they end"),
  })
  .strict();
export type PreferencesInput = z.infer<typeof preferencesInput>;

export const preferences = z.object({
  patientId: uuid,
  channels: z.object({ email: z.boolean(), sms: z.boolean(), inApp: z.boolean() }),
  language: z.string(),
  quietHours: z.object({ start: z.string(), end: z.string(), timeZone: z.string() }).nullable(),
  /** False while the patient has never chosen: these are the defaults. */
  chosen: z.boolean(),
  updatedAt: z.string().nullable(),
});
export type Preferences = z.infer<typeof preferences>;

export const notification = z.object({
  id: uuid,
  patientId: uuid,
  appointmentId: uuid.nullable(),
  kind: z.string(),
  title: z.string(),
  body: z.string(),
  createdAt: z.string(),
  readAt: z.string().nullable(),
});
export type Notification = z.infer<typeof notification>;

export const inboxQuery = pageQuery.extend({
  patientId: uuid.optional().describe("one of your own or your dependents' records"),
  unread: z
    .enum(["true", "false"])
    .transform((v) => v === "true")
    .optional(),
  // the inbox is partitioned by month: a bounded period reads only its months
  from: instant.optional().describe("messages created at or after this instant"),
  to: instant.optional().describe("messages created before this instant"),
});
export type InboxQuery = z.infer<typeof inboxQuery>;

export const job = z.object({
  id: uuid,
  kind: z.enum(jobKinds),
  reminderHours: z.number().int().nullable(),
  appointmentId: uuid,
  patientId: uuid,
  channel: z.enum(channels),
  runAt: z.string(),
  attempts: z.number().int(),
  status: z.enum(jobStatuses),
  lastError: z.string().nullable(),
  sentAt: z.string().nullable(),
  createdAt: z.string(),
});
export type Job = z.infer<typeof job>;

export const jobQuery = pageQuery.extend({
  appointmentId: uuid.optional(),
  patientId: uuid.optional(),
  status: z.enum(jobStatuses).optional(),
});
export type JobQuery = z.infer<typeof jobQuery>;

export const templateParams = z.object({ event: z.enum(messageEvents) });
export const templateQuery = z
  .object({
    language: language.default("en"),
    appointmentId: uuid.optional().describe("render with this appointment's data instead of a sample"),
  })
  .strict();
export const templatePreview = z.object({
  event: z.enum(messageEvents),
  language: z.string().describe("the language actually used (falls back to en)"),
  subject: z.string(),
  text: z.string(),
  html: z.string(),
  sms: z.string(),
  calendar: z.string().nullable().describe("the iCalendar file sent with the email"),
});
export const templateList = z.object({
  events: z.array(z.enum(messageEvents)),
  languages: z.array(z.string()),
});

/** The live event stream's answer: server-sent events, one `id`/`event`/`data` block per change. */
export const eventStream = {
  description: "server-sent events: `id` is the event seq, `event` its type, `data` a JSON object",
  content: { "text/event-stream": { schema: z.string() } },
};

export const eventsQuery = z
  .object({ lastEventId: z.coerce.number().int().min(0).optional().describe("resume after this event") })
  .strict();

/** A staff member's own in-app message (compliance alerts): counts and a link, no patient data. */
export const staffNotification = z.object({
  id: uuid,
  kind: z.string(),
  title: z.string(),
  body: z.string(),
  link: z.string(),
  createdAt: z.string(),
  readAt: z.string().nullable(),
});
