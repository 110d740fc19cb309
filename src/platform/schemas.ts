import { z } from "zod";

/** Shared request/response building blocks. */

/**
 * A UUID in its one canonical spelling: capitals are accepted and lowered here, so every route
 * compares, stores, audits and answers the id exactly as the database gives it back.
 */
export const uuid = z.uuid({ error: "must be a UUID" }).overwrite((id) => id.toLowerCase());
export const idParams = z.object({ id: uuid });

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

/** A calendar date `YYYY-MM-DD` that exists. */
export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date YYYY-MM-DD")
  .refine(
    (d) =>
      !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d),
    {
      error: "is not a real calendar date",
    },
  );

/** An instant with an explicit offset, e.g. `2026-03-08T09:00:00-05:00`. */
export const instant = z.iso.datetime({ offset: true, error: "must be an ISO 8601 instant with offset" });

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
