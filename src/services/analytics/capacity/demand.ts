/**
 * The waiting list as demand, in pure functions: each waiting entry asks for one visit of its
 * appointment type's length, to be seen within a time its urgency sets (an urgent patient this
 * week, a soon one within two weeks, a routine one within the plan's weeks). Its hours per week
 * are the visit's hours over those weeks, shared evenly by the planned locations it accepts: the
 * ones it names, or (open to anywhere) the planned locations in the patient's home area, or every
 * planned location when none is in their area.
 */

export type Urgency = "routine" | "soon" | "urgent";

/** Weeks within which an entry of each urgency should be seen (routine: the plan's weeks). */
export const SEEN_WITHIN_WEEKS: Readonly<Record<Exclude<Urgency, "routine">, number>> = {
  urgent: 1,
  soon: 2,
};

export interface WaitingEntry {
  /** Acceptable locations; empty: any. */
  locationIds: readonly string[];
  /** The patient's home area (city), for an entry open to anywhere. */
  homeArea: string | null;
  urgency: Urgency;
  /** Length of the visit asked for. */
  minutes: number;
}

export interface PlannedLocation {
  id: string;
  area: string | null;
}

/** The planned locations an entry could be seen at (none: it waits for a location nobody plans). */
export function locationsFor(entry: WaitingEntry, locations: readonly PlannedLocation[]): string[] {
  if (entry.locationIds.length > 0)
    return locations.filter((l) => entry.locationIds.includes(l.id)).map((l) => l.id);
  const near = locations.filter((l) => entry.homeArea !== null && l.area === entry.homeArea);
  return (near.length ? near : locations).map((l) => l.id);
}

/** Weeks within which an entry is to be seen, given the plan's length. */
export const weeksToSee = (urgency: Urgency, planWeeks: number): number =>
  Math.max(1, Math.min(planWeeks, urgency === "routine" ? planWeeks : SEEN_WITHIN_WEEKS[urgency]));

/** Waiting hours per week per planned location (every planned location named, 0 where nobody waits). */
export function waitlistDemand(
  entries: readonly WaitingEntry[],
  locations: readonly PlannedLocation[],
  planWeeks: number,
): Record<string, number> {
  const hours: Record<string, number> = Object.fromEntries(locations.map((l) => [l.id, 0]));
  for (const e of entries) {
    const at = locationsFor(e, locations);
    if (!at.length) continue;
    const perWeek = e.minutes / 60 / weeksToSee(e.urgency, planWeeks);
    for (const l of at) hours[l]! += perWeek / at.length;
  }
  return Object.fromEntries(Object.entries(hours).map(([l, h]) => [l, Math.round(h * 10) / 10]));
}
