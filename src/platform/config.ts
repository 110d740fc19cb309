import { z } from "zod";

/**
 * Runtime configuration, read from the environment only and validated once at start. Nothing
 * else reads `process.env`: a module that needs a setting receives it from here.
 */
export interface Config {
  /** PostgreSQL server URL; when absent the embedded PGlite database in `dataDir` is used. */
  databaseUrl: string | undefined;
  /** Connections per process to a PostgreSQL server. */
  databasePoolSize: number;
  /** Prepare repeated statements once per connection (off behind a pooler that cannot keep them). */
  databasePreparedStatements: boolean;
  dataDir: string;
  host: string;
  port: number;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  /** Behind a load balancer: trust X-Forwarded-For from these hops (true, a hop count, or addresses). */
  trustProxy: boolean | number | string;
  /** Load the demo network on first start of an empty database. */
  seedDemo: boolean;
  adminEmail: string | undefined;
  adminPassword: string | undefined;
  /** How long a sign-in lasts. */
  sessionHours: number;
  booking: BookingConfig;
  notifications: NotificationsConfig;
}

export interface BookingConfig {
  /** Earliest bookable start, counted from now. */
  minNoticeMinutes: number;
  /** How far ahead patients may book. */
  horizonDays: number;
  /** How long a hold keeps an option for its patient. */
  holdMinutes: number;
  /** Open holds one user may have at once, so nobody can hoard slots. */
  maxOpenHolds: number;
}

export interface NotificationsConfig {
  /** Run the notification worker in this process (the API still serves inboxes and live events). */
  worker: boolean;
  /** smtp:// or smtps:// URL; email is not sent by this process when absent. */
  smtpUrl: string | undefined;
  mailFrom: string;
  /** A Twilio-compatible Messages API; SMS is not sent by this process unless all of these are set. */
  sms: { apiUrl: string; accountSid: string; authToken: string; from: string } | undefined;
  /** Hours before the start at which reminders go out, largest first. */
  reminderHours: number[];
  /** A telehealth appointment's join link is this prefix followed by the appointment id. */
  telehealthBaseUrl: string;
}

const booleanFlag = z
  .enum(["true", "false", "1", "0", "yes", "no"], { error: "must be true or false" })
  .transform((v) => v === "true" || v === "1" || v === "yes");

/** A whole number from `min` to `max`, written in digits (no `1e3`, no `0x10`, no `12.5`). */
const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d{1,9}$/, `must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, `must be a whole number from ${min} to ${max}`)
        .max(max, `must be a whole number from ${min} to ${max}`),
    );

const envSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
    .optional(),
  DATABASE_POOL_SIZE: wholeNumber(1, 1000).default(10),
  DATABASE_PREPARED_STATEMENTS: booleanFlag.default(true),
  ROUNDS_DATA_DIR: z.string().min(1).default("./.data"),
  HOST: z.string().min(1).default("127.0.0.1"),
  PORT: wholeNumber(0, 65535).default(3000),
  TRUST_PROXY: z.string().default("false"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  ROUNDS_SEED_DEMO: booleanFlag.default(true),
  ROUNDS_ADMIN_EMAIL: z.email().optional(),
  ROUNDS_ADMIN_PASSWORD: z.string().min(12, "must be at least 12 characters").optional(),
  ROUNDS_SESSION_HOURS: wholeNumber(1, 720).default(12),
  ROUNDS_MIN_NOTICE_MINUTES: wholeNumber(0, 43_200).default(60),
  ROUNDS_HORIZON_DAYS: wholeNumber(1, 730).default(180),
  ROUNDS_HOLD_MINUTES: wholeNumber(1, 60).default(5),
  ROUNDS_MAX_OPEN_HOLDS: wholeNumber(1, 100).default(3),
  ROUNDS_NOTIFICATIONS_WORKER: booleanFlag.default(true),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/[^\s]+$/, "must be an smtp:// or smtps:// URL")
    .optional(),
  ROUNDS_MAIL_FROM: z.string().min(3).max(300).default("Rounds <no-reply@rounds.invalid>"),
  SMS_API_URL: z
    .url({ protocol: /^https?$/, error: "must be an http(s) URL" })
    .default("https://api.twilio.com"),
  SMS_ACCOUNT_SID: z
    .string()
    .regex(/^[A-Za-z0-9]{2,64}$/, "must be an account id of letters and digits")
    .optional(),
  SMS_AUTH_TOKEN: z.string().min(1).max(200).optional(),
  SMS_FROM: z
    .string()
    .regex(/^\+[1-9]\d{6,14}$/, "must be an E.164 number such as +12125550100")
    .optional(),
  ROUNDS_REMINDER_HOURS: z
    .string()
    .regex(/^\s*\d{1,3}(\s*,\s*\d{1,3})*\s*$/, "must be a comma-separated list of hours such as 72,24")
    .default("72,24")
    .transform((s) => [...new Set(s.split(",").map((h) => Number(h.trim())))].sort((a, b) => b - a))
    .refine((hours) => hours.every((h) => h >= 1 && h <= 720), "each reminder must be 1 to 720 hours ahead"),
  ROUNDS_TELEHEALTH_BASE_URL: z
    .url({ protocol: /^https?$/, error: "must be an http(s) URL" })
    .default("https://telehealth.invalid/join/"),
});

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = "ConfigError";
  }
}

/** Parses the environment; throws a ConfigError naming the first bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(String(issue.path[0] ?? "environment"), issue.message);
  }
  const e = parsed.data;
  if ((e.ROUNDS_ADMIN_EMAIL === undefined) !== (e.ROUNDS_ADMIN_PASSWORD === undefined)) {
    const missing = e.ROUNDS_ADMIN_EMAIL === undefined ? "ROUNDS_ADMIN_EMAIL" : "ROUNDS_ADMIN_PASSWORD";
    throw new ConfigError(missing, "must be set together with the other ROUNDS_ADMIN_* variable");
  }
  const sms = [e.SMS_ACCOUNT_SID, e.SMS_AUTH_TOKEN, e.SMS_FROM];
  if (sms.some((v) => v !== undefined) && sms.some((v) => v === undefined)) {
    const missing = ["SMS_ACCOUNT_SID", "SMS_AUTH_TOKEN", "SMS_FROM"][sms.indexOf(undefined)]!;
    throw new ConfigError(missing, "must be set together with the other SMS_* variables");
  }
  return {
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    databasePreparedStatements: e.DATABASE_PREPARED_STATEMENTS,
    dataDir: e.ROUNDS_DATA_DIR,
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    trustProxy:
      e.TRUST_PROXY === "true"
        ? true
        : e.TRUST_PROXY === "false"
          ? false
          : /^\d+$/.test(e.TRUST_PROXY)
            ? Number(e.TRUST_PROXY)
            : e.TRUST_PROXY,
    seedDemo: e.ROUNDS_SEED_DEMO,
    adminEmail: e.ROUNDS_ADMIN_EMAIL,
    adminPassword: e.ROUNDS_ADMIN_PASSWORD,
    sessionHours: e.ROUNDS_SESSION_HOURS,
    booking: {
      minNoticeMinutes: e.ROUNDS_MIN_NOTICE_MINUTES,
      horizonDays: e.ROUNDS_HORIZON_DAYS,
      holdMinutes: e.ROUNDS_HOLD_MINUTES,
      maxOpenHolds: e.ROUNDS_MAX_OPEN_HOLDS,
    },
    notifications: {
      worker: e.ROUNDS_NOTIFICATIONS_WORKER,
      smtpUrl: e.SMTP_URL,
      mailFrom: e.ROUNDS_MAIL_FROM,
      sms:
        e.SMS_ACCOUNT_SID && e.SMS_AUTH_TOKEN && e.SMS_FROM
          ? {
              apiUrl: e.SMS_API_URL,
              accountSid: e.SMS_ACCOUNT_SID,
              authToken: e.SMS_AUTH_TOKEN,
              from: e.SMS_FROM,
            }
          : undefined,
      reminderHours: e.ROUNDS_REMINDER_HOURS,
      telehealthBaseUrl: e.ROUNDS_TELEHEALTH_BASE_URL,
    },
  };
}
