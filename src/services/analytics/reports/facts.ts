/**
 * The reports' read model as pure functions: an appointment becomes a visit row, and a visit row
 * contributes to the daily facts and the daily flows. A change is applied as "minus the old row's
 * contribution, plus the new one's", so the aggregates always equal a sum over the visit rows.
 */
import { dateTimeFormat } from "../../../platform/time.js";
import type { ReportFacts } from "../../scheduling/index.js";

export type Outcome = "open" | "completed" | "no_show" | "cancelled" | "late_cancelled" | "rescheduled";

/** A cancellation this close to the start is a late one. */
export const LATE_CANCELLATION_HOURS = 24;

export interface VisitRow {
  appointmentId: string;
  /** The location's local date of the start, YYYY-MM-DD. */
  day: string;
  locationId: string;
  physicianId: string;
  appointmentTypeId: string;
  specialty: string;
  outcome: Outcome;
  minutes: number;
  leadMinutes: number;
  waitMinutes: number | null;
  fromLocationId: string | null;
  homeArea: string | null;
  /** The location that referred the patient here (a booked referral from another location), if any. */
  referredFrom: string | null;
  /** A follow-up: the location of the patient's previous visit of the specialty, when elsewhere. */
  followedFrom: string | null;
  /** When it ran (ISO instants): the planned time it took (null on rows read before they were kept). */
  startsAt: string | null;
  endsAt: string | null;
}

/** The local date (YYYY-MM-DD) of an instant in a time zone. */
export function localDate(at: Date, timeZone: string): string {
  return dateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(at);
}

const MINUTE = 60_000;

/** What became of an appointment, or null for a hold that never became a booking. */
export function outcomeOf(
  f: Pick<ReportFacts, "status" | "cancelReason" | "cancelledAt" | "start">,
): Outcome | null {
  switch (f.status) {
    case "booked":
    case "checked_in":
    case "in_progress":
      return "open";
    case "completed":
      return "completed";
    case "no_show":
      return "no_show";
    case "cancelled": {
      const reason = f.cancelReason ?? "";
      if (reason === "hold released") return null;
      if (reason.startsWith("rescheduled")) return "rescheduled";
      const late =
        f.cancelledAt !== null &&
        f.start.getTime() - f.cancelledAt.getTime() < LATE_CANCELLATION_HOURS * 60 * MINUTE;
      return late ? "late_cancelled" : "cancelled";
    }
    default:
      return null;
  }
}

/** Scheduling's facts of an appointment as the reports' visit row (null: not a booking). */
export function visitRowOf(
  f: ReportFacts,
  timeZone: string,
  homeArea: string | null,
  referredFrom: string | null = null,
): VisitRow | null {
  const outcome = outcomeOf(f);
  if (!outcome) return null;
  const wait =
    f.checkedInAt && f.startedAt
      ? Math.max(0, Math.round((f.startedAt.getTime() - f.checkedInAt.getTime()) / MINUTE))
      : null;
  return {
    appointmentId: f.id,
    day: localDate(f.start, timeZone),
    locationId: f.locationId,
    physicianId: f.physicianId,
    appointmentTypeId: f.appointmentTypeId,
    specialty: f.specialty,
    outcome,
    minutes: Math.max(1, Math.round((f.end.getTime() - f.start.getTime()) / MINUTE)),
    leadMinutes: Math.max(0, Math.round((f.start.getTime() - f.bookedAt.getTime()) / MINUTE)),
    waitMinutes: wait,
    fromLocationId:
      f.previousLocationId && f.previousLocationId !== f.locationId ? f.previousLocationId : null,
    homeArea,
    referredFrom: referredFrom && referredFrom !== f.locationId ? referredFrom : null,
    followedFrom:
      f.followedUpFromLocationId && f.followedUpFromLocationId !== f.locationId
        ? f.followedUpFromLocationId
        : null,
    startsAt: f.start.toISOString(),
    endsAt: f.end.toISOString(),
  };
}

/** The counters of one day's facts for a location, physician and appointment type. */
export interface DailyCounters {
  appointments: number;
  open: number;
  completed: number;
  noShows: number;
  cancelled: number;
  lateCancelled: number;
  rescheduled: number;
  bookedMinutes: number;
  completedMinutes: number;
  noShowMinutes: number;
  cancelledMinutes: number;
  leadMinutesSum: number;
  leadCount: number;
  waitMinutesSum: number;
  waitCount: number;
}

export const COUNTERS: readonly (keyof DailyCounters)[] = [
  "appointments",
  "open",
  "completed",
  "noShows",
  "cancelled",
  "lateCancelled",
  "rescheduled",
  "bookedMinutes",
  "completedMinutes",
  "noShowMinutes",
  "cancelledMinutes",
  "leadMinutesSum",
  "leadCount",
  "waitMinutesSum",
  "waitCount",
];

export const zeroCounters = (): DailyCounters =>
  Object.fromEntries(COUNTERS.map((c) => [c, 0])) as unknown as DailyCounters;

export interface DailyKey {
  day: string;
  locationId: string;
  physicianId: string;
  appointmentTypeId: string;
  specialty: string;
}

export interface FlowKey {
  day: string;
  sourceKind: "location" | "area" | "referral" | "follow_up";
  source: string;
  locationId: string;
  physicianId: string;
  specialty: string;
}

/** A row's contribution, multiplied by `sign` (+1 to add it, -1 to take it back). */
export interface Contribution {
  daily: { key: DailyKey; counters: DailyCounters };
  flows: { key: FlowKey; visits: number }[];
}

const KEPT_TIME: readonly Outcome[] = ["open", "completed", "no_show"];

export function contributionOf(row: VisitRow, sign: 1 | -1): Contribution {
  const c = zeroCounters();
  // a rescheduled appointment is counted where it went, not twice
  if (row.outcome !== "rescheduled") c.appointments = 1;
  if (row.outcome === "open") c.open = 1;
  if (row.outcome === "completed") c.completed = 1;
  if (row.outcome === "no_show") c.noShows = 1;
  if (row.outcome === "cancelled") c.cancelled = 1;
  if (row.outcome === "late_cancelled") c.lateCancelled = 1;
  if (row.outcome === "rescheduled") c.rescheduled = 1;
  if (KEPT_TIME.includes(row.outcome)) c.bookedMinutes = row.minutes;
  if (row.outcome === "completed") c.completedMinutes = row.minutes;
  if (row.outcome === "no_show") c.noShowMinutes = row.minutes;
  if (row.outcome === "cancelled" || row.outcome === "late_cancelled") c.cancelledMinutes = row.minutes;
  if (row.outcome !== "rescheduled") {
    c.leadMinutesSum = row.leadMinutes;
    c.leadCount = 1;
  }
  if (row.waitMinutes !== null) {
    c.waitMinutesSum = row.waitMinutes;
    c.waitCount = 1;
  }
  for (const k of COUNTERS) c[k] *= sign;
  const base = {
    day: row.day,
    locationId: row.locationId,
    physicianId: row.physicianId,
    specialty: row.specialty,
  };
  const flows: Contribution["flows"] = [];
  // flows count the visits that kept their time (a cancelled visit brought nobody)
  if (KEPT_TIME.includes(row.outcome)) {
    if (row.fromLocationId)
      flows.push({ key: { ...base, sourceKind: "location", source: row.fromLocationId }, visits: sign });
    if (row.homeArea)
      flows.push({ key: { ...base, sourceKind: "area", source: row.homeArea }, visits: sign });
    if (row.referredFrom)
      flows.push({ key: { ...base, sourceKind: "referral", source: row.referredFrom }, visits: sign });
    if (row.followedFrom)
      flows.push({ key: { ...base, sourceKind: "follow_up", source: row.followedFrom }, visits: sign });
  }
  return { daily: { key: { ...base, appointmentTypeId: row.appointmentTypeId }, counters: c }, flows };
}

/** The changes to apply when a visit row goes from `before` to `after` (either may be absent). */
export function deltaOf(before: VisitRow | null, after: VisitRow | null): Contribution[] {
  const out: Contribution[] = [];
  if (before) out.push(contributionOf(before, -1));
  if (after) out.push(contributionOf(after, 1));
  return out;
}
