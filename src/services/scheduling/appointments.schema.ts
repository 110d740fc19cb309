import { z } from "zod";
import { csv, instant, isoDate, pageQuery, uuid } from "../../platform/schemas.js";

export const appointmentStatuses = [
  "held",
  "booked",
  "checked_in",
  "in_progress",
  "completed",
  "cancelled",
  "no_show",
  "expired",
] as const;

const localLabel = z.object({ date: z.string(), time: z.string(), offset: z.string() });

export const availabilityQuery = z
  .object({
    appointmentTypeId: uuid,
    specialty: z.string().max(41).optional(),
    physicianId: uuid.optional(),
    from: instant.optional().describe("default: now"),
    to: instant.optional().describe("default: from + 14 days; at most 62 days after from"),
    locationIds: csv(uuid).optional(),
    patientId: uuid.optional(),
    telehealth: z
      .enum(["true", "false"])
      .transform((v) => v === "true")
      .default(false),
    stepFree: z
      .enum(["true", "false"])
      .transform((v) => v === "true")
      .optional(),
    language: z.string().min(2).max(20).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(20),
    overrideReason: z
      .string()
      .min(5)
      .max(500)
      .optional()
      .describe("staff only: offer other physicians for a follow-up"),
  })
  .strict();
export type AvailabilityQuery = z.infer<typeof availabilityQuery>;

/** An item of equipment an option or appointment uses; one that travels says where it is brought from. */
export const equipmentInUse = z.object({
  id: uuid,
  name: z.string(),
  kind: z.string(),
  broughtFrom: z
    .object({ locationId: uuid, locationName: z.string() })
    .nullable()
    .describe("equipment that travels, brought from its home location; null when it is the location's own"),
});
export type EquipmentInUse = z.infer<typeof equipmentInUse>;

export const slotOption = z.object({
  id: z.string().describe("opaque; post it back to hold or book this option"),
  physicianId: uuid,
  physicianName: z.string(),
  locationId: uuid,
  locationName: z.string(),
  locationKind: z.string(),
  roomId: uuid.nullable(),
  equipmentIds: z.array(uuid),
  equipment: z.array(equipmentInUse),
  appointmentTypeId: uuid,
  start: z.string(),
  end: z.string(),
  local: localLabel.extend({ timeZone: z.string() }),
  telehealth: z.boolean(),
  distanceKm: z.number().nullable(),
  score: z.number(),
  reasons: z.array(z.string()),
  extraSeat: z
    .object({
      expectedNoShows: z.number().describe("the session's expected no-shows (sum of its no-show risks)"),
      threshold: z.number().describe("the location's overbooking threshold they exceed"),
      explanation: z.string(),
    })
    .optional()
    .describe(
      "present on an extra seat: a second patient in a booked slot, under the location's overbooking rule",
    ),
});
export type SlotOptionDto = z.infer<typeof slotOption>;

export const availabilityResult = z.object({
  options: z.array(slotOption),
  searched: z.object({
    physicians: z.number().int(),
    from: z.string(),
    to: z.string(),
    followUpRestrictedTo: z.array(uuid).nullable(),
  }),
});

export const holdInput = z.object({ optionId: z.string().min(10).max(2000), patientId: uuid });

export const bookInput = z
  .object({
    optionId: z.string().min(10).max(2000).optional(),
    holdId: uuid.optional(),
    patientId: uuid,
    reason: z.string().max(1000).optional(),
    overrideReason: z.string().min(5).max(500).optional(),
  })
  .refine((b) => (b.optionId === undefined) !== (b.holdId === undefined), {
    error: "give exactly one of optionId or holdId",
    path: ["optionId"],
  });
export type BookInput = z.infer<typeof bookInput>;

export const appointment = z.object({
  id: uuid,
  patientId: uuid,
  physicianId: uuid,
  locationId: uuid,
  roomId: uuid.nullable(),
  equipmentIds: z.array(uuid),
  equipment: z.array(equipmentInUse),
  appointmentTypeId: uuid,
  start: z.string(),
  end: z.string(),
  local: localLabel.extend({ timeZone: z.string() }),
  status: z.enum(appointmentStatuses),
  holdExpiresAt: z.string().nullable(),
  telehealth: z.boolean(),
  joinUrl: z
    .string()
    .nullable()
    .describe("a booked video visit's join link (kept when it is moved, gone when it is cancelled)"),
  reason: z.string().nullable(),
  cancelReason: z.string().nullable(),
  rescheduledFrom: uuid.nullable(),
  extraSeat: z.boolean().describe("a second patient in a booked slot, under the location's overbooking rule"),
  notes: z.string().nullable().describe("the care team's notes on the visit (never shown to patients)"),
  version: z
    .number()
    .int()
    .describe("moves on with every change; send it back as If-Match to change only what you saw"),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Appointment = z.infer<typeof appointment>;

export const appointmentQuery = pageQuery.extend({
  locationId: uuid.optional(),
  physicianId: uuid.optional(),
  patientId: uuid.optional(),
  status: csv(z.enum(appointmentStatuses)).optional(),
  from: instant.optional(),
  to: instant.optional(),
  date: isoDate.optional().describe("a local day at the location (with locationId) or UTC day"),
});
export type AppointmentQuery = z.infer<typeof appointmentQuery>;

export const cancelInput = z.object({ reason: z.string().trim().min(2).max(1000) });
export const rescheduleInput = z.object({
  optionId: z.string().min(10).max(2000),
  reason: z.string().max(1000).optional(),
});
export const notesInput = z.object({ notes: z.string().trim().max(4000) });
/** Headers of the changes an offline queue replays: a key per change and the version it saw. */
export const changeHeaders = z.looseObject({
  "idempotency-key": z.string().min(8).max(200).optional(),
  "if-match": z.string().max(40).optional(),
});
export const transitionInput = z.object({
  status: z.enum(["checked_in", "in_progress", "completed", "no_show"]),
});

export const conflictReasons = [
  "physician",
  "room",
  "equipment",
  "patient",
  "travel",
  "unavailable",
  "hold_expired",
] as const;
export type ConflictReason = (typeof conflictReasons)[number];
