import { z } from "zod";
import { pageQuery, uuid } from "../../platform/schemas.js";

export const roomKinds = ["exam", "procedure", "imaging", "consult", "lab", "telehealth", "therapy"] as const;
export const visitKinds = ["new", "follow_up", "procedure"] as const;

const booleanQuery = z
  .enum(["true", "false"])
  .transform((v) => v === "true")
  .optional();

const specialtyCode = z
  .string()
  .regex(/^[a-z][a-z0-9_]{1,40}$/, "must be a lower-case specialty code such as cardiology");

// No defaults here: a PATCH must leave absent fields alone (zod 4 applies defaults inside partial()).
const appointmentTypeFields = {
  code: z
    .string()
    .regex(/^[A-Z0-9][A-Z0-9_-]{1,31}$/, "must be 2-32 upper-case letters, digits, dashes or underscores"),
  name: z.string().trim().min(2).max(200),
  specialty: specialtyCode,
  durationMinutes: z.number().int().min(5).max(480),
  slotIntervalMinutes: z.number().int().min(5).max(240),
  roomKind: z.enum(roomKinds).nullable().describe("null: needs no particular room"),
  equipmentKinds: z
    .array(z.string().regex(/^[a-z][a-z0-9_]{1,40}$/, "must be a lower-case kind such as mri or ecg"))
    .max(20),
  telehealthAllowed: z.boolean(),
  visitKind: z.enum(visitKinds),
  basePriceCents: z.number().int().min(0).max(100_000_000),
  billingCode: z
    .string()
    .regex(/^([0-9]{4}[0-9FTU]|[A-Z][0-9]{4})$/, "must be a 5-character CPT or HCPCS code such as 99213")
    .nullable(),
  active: z.boolean(),
  reminderHours: z
    .array(z.number().int().min(1).max(720))
    .min(1)
    .max(5)
    .nullable()
    .describe("hours before the start when patients are reminded; null: the network default"),
};

export const appointmentTypeInput = z
  .object({
    ...appointmentTypeFields,
    slotIntervalMinutes: appointmentTypeFields.slotIntervalMinutes.default(15),
    roomKind: appointmentTypeFields.roomKind.default(null),
    equipmentKinds: appointmentTypeFields.equipmentKinds.default([]),
    telehealthAllowed: appointmentTypeFields.telehealthAllowed.default(false),
    basePriceCents: appointmentTypeFields.basePriceCents.default(0),
    billingCode: appointmentTypeFields.billingCode.default(null),
    active: appointmentTypeFields.active.default(true),
    reminderHours: appointmentTypeFields.reminderHours.default(null),
  })
  .strict();
export type AppointmentTypeInput = z.infer<typeof appointmentTypeInput>;

export const appointmentTypePatch = z.object(appointmentTypeFields).partial().strict();
export type AppointmentTypePatch = z.infer<typeof appointmentTypePatch>;

export const appointmentType = z.object({
  id: uuid,
  ...appointmentTypeFields,
  createdAt: z.string(),
});
export type AppointmentType = z.infer<typeof appointmentType>;

export const appointmentTypeQuery = pageQuery.extend({
  specialty: specialtyCode.optional(),
  visitKind: z.enum(visitKinds).optional(),
  telehealth: booleanQuery.describe("only types that may (true) or may not (false) be held by video"),
  active: booleanQuery,
});
export type AppointmentTypeQuery = z.infer<typeof appointmentTypeQuery>;
