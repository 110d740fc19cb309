/** Request and response schemas of the reports and the fee schedule. */
import { z } from "zod";
import { isoDate, regionTag, uuid } from "../../../platform/schemas.js";

/** The longest range one report covers. */
export const REPORT_MAX_DAYS = 366;

export const reportKinds = ["utilisation", "revenue", "efficiency", "flow"] as const;
export type ReportKind = (typeof reportKinds)[number];

export const reportQuery = z
  .object({
    from: isoDate.describe("first day (each location's local date)"),
    to: isoDate.describe("last day, inclusive"),
    by: z
      .enum(["location", "physician", "specialty"])
      .default("location")
      .describe("rows per location, or per location and physician, or per location and specialty"),
    locationId: uuid.optional().describe("one location only (staff: one of theirs)"),
    region: regionTag
      .optional()
      .describe("the locations of one data residency region only (the CSV export too)"),
    physicianId: uuid.optional().describe("one physician only"),
    specialty: z
      .string()
      .regex(/^[a-z0-9_-]{1,40}$/, "must be a specialty code")
      .optional()
      .describe("one specialty only"),
    format: z.enum(["json", "csv"]).default("json").describe("csv: the rows as a CSV download"),
  })
  .strict()
  .refine((q) => q.to >= q.from, { error: "must not be before from", path: ["to"] })
  .refine((q) => Date.parse(q.to) - Date.parse(q.from) < REPORT_MAX_DAYS * 86_400_000, {
    error: `at most ${REPORT_MAX_DAYS} days`,
    path: ["to"],
  });
export type ReportQuery = z.infer<typeof reportQuery>;

const group = {
  locationId: uuid,
  locationName: z.string(),
  physicianId: uuid.nullable(),
  physicianName: z.string().nullable(),
  specialty: z.string().nullable(),
};

export const utilisationRow = z.object({
  ...group,
  appointments: z
    .number()
    .int()
    .describe("appointments that kept their time or were cancelled (not rescheduled ones)"),
  bookedMinutes: z.number().int().describe("minutes of open, completed and missed appointments"),
  completedMinutes: z.number().int(),
  noShowMinutes: z
    .number()
    .int()
    .describe("booked minutes lost to no-shows: gaps that could have been filled"),
  cancelledMinutes: z.number().int().describe("minutes freed by cancellations, late ones included"),
  plannedMinutes: z
    .number()
    .int()
    .describe("minutes of the physicians' blocks as their templates and assignments plan them"),
  blockedMinutes: z.number().int().describe("planned minutes blocked by approved time off"),
  travelMinutes: z
    .number()
    .int()
    .describe("minutes travelling into the location's blocks from another location"),
  availableMinutes: z
    .number()
    .int()
    .describe("minutes of blocks neither booked, blocked nor spent travelling (free to book)"),
  fillableGapMinutes: z
    .number()
    .int()
    .describe("free minutes in stretches at least as long as the shortest appointment the block offers"),
  fillableGaps: z.number().int().describe("how many such free stretches"),
  utilisationRate: z
    .number()
    .nullable()
    .describe("booked minutes per booked and available minute (null without planned time)"),
});
export const revenueRow = z.object({
  ...group,
  appointments: z.number().int(),
  completed: z.number().int(),
  noShows: z.number().int(),
  cancelled: z.number().int().describe("cancelled, late cancellations included"),
  bookedCents: z.number().int().describe("fees of every appointment booked (fee schedule of its location)"),
  realisedCents: z.number().int().describe("fees of completed appointments"),
  noShowCents: z.number().int(),
  cancelledCents: z.number().int(),
  unpriced: z.number().int().describe("appointments whose type has no fee at their location"),
  bookedPatientCents: z
    .number()
    .int()
    .describe("the patient's share of the booked fees: the copays recorded for those appointments"),
  bookedPayerCents: z
    .number()
    .int()
    .describe(
      "the payer's share of the booked fees: fee minus copay, for appointments with a recorded copay",
    ),
  realisedPatientCents: z.number().int().describe("copays of completed appointments"),
  realisedPayerCents: z.number().int().describe("fee minus copay of completed appointments"),
  withoutCopay: z
    .number()
    .int()
    .describe("booked appointments with no recorded copay: their fees are in neither share"),
});
export const efficiencyRow = z.object({
  ...group,
  appointments: z.number().int(),
  leadDays: z.number().nullable().describe("mean days from booking to the appointment"),
  checkInToStartMinutes: z
    .number()
    .nullable()
    .describe("mean minutes from check-in to the start of the visit"),
  noShowRate: z.number().nullable().describe("no-shows per completed or missed appointment"),
  lateCancellationRate: z.number().nullable().describe("cancellations within 24 hours per appointment"),
  cancellationRate: z.number().nullable().describe("all cancellations per appointment"),
  thirdNextAvailableDays: z
    .number()
    .nullable()
    .describe(
      "mean calendar days from each day of the range to the third free slot of a new-patient type " +
        "(per location: over its specialties; null: not computed for the range, per physician, or no third slot within 31 days)",
    ),
  waitlistFilled: z
    .number()
    .int()
    .nullable()
    .describe("waitlist offers made in the range (UTC days) and accepted (null: not a per-location report)"),
  waitlistFillHours: z
    .number()
    .nullable()
    .describe("median hours from the slot freeing to the accepted offer (null: none accepted)"),
});
/** The kinds of patient flow the read model knows. */
export const flowKinds = ["reschedule", "referral", "follow_up", "home_area"] as const;
export const flowLink = z.object({
  kind: z
    .enum(flowKinds)
    .describe(
      "reschedule: a visit moved here from another location; referral: a patient referred here from another location; follow_up: a follow-up visit here after the patient's previous visit of the specialty at another location; home_area: the patient's home area",
    ),
  sourceKind: z
    .enum(["location", "area", "referral", "follow_up"])
    .describe(
      "location: rescheduled from there; referral: referred from there; follow_up: followed up from there; area: the patient's home area",
    ),
  source: z.string(),
  sourceName: z.string(),
  locationId: uuid,
  locationName: z.string(),
  visits: z.number().int(),
});

const range = { from: z.string(), to: z.string(), by: z.string() };
export const utilisationReport = z.object({ ...range, rows: z.array(utilisationRow) });
export const revenueReport = z.object({ ...range, rows: z.array(revenueRow) });
export const efficiencyReport = z.object({ ...range, rows: z.array(efficiencyRow) });
export const flowReport = z.object({ ...range, rows: z.array(flowLink) });
export type UtilisationRow = z.infer<typeof utilisationRow>;
export type RevenueRow = z.infer<typeof revenueRow>;
export type EfficiencyRow = z.infer<typeof efficiencyRow>;
export type FlowLink = z.infer<typeof flowLink>;

export const feeQuery = z.object({ locationId: uuid.optional() }).strict();
export const feeParams = z.object({ locationId: uuid, appointmentTypeId: uuid });
export const feeBody = z
  .object({
    feeCents: z.number().int().min(0).max(10_000_000).describe("the fee in cents"),
    billingCode: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9.-]{1,20}$/, "must be 1–20 letters, digits, dots or hyphens"),
  })
  .strict();
export const fee = z.object({
  locationId: uuid,
  appointmentTypeId: uuid,
  feeCents: z.number().int(),
  billingCode: z.string(),
});
export const feeSchedule = z.object({ items: z.array(fee) });
export type Fee = z.infer<typeof fee>;
