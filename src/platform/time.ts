/** Wall-clock conversions shared by the schedule expansion and the availability engine. */
import { Temporal } from "temporal-polyfill";

/**
 * The instant a wall-clock time (`08:00`) happens on a local date (`2026-03-08`) in a time zone.
 * A time inside a spring-forward gap never shows on the clock, so it becomes the end of the gap;
 * a repeated autumn time takes its first occurrence.
 */
export function wallClockToEpochMs(date: string, hhmm: string, timeZone: string): number {
  const plainDate = Temporal.PlainDate.from(date);
  const plainTime = Temporal.PlainTime.from(hhmm);
  const zoned = plainDate.toZonedDateTime({ timeZone, plainTime });
  if (Temporal.PlainTime.compare(zoned.toPlainTime(), plainTime) !== 0) {
    // "earlier" lands just before the gap, so the next transition is the gap's end
    const beforeGap = plainDate
      .toPlainDateTime(plainTime)
      .toZonedDateTime(timeZone, { disambiguation: "earlier" });
    const gapEnd = beforeGap.getTimeZoneTransition("next");
    if (gapEnd) return gapEnd.epochMilliseconds;
  }
  return zoned.epochMilliseconds;
}

/**
 * Building an `Intl.DateTimeFormat` costs about a tenth of a millisecond and using one about a
 * microsecond, so reports, prices and the model, which read the local time of thousands of visits,
 * share one per locale and options. Formatters are immutable; the set is bounded by the time zones
 * and shapes in use (a bad time zone throws before it is kept).
 */
const formatters = new Map<string, Intl.DateTimeFormat>();
export function dateTimeFormat(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}\u0000${JSON.stringify(options)}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(locale, options);
    if (formatters.size >= 10_000) formatters.clear();
    formatters.set(key, formatter);
  }
  return formatter;
}
