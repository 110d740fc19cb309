import { z } from "zod";
import { uuid } from "../../platform/schemas.js";

/** A patient's insurance coverage as the payer knows it. */
export const coverageInput = z
  .object({
    payerCode: z
      .string()
      .regex(/^[A-Za-z0-9]{2,15}$/, "must be the payer's id: 2 to 15 letters or digits")
      .describe("the payer's id at the clearinghouse (NM1*PR…PI)"),
    payerName: z
      .string()
      .trim()
      .min(1, "must not be empty")
      .max(60)
      .regex(/^[^*~:^]+$/, "must not contain * ~ : or ^"),
    memberNumber: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9-]{2,30}$/, "must be 2 to 30 letters, digits or hyphens, as on the insurance card")
      .describe("NM1*IL…MI of the 270"),
    groupNumber: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9-]{1,30}$/, "must be up to 30 letters, digits or hyphens")
      .nullable()
      .default(null),
    planName: z.string().trim().min(1).max(60).nullable().default(null),
  })
  .strict();
export type CoverageInput = z.infer<typeof coverageInput>;

export const coverage = z.object({
  patientId: uuid,
  payerCode: z.string(),
  payerName: z.string(),
  memberNumber: z.string(),
  groupNumber: z.string().nullable(),
  planName: z.string().nullable(),
  updatedAt: z.string(),
});
export type Coverage = z.infer<typeof coverage>;
export const coverageAnswer = z.object({ coverage: coverage.nullable() });

export const checkStatuses = [
  "none",
  "pending",
  "verified_active",
  "inactive",
  "not_found",
  "not_verified",
  "withheld",
] as const;

export const eligibility = z.object({
  appointmentId: uuid,
  status: z
    .enum(checkStatuses)
    .describe(
      "none: no check (no coverage on file when booked); pending: not asked yet; verified_active / inactive / not_found: the payer's 271; not_verified: see reason (retried while nextAttemptAt is set); withheld: the payer is limited to other regions (ROUNDS_PAYER_REGIONS), never asked",
    ),
  reason: z.string().nullable(),
  serviceType: z.string().nullable().describe("the X12 service type code asked (EQ01)"),
  serviceTypeName: z.string().nullable(),
  payerName: z.string().nullable(),
  memberNumber: z.string().nullable(),
  planName: z.string().nullable(),
  copayCents: z.number().int().nullable(),
  deductibleCents: z.number().int().nullable(),
  deductibleRemainingCents: z.number().int().nullable(),
  checkedAt: z.string().nullable(),
  nextAttemptAt: z.string().nullable(),
  attempts: z.number().int(),
});
export type EligibilityDto = z.infer<typeof eligibility>;

export const insurerCopayQuery = z.object({ appointmentTypeId: uuid });
export const insurerCopay = z.object({
  copay: z
    .object({
      copayCents: z.number().int(),
      serviceType: z.string(),
      payerName: z.string().nullable(),
      planName: z.string().nullable(),
      checkedAt: z.string(),
    })
    .nullable()
    .describe("the copay a recent active 271 gave for this appointment type's service type; null: none"),
});
export type InsurerCopay = z.infer<typeof insurerCopay>;
export const appointmentParams = z.object({ id: uuid });
