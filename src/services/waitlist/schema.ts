import { z } from "zod";
import { csv, instant, pageQuery, uuid } from "../../platform/schemas.js";

export const urgencies = ["routine", "soon", "urgent"] as const;
export type Urgency = (typeof urgencies)[number];
export const timesOfDay = ["morning", "afternoon", "evening"] as const;
export type TimeOfDay = (typeof timesOfDay)[number];
export const entryStatuses = ["waiting", "offered", "booked", "withdrawn", "expired"] as const;
export const offerStatuses = ["offered", "accepted", "declined", "expired"] as const;

export const entryInput = z
  .object({
    patientId: uuid,
    appointmentTypeId: uuid,
    specialty: z.string().min(2).max(41).optional(),
    physicianId: uuid.optional().describe("a named physician; otherwise any physician of the specialty"),
    locationIds: z.array(uuid).max(50).default([]).describe("acceptable locations; empty: any"),
    maxDistanceKm: z.number().int().min(1).max(2000).optional().describe("any location within this distance"),
    telehealthOk: z.boolean().default(false),
    from: instant,
    to: instant,
    timesOfDay: z.array(z.enum(timesOfDay)).max(3).default([]).describe("local time; empty: any time"),
    urgency: z.enum(urgencies).optional().describe("staff only; patients join as routine"),
    note: z.string().max(1000).optional(),
  })
  .strict()
  .refine((e) => e.specialty !== undefined || e.physicianId !== undefined, {
    error: "name a specialty or a physician",
    path: ["specialty"],
  })
  .refine((e) => Date.parse(e.to) > Date.parse(e.from), { error: "must be after from", path: ["to"] });
export type EntryInput = z.infer<typeof entryInput>;

export const entryPatch = z.object({ urgency: z.enum(urgencies) }).strict();

export const entry = z.object({
  id: uuid,
  patientId: uuid,
  appointmentTypeId: uuid,
  specialty: z.string().nullable(),
  physicianId: uuid.nullable(),
  locationIds: z.array(uuid),
  maxDistanceKm: z.number().nullable(),
  telehealthOk: z.boolean(),
  from: z.string(),
  to: z.string(),
  timesOfDay: z.array(z.enum(timesOfDay)),
  urgency: z.enum(urgencies),
  status: z.enum(entryStatuses),
  note: z.string().nullable(),
  createdAt: z.string(),
});
export type Entry = z.infer<typeof entry>;

export const entryQuery = pageQuery.extend({
  locationId: uuid.optional().describe("staff: the waitlist of one of your locations"),
  status: csv(z.enum(entryStatuses)).optional(),
});
export type EntryQuery = z.infer<typeof entryQuery>;

export const offer = z.object({
  id: uuid,
  entryId: uuid,
  patientId: uuid,
  appointmentId: uuid.describe("the hold kept for the patient until the offer expires"),
  locationId: uuid,
  physicianId: uuid,
  appointmentTypeId: uuid,
  telehealth: z.boolean(),
  start: z.string(),
  end: z.string(),
  expiresAt: z.string(),
  status: z.enum(offerStatuses),
  respondedAt: z.string().nullable(),
  createdAt: z.string(),
});
export type Offer = z.infer<typeof offer>;

export const offerQuery = pageQuery.extend({
  locationId: uuid.optional().describe("staff: the offers made at one of your locations"),
  status: csv(z.enum(offerStatuses)).optional(),
});
export type OfferQuery = z.infer<typeof offerQuery>;

/**
 * What an offer link shows whoever holds it: the slot (time, place, physician, type) and where
 * the offer stands; no patient, entry or appointment id. An open offer past its time reads expired.
 */
export const offerLink = z.object({
  status: z.enum(offerStatuses),
  start: z.string(),
  end: z.string(),
  expiresAt: z.string(),
  respondedAt: z.string().nullable(),
  appointmentType: z.string(),
  physicianName: z.string(),
  telehealth: z.boolean(),
  location: z.object({
    name: z.string(),
    address: z.string().nullable(),
    timeZone: z.string().describe("the slot's times are shown in this zone"),
  }),
});
export type OfferLink = z.infer<typeof offerLink>;

export const tokenParams = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{43}$/, "not an offer link") });

export const statsQuery = z
  .object({ locationId: uuid.optional(), from: instant.optional(), to: instant.optional() })
  .strict();
export const stats = z.object({
  offersSent: z.number().int(),
  accepted: z.number().int(),
  declined: z.number().int(),
  expired: z.number().int(),
  open: z.number().int(),
  medianMinutesToFill: z.number().nullable().describe("from the slot freeing to the accepting booking"),
});
export type Stats = z.infer<typeof stats>;
