import { z } from "zod";
import { localTime, pageQuery, uuid, wholeNumber } from "../../../platform/schemas.js";

export const ruleKinds = ["off_peak_discount", "high_demand_surcharge"] as const;
const weekdays = z
  .array(z.number().int().min(1).max(7))
  .min(1)
  .max(7)
  .refine((w) => new Set(w).size === w.length, { error: "each weekday once" })
  .describe("ISO weekdays: 1 = Monday … 7 = Sunday");

export const ruleInput = z
  .object({
    locationId: uuid,
    appointmentTypeId: uuid.nullable().default(null).describe("null: every type at the location"),
    kind: z.enum(ruleKinds),
    weekdays,
    startTime: localTime.describe("local time the band starts"),
    endTime: localTime.or(z.literal("24:00")).describe("local time the band ends (exclusive)"),
    utilisationThreshold: z
      .number()
      .min(0)
      .max(1)
      .multipleOf(0.001)
      .describe("a discount applies at or below this forecast utilisation, a surcharge at or above it"),
    percent: wholeNumber(1, 100).describe("of the appointment type's base copay"),
  })
  .strict()
  .refine((r) => r.endTime > r.startTime, { error: "must be after startTime", path: ["endTime"] });
export type RuleInput = z.infer<typeof ruleInput>;

export const rulePatch = z.object({ active: z.boolean() }).strict();

export const pricingRule = z.object({
  id: uuid,
  locationId: uuid,
  appointmentTypeId: uuid.nullable(),
  kind: z.enum(ruleKinds),
  weekdays: z.array(z.number().int()),
  startTime: z.string(),
  endTime: z.string(),
  utilisationThreshold: z.number(),
  percent: z.number().int(),
  active: z.boolean(),
  createdAt: z.string(),
});
export type PricingRuleDto = z.infer<typeof pricingRule>;

export const ruleQuery = pageQuery.extend({ locationId: uuid.optional() }).strict();
export type RuleQuery = z.infer<typeof ruleQuery>;

export const planParams = z.object({
  plan: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .describe("an insurance payer as patients' records name it, `self_pay`, or `default`"),
});
export const capInput = z
  .object({
    maxSurchargeCents: wholeNumber(0, 100_000_000),
    maxDiscountCents: wholeNumber(0, 100_000_000),
  })
  .strict();
export const priceCap = capInput.extend({ plan: z.string() });
export type PriceCapDto = z.infer<typeof priceCap>;

export const patientParams = z.object({ patientId: uuid });
export const assistanceInput = z.object({ flagged: z.boolean() }).strict();
export const assistance = z.object({ patientId: uuid, flagged: z.boolean() });

export const quoteQuery = z
  .object({
    optionId: z.string().min(1).max(4096).describe("an option id a search handed out"),
    patientId: uuid.describe("whom the visit is for"),
  })
  .strict();
export type QuoteQuery = z.infer<typeof quoteQuery>;

const reasons = ["urgent_care", "financial_assistance", "no_rule", "no_cap", "adjusted", "capped"] as const;
export const quote = z.object({
  baseCents: z.number().int(),
  priceCents: z.number().int().describe("what the patient pays, computed by the server"),
  adjustmentCents: z.number().int(),
  ruleIds: z.array(uuid),
  reason: z.enum(reasons),
  plan: z.string(),
  utilisation: z.number().describe("forecast share of the physician's planned time that day already booked"),
});
export type Quote = z.infer<typeof quote>;

export const appointmentPrice = quote.extend({ appointmentId: uuid, recordedAt: z.string() });
export type AppointmentPrice = z.infer<typeof appointmentPrice>;
export const appointmentParams = z.object({ appointmentId: uuid });
