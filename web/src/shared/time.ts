/**
 * Times are shown in the location's zone, and labelled with that zone whenever it differs from
 * the viewer's, so "09:00" always means 09:00 on the clock at the door.
 */
import { Temporal } from "temporal-polyfill";

export const viewerZone: string = Intl.DateTimeFormat().resolvedOptions().timeZone;

const cache = new Map<string, Intl.DateTimeFormat>();
function fmt(zone: string, opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${zone}|${JSON.stringify(opts)}`;
  let f = cache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat("en-GB", { timeZone: zone, ...opts });
    cache.set(key, f);
  }
  return f;
}

/** Short zone name at that instant ("EST", "GMT+1"); the IANA name when the short one is ambiguous. */
export function zoneAbbreviation(iso: string, zone: string): string {
  const part = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "short" })
    .formatToParts(new Date(iso))
    .find((p) => p.type === "timeZoneName");
  return part?.value ?? zone;
}

export const differsFromViewer = (zone: string): boolean =>
  zone !== viewerZone &&
  // same offsets all year (e.g. two names for one zone) need no label either
  zoneAbbreviation("2026-01-15T12:00:00Z", zone) !== zoneAbbreviation("2026-01-15T12:00:00Z", viewerZone);

/** The zone label to append, or "" when the viewer is in the same zone. */
export function zoneLabel(iso: string, zone: string): string {
  return differsFromViewer(zone) ? ` ${zoneAbbreviation(iso, zone)}` : "";
}

export function formatTime(iso: string, zone: string): string {
  return fmt(zone, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(new Date(iso));
}

export function formatDate(iso: string, zone: string): string {
  return fmt(zone, { weekday: "short", day: "numeric", month: "short", year: "numeric" }).format(
    new Date(iso),
  );
}

/** "Tue 1 Dec 2026, 09:00" plus the zone when it is not the viewer's. */
export function formatDateTime(iso: string, zone: string): string {
  return `${formatDate(iso, zone)}, ${formatTime(iso, zone)}${zoneLabel(iso, zone)}`;
}

export function formatTimeRange(startIso: string, endIso: string, zone: string): string {
  return `${formatTime(startIso, zone)}–${formatTime(endIso, zone)}${zoneLabel(startIso, zone)}`;
}

/** Long form of a plain `YYYY-MM-DD` date, without any zone shift. */
export function formatPlainDate(date: string): string {
  return fmt("UTC", { weekday: "long", day: "numeric", month: "long", year: "numeric" }).format(
    new Date(`${date}T12:00:00Z`),
  );
}

/** Wall-clock `YYYY-MM-DDTHH:mm:ss` of an instant in a zone (for the calendar, which shows wall-clock). */
export function wallClock(iso: string, zone: string): string {
  return Temporal.Instant.from(iso).toZonedDateTimeISO(zone).toPlainDateTime().toString({
    smallestUnit: "second",
  });
}

/** The instant at which a zone's clock shows `date` `time` (DST gaps resolve forward). */
export function zonedInstant(date: string, time: string, zone: string): string {
  return Temporal.PlainDateTime.from(`${date}T${time}`)
    .toZonedDateTime(zone, { disambiguation: "compatible" })
    .toInstant()
    .toString();
}

/** Today's date on the clock in `zone`. */
export function todayIn(zone: string, now: Date = new Date()): string {
  return Temporal.Instant.fromEpochMilliseconds(now.getTime())
    .toZonedDateTimeISO(zone)
    .toPlainDate()
    .toString();
}

/** The later / earlier of two `YYYY-MM-DD` dates (they sort as strings). */
export const laterDate = (a: string, b: string): string => (a.localeCompare(b) >= 0 ? a : b);
export const earlierDate = (a: string, b: string): string => (a.localeCompare(b) <= 0 ? a : b);

export function addDays(date: string, days: number): string {
  return Temporal.PlainDate.from(date).add({ days }).toString();
}

/** ISO weekday of a plain date, Monday = 1. */
export function weekdayOf(date: string): number {
  return Temporal.PlainDate.from(date).dayOfWeek;
}

export const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
export const weekdayName = (isoWeekday: number): string => WEEKDAYS[isoWeekday - 1] ?? String(isoWeekday);

/** The local date of an instant in a zone. */
export function localDate(iso: string, zone: string): string {
  return Temporal.Instant.from(iso).toZonedDateTimeISO(zone).toPlainDate().toString();
}

/** "in 4:59" style countdown text from milliseconds left. */
export function countdown(msLeft: number): string {
  const s = Math.max(0, Math.ceil(msLeft / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}
