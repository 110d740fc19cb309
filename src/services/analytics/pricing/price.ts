/**
 * Demand-based copays as one pure function: the base copay of an appointment type, adjusted by the
 * location's rules whose local time band holds the visit and whose forecast-utilisation trigger
 * fires (an off-peak discount at or below its threshold, a high-demand surcharge at or above it),
 * the sum bounded by the caps of the patient's plan. Urgent care and patients flagged for financial
 * assistance always pay the base copay. The quote and the booking recorder both call it.
 */

export type PricingRuleKind = "off_peak_discount" | "high_demand_surcharge";

export interface PricingRule {
  id: string;
  locationId: string;
  /** null: every appointment type at the location. */
  appointmentTypeId: string | null;
  kind: PricingRuleKind;
  /** ISO weekdays, 1 = Monday … 7 = Sunday. */
  weekdays: readonly number[];
  /** Local wall-clock "HH:MM"; the band is [startTime, endTime). */
  startTime: string;
  endTime: string;
  utilisationThreshold: number;
  percent: number;
  active: boolean;
}

export interface PriceCap {
  maxSurchargeCents: number;
  maxDiscountCents: number;
}

export interface PriceInput {
  baseCents: number;
  locationId: string;
  appointmentTypeId: string;
  /** ISO weekday and minutes after local midnight of the visit's start. */
  weekday: number;
  minuteOfDay: number;
  /** Forecast share of the bookable time that is booked, 0…1. */
  utilisation: number;
  urgentCare: boolean;
  financialAssistance: boolean;
  rules: readonly PricingRule[];
  /** The plan's caps; undefined: no adjustment at all. */
  cap: PriceCap | undefined;
}

export type PriceReason =
  | "urgent_care"
  | "financial_assistance"
  | "no_rule"
  | "no_cap"
  | "adjusted"
  | "capped";

export interface Price {
  baseCents: number;
  priceCents: number;
  /** priceCents − baseCents: negative for a discount. */
  adjustmentCents: number;
  ruleIds: string[];
  reason: PriceReason;
}

export const minutesOf = (hhmm: string): number => {
  const [h, m] = hhmm.split(":").map(Number) as [number, number];
  return h * 60 + m;
};

/** Whether the rule's band and trigger hold for this visit (before exclusions and caps). */
export function ruleApplies(rule: PricingRule, input: Omit<PriceInput, "rules" | "cap">): boolean {
  if (!rule.active || rule.locationId !== input.locationId) return false;
  if (rule.appointmentTypeId !== null && rule.appointmentTypeId !== input.appointmentTypeId) return false;
  if (!rule.weekdays.includes(input.weekday)) return false;
  if (input.minuteOfDay < minutesOf(rule.startTime) || input.minuteOfDay >= minutesOf(rule.endTime))
    return false;
  return rule.kind === "off_peak_discount"
    ? input.utilisation <= rule.utilisationThreshold
    : input.utilisation >= rule.utilisationThreshold;
}

export function priceOf(input: PriceInput): Price {
  const base = { baseCents: input.baseCents, priceCents: input.baseCents, adjustmentCents: 0, ruleIds: [] };
  if (input.urgentCare) return { ...base, reason: "urgent_care" };
  if (input.financialAssistance) return { ...base, reason: "financial_assistance" };
  const applied = input.rules.filter((r) => ruleApplies(r, input));
  if (applied.length === 0) return { ...base, reason: "no_rule" };
  if (!input.cap) return { ...base, reason: "no_cap" };
  let raw = 0;
  for (const r of applied) {
    const amount = Math.round((input.baseCents * r.percent) / 100);
    raw += r.kind === "off_peak_discount" ? -amount : amount;
  }
  // a discount never takes the copay below zero
  const low = -Math.min(input.cap.maxDiscountCents, input.baseCents);
  const high = input.cap.maxSurchargeCents;
  const adjustment = Math.min(high, Math.max(low, raw));
  return {
    baseCents: input.baseCents,
    priceCents: input.baseCents + adjustment,
    adjustmentCents: adjustment,
    ruleIds: applied.map((r) => r.id).sort(),
    reason: adjustment === raw ? "adjusted" : "capped",
  };
}
