/**
 * The revenue report's maths as pure functions. A fee (the location's fee schedule) is split into
 * the patient's share, the copay recorded for the appointment, and the payer's share, the rest.
 * A visit whose copay is known contributes to the daily copay sums; a change is applied as "minus
 * the old row's contribution, plus the new one's", as for the other daily facts.
 */
import type { Outcome, VisitRow } from "./facts.js";

/** A visit with the copay the pricing recorder kept for it. */
export interface CopayRow {
  appointmentId: string;
  day: string;
  locationId: string;
  physicianId: string;
  appointmentTypeId: string;
  specialty: string;
  outcome: Outcome;
  copayCents: number;
}

export interface CopayCounters {
  bookedPriced: number;
  bookedCopayCents: number;
  completedPriced: number;
  completedCopayCents: number;
}

export const COPAY_COUNTERS: readonly (keyof CopayCounters)[] = [
  "bookedPriced",
  "bookedCopayCents",
  "completedPriced",
  "completedCopayCents",
];

export interface CopayContribution {
  key: Pick<CopayRow, "day" | "locationId" | "physicianId" | "appointmentTypeId" | "specialty">;
  counters: CopayCounters;
}

/** The visit row with its copay, or null when either is unknown. */
export function copayRowOf(visit: VisitRow | null, copayCents: number | undefined): CopayRow | null {
  if (!visit || copayCents === undefined) return null;
  return {
    appointmentId: visit.appointmentId,
    day: visit.day,
    locationId: visit.locationId,
    physicianId: visit.physicianId,
    appointmentTypeId: visit.appointmentTypeId,
    specialty: visit.specialty,
    outcome: visit.outcome,
    copayCents,
  };
}

export function copayContributionOf(row: CopayRow, sign: 1 | -1): CopayContribution {
  // "booked" counts what the fee report counts as booked: everything but a move elsewhere
  const booked = row.outcome !== "rescheduled";
  const completed = row.outcome === "completed";
  return {
    key: {
      day: row.day,
      locationId: row.locationId,
      physicianId: row.physicianId,
      appointmentTypeId: row.appointmentTypeId,
      specialty: row.specialty,
    },
    counters: {
      bookedPriced: booked ? sign : 0,
      bookedCopayCents: booked ? sign * row.copayCents : 0,
      completedPriced: completed ? sign : 0,
      completedCopayCents: completed ? sign * row.copayCents : 0,
    },
  };
}

/** The changes to apply when a copay row goes from `before` to `after` (either may be absent). */
export function copayDeltaOf(before: CopayRow | null, after: CopayRow | null): CopayContribution[] {
  if (before && after && JSON.stringify(before) === JSON.stringify(after)) return [];
  const out: CopayContribution[] = [];
  if (before) out.push(copayContributionOf(before, -1));
  if (after) out.push(copayContributionOf(after, 1));
  return out;
}

/** A group's copays and the fees of the same appointments (those whose copay is known). */
export interface CopaySums extends CopayCounters {
  bookedPricedFeeCents: number;
  completedPricedFeeCents: number;
}

export interface RevenueShares {
  bookedPatientCents: number;
  bookedPayerCents: number;
  realisedPatientCents: number;
  realisedPayerCents: number;
  /** Appointments counted as booked whose copay was never recorded: their fee is in neither share. */
  withoutCopay: number;
}

/**
 * The patient's and the payer's shares of a group's fees. The patient pays the recorded copays;
 * the payer the rest of those appointments' fees, never below zero (a copay above the fee leaves
 * the payer nothing to pay).
 */
export function sharesOf(c: CopaySums, booked: number): RevenueShares {
  return {
    bookedPatientCents: c.bookedCopayCents,
    bookedPayerCents: Math.max(0, c.bookedPricedFeeCents - c.bookedCopayCents),
    realisedPatientCents: c.completedCopayCents,
    realisedPayerCents: Math.max(0, c.completedPricedFeeCents - c.completedCopayCents),
    withoutCopay: Math.max(0, booked - c.bookedPriced),
  };
}

export const noCopays = (): CopaySums => ({
  bookedPriced: 0,
  bookedCopayCents: 0,
  completedPriced: 0,
  completedCopayCents: 0,
  bookedPricedFeeCents: 0,
  completedPricedFeeCents: 0,
});
