import { z } from "zod";
import { csv, pageQuery, uuid } from "../../platform/schemas.js";

export const urgencies = ["routine", "soon", "urgent"] as const;
export type Urgency = (typeof urgencies)[number];
export const referralStatuses = ["sent", "accepted", "booked", "declined", "cancelled"] as const;
export type ReferralStatus = (typeof referralStatuses)[number];

const specialtyCode = z
  .string()
  .regex(/^[a-z][a-z0-9_]{1,40}$/, "must be a lower-case specialty code such as cardiology");

/** A reference to a document kept elsewhere: an https URL or a document id, never the document. */
const attachment = z
  .string()
  .trim()
  .min(1)
  .max(500)
  .refine((s) => /^https:\/\/[^\s]+$/.test(s) || /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}$/.test(s), {
    error: "must be an https URL or a document id",
  });

export const referralInput = z
  .object({
    patientId: uuid,
    specialty: specialtyCode,
    toLocationId: uuid.describe("the receiving location, whose staff answer and book the referral"),
    toPhysicianId: uuid.optional().describe("a physician there, when the referrer asks for one"),
    fromLocationId: uuid
      .optional()
      .describe("where the referral comes from (staff: default their first location)"),
    reason: z.string().trim().min(1).max(2000),
    urgency: z.enum(urgencies).default("routine"),
    attachments: z.array(attachment).max(20).default([]),
  })
  .strict();
export type ReferralInput = z.infer<typeof referralInput>;

export const referralAnswer = z.object({ note: z.string().trim().max(1000).optional() }).strict();
export type ReferralAnswer = z.infer<typeof referralAnswer>;

export const referralCancel = z.object({ reason: z.string().trim().min(1).max(1000) }).strict();

export const referralBook = z
  .object({
    optionId: z.string().min(10).max(2000).describe("an option of a search for the referral's patient"),
  })
  .strict();
export type ReferralBook = z.infer<typeof referralBook>;

export const referralQuery = pageQuery
  .extend({
    direction: z
      .enum(["incoming", "sent"])
      .optional()
      .describe("incoming: sent to your locations (or to you); sent: the ones you made"),
    status: csv(z.enum(referralStatuses)).optional(),
    patientId: uuid.optional(),
    toLocationId: uuid.optional(),
  })
  .strict();
export type ReferralQuery = z.infer<typeof referralQuery>;

export const referral = z.object({
  id: uuid,
  patientId: uuid,
  patientName: z.string(),
  referredBy: uuid,
  fromPhysicianId: uuid.nullable(),
  fromLocationId: uuid.nullable(),
  toLocationId: uuid,
  specialty: z.string(),
  toPhysicianId: uuid.nullable(),
  reason: z.string(),
  urgency: z.enum(urgencies),
  attachments: z.array(z.string()),
  status: z.enum(referralStatuses),
  statusNote: z.string().nullable(),
  appointmentId: uuid.nullable(),
  /** Where the patient books it in the web app (the link their message carries). */
  bookingPath: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Referral = z.infer<typeof referral>;
