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
