import { z } from "zod";

/** Shared request/response building blocks. */

/**
 * A UUID in its one canonical spelling: capitals are accepted and lowered here, so every route
 * compares, stores, audits and answers the id exactly as the database gives it back.
 */
export const uuid = z.uuid({ error: "must be a UUID" }).overwrite((id) => id.toLowerCase());
export const idParams = z.object({ id: uuid });
/** A data residency region, as locations carry it (`dataResidency`). */
export const regionTag = z
  .string()
  .regex(/^[a-z]{2}(-[a-z0-9]+)?$/, "must be a region tag such as us or us-east");

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return tz.includes("/") || tz === "UTC";
  } catch {
    return false;
  }
}

export const timeZone = z
  .string()
  .refine(isTimeZone, { error: "must be an IANA time zone such as America/New_York" });

/** Local wall-clock time `HH:MM` (24h). */
export const localTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be a local time HH:MM");

/**
 * The calendar every date and instant must fall in. The database stores years 4713 BC to 294276
 * and JavaScript's Date only to 275760, but a window or a schedule built from a date near either
 * end overflows; no appointment, birth date, rotation or audit search needs more than this.
 */
export const EARLIEST_DATE = "1800-01-01";
export const LATEST_DATE = "2200-12-31";
const EARLIEST_MS = Date.parse(`${EARLIEST_DATE}T00:00:00Z`);
const AFTER_LATEST_MS = Date.parse(`${LATEST_DATE}T00:00:00Z`) + 86_400_000;
const RANGE_MESSAGE = `must be between ${EARLIEST_DATE} and ${LATEST_DATE}`;

/** A calendar date `YYYY-MM-DD` that exists, between EARLIEST_DATE and LATEST_DATE. */
export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date YYYY-MM-DD")
  .refine(
    (d) =>
      !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d),
    { error: "is not a real calendar date", abort: true },
  )
  .refine((d) => d >= EARLIEST_DATE && d <= LATEST_DATE, { error: RANGE_MESSAGE });

/**
 * An instant with an explicit offset, e.g. `2026-03-08T09:00:00-05:00`, between EARLIEST_DATE and
 * the end of LATEST_DATE (UTC).
 */
export const instant = z.iso
  .datetime({ offset: true, error: "must be an ISO 8601 instant with offset" })
  .refine(
    (t) => {
      const ms = Date.parse(t);
      return ms >= EARLIEST_MS && ms < AFTER_LATEST_MS;
    },
    { error: RANGE_MESSAGE },
  );

/** The largest value a PostgreSQL `integer` column holds. */
export const INT4_MAX = 2_147_483_647;

/** A whole number from `min` to `max` (both within what an `integer` column holds). */
export function wholeNumber(min: number, max: number) {
  if (min < -INT4_MAX - 1 || max > INT4_MAX) throw new Error(`wholeNumber(${min}, ${max}) exceeds integer`);
  return z.number().int().min(min).max(max);
}

/**
 * Text PostgreSQL can store as it was sent: no NUL character (text columns refuse it) and no
 * unpaired UTF-16 surrogate (it would be stored as U+FFFD, not as sent). The HTTP layer refuses
 * such strings anywhere in a request before validation, naming the field.
 */
export function isStorableText(s: string): boolean {
  return !s.includes("\u0000") && !UNPAIRED_SURROGATE.test(s);
}
const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const latitude = z
  .number()
  .min(-90, "must be between -90 and 90")
  .max(90, "must be between -90 and 90");
export const longitude = z
  .number()
  .min(-180, "must be between -180 and 180")
  .max(180, "must be between -180 and 180");

export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
});
export type PageQuery = z.infer<typeof pageQuery>;

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
  });
}
export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

/** Comma-separated list in a query string: `?locationIds=a,b`. */
export function csv<T extends z.ZodType<unknown, string>>(item: T) {
  return z
    .string()
    .transform((s) =>
      s
        .split(",")
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(z.array(item).max(200));
}

export const problemSchema = z.looseObject({
  type: z.string(),
  title: z.string(),
  status: z.number(),
  code: z.string(),
  detail: z.string(),
  errors: z.array(z.object({ field: z.string(), message: z.string() })),
});

/** Standard error responses to document on every route. */
export const errorResponses = {
  400: problemSchema,
  404: problemSchema,
  409: problemSchema,
  422: problemSchema,
} as const;

export const toIso = (d: Date | string): string =>
  d instanceof Date ? d.toISOString() : new Date(d).toISOString();
/** `HH:MM:SS` from the database to `HH:MM`. */
export const toHHMM = (t: string): string => t.slice(0, 5);

/**
 * The PATCH form of a create schema's fields: every field optional and without its default, so a
 * patch that omits a field leaves it as it is (zod would otherwise fill the default in).
 */
export function patchOf<S extends z.ZodRawShape>(shape: S) {
  const stripped = Object.fromEntries(
    Object.entries(shape).map(([k, v]) => [k, v instanceof z.ZodDefault ? (v.unwrap() as z.ZodType) : v]),
  ) as { [K in keyof S]: S[K] extends z.ZodDefault<infer T> ? T : S[K] };
  return z.object(stripped).partial().strict();
}
