/** Demand-based copays: the pure price function against a plain reference model. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type PriceInput, type PricingRule, priceOf } from "../../src/services/analytics/pricing/price.js";

const L = "loc-a";
const T = "type-1";
const hhmm = (m: number) =>
  `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;

const rule = fc
  .record({
    id: fc.uuid(),
    locationId: fc.constantFrom(L, "loc-b"),
    appointmentTypeId: fc.constantFrom(null, T, "type-2"),
    kind: fc.constantFrom("off_peak_discount" as const, "high_demand_surcharge" as const),
    weekdays: fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }),
    start: fc.integer({ min: 0, max: 23 * 60 }),
    length: fc.integer({ min: 15, max: 12 * 60 }),
    utilisationThreshold: fc.double({ min: 0, max: 1, noNaN: true }),
    percent: fc.integer({ min: 1, max: 100 }),
    active: fc.boolean(),
  })
  .map(
    ({ start, length, ...r }): PricingRule => ({
      ...r,
      startTime: hhmm(start),
      endTime: hhmm(Math.min(24 * 60, start + length)),
    }),
  );

const input = fc.record({
  baseCents: fc.integer({ min: 0, max: 100_000 }),
  locationId: fc.constant(L),
  appointmentTypeId: fc.constant(T),
  weekday: fc.integer({ min: 1, max: 7 }),
  minuteOfDay: fc.integer({ min: 0, max: 24 * 60 - 1 }),
  utilisation: fc.double({ min: 0, max: 1, noNaN: true }),
  urgentCare: fc.boolean(),
  financialAssistance: fc.boolean(),
  rules: fc.array(rule, { maxLength: 6 }),
  cap: fc.option(
    fc.record({
      maxSurchargeCents: fc.integer({ min: 0, max: 50_000 }),
      maxDiscountCents: fc.integer({ min: 0, max: 50_000 }),
    }),
    { nil: undefined },
  ),
});

/** The reference: walk the rules one by one, in words. */
function reference(i: PriceInput): number {
  if (i.urgentCare || i.financialAssistance || !i.cap) return i.baseCents;
  let delta = 0;
  for (const r of i.rules) {
    const [sh, sm] = r.startTime.split(":").map(Number) as [number, number];
    const [eh, em] = r.endTime.split(":").map(Number) as [number, number];
    const inBand =
      r.active &&
      r.locationId === i.locationId &&
      (r.appointmentTypeId === null || r.appointmentTypeId === i.appointmentTypeId) &&
      r.weekdays.includes(i.weekday) &&
      i.minuteOfDay >= sh * 60 + sm &&
      i.minuteOfDay < eh * 60 + em;
    if (!inBand) continue;
    const fires =
      r.kind === "off_peak_discount"
        ? i.utilisation <= r.utilisationThreshold
        : i.utilisation >= r.utilisationThreshold;
    if (!fires) continue;
    const amount = Math.round((i.baseCents * r.percent) / 100);
    delta += r.kind === "off_peak_discount" ? -amount : amount;
  }
  if (delta > i.cap.maxSurchargeCents) delta = i.cap.maxSurchargeCents;
  if (delta < -i.cap.maxDiscountCents) delta = -i.cap.maxDiscountCents;
  return Math.max(0, i.baseCents + delta);
}

describe("demand-based copays", () => {
  it("a copay never moves further from the base than the patient's plan caps allow, and is never negative", () => {
    fc.assert(
      fc.property(input, (i) => {
        const p = priceOf(i);
        expect(p.priceCents).toBeGreaterThanOrEqual(0);
        expect(p.priceCents - p.baseCents).toBe(p.adjustmentCents);
        if (!i.cap) expect(p.adjustmentCents).toBe(0);
        else {
          expect(p.adjustmentCents).toBeLessThanOrEqual(i.cap.maxSurchargeCents);
          expect(-p.adjustmentCents).toBeLessThanOrEqual(i.cap.maxDiscountCents);
        }
      }),
      { numRuns: 400 },
    );
  });

  it("urgent care and patients flagged for financial assistance always pay the base copay", () => {
    fc.assert(
      fc.property(input, fc.boolean(), (i, urgent) => {
        const p = priceOf({ ...i, urgentCare: urgent, financialAssistance: !urgent });
        expect(p.priceCents).toBe(i.baseCents);
        expect(p.ruleIds).toEqual([]);
        expect(p.reason).toBe(urgent ? "urgent_care" : "financial_assistance");
      }),
      { numRuns: 200 },
    );
  });

  it("agrees with the reference model on every visit", () => {
    fc.assert(
      fc.property(input, (i) => {
        expect(priceOf(i).priceCents).toBe(reference(i));
      }),
      { numRuns: 400 },
    );
  });

  it("a Tuesday 13:00 visit at 30 % utilisation gets the off-peak discount, capped at the plan's $10", () => {
    const base: PriceInput = {
      baseCents: 4000,
      locationId: L,
      appointmentTypeId: T,
      weekday: 2,
      minuteOfDay: 13 * 60,
      utilisation: 0.3,
      urgentCare: false,
      financialAssistance: false,
      rules: [
        {
          id: "r1",
          locationId: L,
          appointmentTypeId: null,
          kind: "off_peak_discount",
          weekdays: [1, 2, 3, 4, 5],
          startTime: "12:00",
          endTime: "16:00",
          utilisationThreshold: 0.5,
          percent: 50,
          active: true,
        },
      ],
      cap: { maxSurchargeCents: 1500, maxDiscountCents: 1000 },
    };
    // 50 % of $40 is $20, the plan allows $10 off
    expect(priceOf(base)).toMatchObject({ priceCents: 3000, adjustmentCents: -1000, reason: "capped" });
    // busier than the threshold: no discount
    expect(priceOf({ ...base, utilisation: 0.6 })).toMatchObject({ priceCents: 4000, reason: "no_rule" });
    // outside the band (16:00 is past its end)
    expect(priceOf({ ...base, minuteOfDay: 16 * 60 })).toMatchObject({ priceCents: 4000, reason: "no_rule" });
    // a generous plan: the full 50 %
    expect(priceOf({ ...base, cap: { maxSurchargeCents: 0, maxDiscountCents: 5000 } }).priceCents).toBe(2000);
  });
});
