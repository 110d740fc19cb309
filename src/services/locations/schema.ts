import { z } from "zod";
import {
  instant,
  latitude,
  localTime,
  longitude,
  pageQuery,
  patchOf,
  timeZone,
  uuid,
  wholeNumber,
} from "../../platform/schemas.js";

export const locationKinds = [
  "main_campus",
  "satellite",
  "outpatient_clinic",
  "specialty_center",
  "virtual",
] as const;
export const roomKinds = ["exam", "procedure", "imaging", "consult", "lab", "telehealth", "therapy"] as const;

/** Parking as a location describes it; bounded well inside what the integer columns hold. */
const parkingSpaces = wholeNumber(0, 100_000);
const parkingCentsPerHour = wholeNumber(0, 1_000_000);

export const openingHours = z
  .array(
    z
      .object({
        weekday: z.number().int().min(1).max(7).describe("ISO weekday, Monday = 1"),
        opens: localTime,
        closes: localTime,
      })
      .refine((h) => h.closes > h.opens, { error: "closes must be after opens", path: ["closes"] }),
  )
  .max(21);

const locationFields = {
  code: z.string().regex(/^[A-Z0-9][A-Z0-9-]{1,15}$/, "must be 2-16 upper-case letters, digits or dashes"),
  name: z.string().trim().min(2).max(200),
  kind: z.enum(locationKinds),
  addressLine: z.string().max(300).nullable().default(null),
  city: z.string().max(120).nullable().default(null),
  region: z.string().max(120).nullable().default(null),
  postalCode: z.string().max(20).nullable().default(null),
  country: z.string().length(2).default("US"),
  latitude: latitude.nullable().default(null),
  longitude: longitude.nullable().default(null),
  timeZone,
  phone: z.string().max(40).nullable().default(null),
  openingHours: openingHours.default([]),
  parking: z
    .object({
      spaces: parkingSpaces.default(0),
      accessibleSpaces: parkingSpaces.default(0),
      costCentsPerHour: parkingCentsPerHour.default(0),
      notes: z.string().max(500).nullable().default(null),
    })
    .refine((p) => p.accessibleSpaces <= p.spaces, {
      error: "cannot exceed spaces",
      path: ["accessibleSpaces"],
    })
    .default({ spaces: 0, accessibleSpaces: 0, costCentsPerHour: 0, notes: null }),
  accessibilityFeatures: z.array(z.string().min(1).max(80)).max(50).default([]),
  amenities: z.array(z.string().min(1).max(80)).max(50).default([]),
  publicTransport: z.string().max(1000).nullable().default(null),
  services: z.array(z.string().min(1).max(80)).max(100).default([]),
  dataResidency: z
    .string()
    .regex(/^[a-z]{2}(-[a-z0-9]+)?$/, "must be a region tag such as us or us-east")
    .default("us"),
  active: z.boolean().default(true),
};

function physicalNeedsCoordinates(l: { kind?: string; latitude?: number | null; longitude?: number | null }) {
  return l.kind === "virtual" || (l.latitude != null && l.longitude != null);
}

export const locationInput = z.object(locationFields).refine(physicalNeedsCoordinates, {
  error: "a physical location needs latitude and longitude",
  path: ["latitude"],
});
export type LocationInput = z.infer<typeof locationInput>;

export const locationPatch = patchOf({
  ...locationFields,
  parking: z
    .object({
      spaces: parkingSpaces,
      accessibleSpaces: parkingSpaces,
      costCentsPerHour: parkingCentsPerHour,
      notes: z.string().max(500).nullable(),
    })
    .partial()
    .strict(),
});
export type LocationPatch = z.infer<typeof locationPatch>;

export const location = z.object({
  id: uuid,
  ...locationFields,
  latitude: z.number().nullable(),
  longitude: z.number().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Location = z.infer<typeof location>;

export const locationQuery = pageQuery.extend({
  kind: z.enum(locationKinds).optional(),
  specialty: z.string().max(41).optional().describe("only locations with a department of this specialty"),
  q: z.string().max(100).optional().describe("name or city contains"),
  active: z
    .enum(["true", "false"])
    .transform((v) => v === "true")
    .optional(),
});
export type LocationQuery = z.infer<typeof locationQuery>;

export const departmentInput = z.object({
  specialty: z.string().min(2).max(41),
  name: z.string().trim().min(2).max(200),
  phone: z.string().max(40).nullable().default(null),
});
export type DepartmentInput = z.infer<typeof departmentInput>;
export const department = departmentInput.extend({ id: uuid, locationId: uuid });
export type Department = z.infer<typeof department>;

export const roomInput = z.object({
  code: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9.-]{0,19}$/, "must be up to 20 letters, digits, dots or dashes"),
  name: z.string().trim().min(1).max(200),
  kind: z.enum(roomKinds),
  departmentId: uuid.nullable().default(null),
  floor: z.number().int().min(-10).max(200).default(0),
  stepFree: z.boolean().default(true),
  capacity: z.number().int().min(1).max(100).default(1),
  active: z.boolean().default(true),
});
export type RoomInput = z.infer<typeof roomInput>;
export const roomPatch = patchOf(roomInput.shape);
export type RoomPatch = z.infer<typeof roomPatch>;
/**
 * A period out of service: from `from` until `until` (none: until put back by hand, and the room or
 * item is then inactive too). Shown while it lasts or is still to come; null otherwise.
 */
export const outOfServicePeriod = z
  .object({
    from: z.string(),
    until: z.string().nullable().describe("back in service by itself at this instant; null: until put back"),
    reason: z.string().nullable(),
  })
  .nullable();
export type OutOfServicePeriod = z.infer<typeof outOfServicePeriod>;
export const room = roomInput.extend({ id: uuid, locationId: uuid, outOfService: outOfServicePeriod });
export type Room = z.infer<typeof room>;
export const roomQuery = pageQuery.extend({
  kind: z.enum(roomKinds).optional(),
  stepFree: z
    .enum(["true", "false"])
    .transform((v) => v === "true")
    .optional(),
});
export type RoomQuery = z.infer<typeof roomQuery>;

const equipmentFields = {
  kind: z.string().regex(/^[a-z][a-z0-9_]{1,40}$/, "must be a lower-case kind such as mri or ecg"),
  name: z.string().trim().min(1).max(200),
  assetTag: z.string().trim().min(1).max(60),
  roomId: uuid.nullable().default(null),
  mobile: z.boolean().default(false),
  travels: z
    .boolean()
    .default(false)
    .describe("a mobile item that may be booked at other locations, brought from its home location"),
  active: z.boolean().default(true),
};
export const equipmentInput = z
  .object(equipmentFields)
  .refine((e) => e.mobile || e.roomId !== null, { error: "fixed equipment needs a room", path: ["roomId"] })
  .refine((e) => e.mobile || !e.travels, { error: "only mobile equipment can travel", path: ["travels"] });
export type EquipmentInput = z.infer<typeof equipmentInput>;
/**
 * What may change after creation: its name and asset tag at any time; where it stands (home
 * location, room, mobile, travels) only while it has no bookings still to serve. The kind stays
 * (bookings were made for it). Out of service goes through its own route, which moves bookings.
 */
export const equipmentPatch = patchOf({
  name: equipmentFields.name,
  assetTag: equipmentFields.assetTag,
  roomId: equipmentFields.roomId,
  mobile: equipmentFields.mobile,
  travels: equipmentFields.travels,
  locationId: uuid.describe("its home location (administrators, or staff of both locations)"),
});
export type EquipmentPatch = z.infer<typeof equipmentPatch>;
export const equipmentItem = z.object({
  id: uuid,
  locationId: uuid,
  kind: z.string(),
  name: z.string(),
  assetTag: z.string(),
  roomId: uuid.nullable(),
  mobile: z.boolean(),
  travels: z.boolean().describe("booked at other locations too, brought from its home (locationId)"),
  active: z.boolean(),
  outOfService: outOfServicePeriod,
});
export type EquipmentItem = z.infer<typeof equipmentItem>;
export const equipmentQuery = pageQuery.extend({ kind: z.string().max(41).optional() });

/** Out of service from `from` (default now) until `until` (none: until put back by hand). */
export const outOfServiceWindow = z
  .object({
    reason: z.string().max(1000).nullable().default(null),
    from: instant.optional().describe("default: now"),
    until: instant.nullable().default(null).describe("back in service by itself then; null: until put back"),
  })
  .strict();
export type OutOfServiceWindow = z.infer<typeof outOfServiceWindow>;

export const travelTimeInput = z.object({
  fromLocationId: uuid,
  toLocationId: uuid,
  minutes: z.number().int().min(0).max(1440),
  symmetric: z.boolean().default(true).describe("also set the reverse direction"),
});
export type TravelTimeInput = z.infer<typeof travelTimeInput>;
export const travelTime = z.object({
  fromLocationId: uuid,
  toLocationId: uuid,
  minutes: z.number().int(),
  estimated: z.boolean().describe("true when computed from coordinates because no time is configured"),
});
export type TravelTime = z.infer<typeof travelTime>;
export const travelMatrix = z.object({
  locationIds: z.array(uuid),
  entries: z.array(travelTime),
});
