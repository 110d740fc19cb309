import { z } from "zod";
import { instant, isoDate, localTime, pageQuery, timeZone, uuid } from "../../platform/schemas.js";

const booleanQuery = z
  .enum(["true", "false"])
  .transform((v) => v === "true")
  .optional();

export const specialtyCode = z
  .string()
  .regex(/^[a-z][a-z0-9_]{1,40}$/, "must be a lower-case code such as cardiology");

export const specialtyInput = z.object({
  code: specialtyCode,
  name: z.string().trim().min(2).max(120),
});
export type SpecialtyInput = z.infer<typeof specialtyInput>;
export const specialty = specialtyInput;
export type Specialty = z.infer<typeof specialty>;
export const specialtyQuery = pageQuery.extend({
  q: z.string().max(100).optional().describe("name or code contains"),
});
export type SpecialtyQuery = z.infer<typeof specialtyQuery>;

const language = z
  .string()
  .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, "must be a language tag such as en, es or zh-Hant");

// No defaults here: a PATCH must leave absent fields alone (zod 4 applies defaults inside partial()).
const physicianFields = {
  npi: z.string().regex(/^\d{10}$/, "must be the 10-digit National Provider Identifier"),
  givenName: z.string().trim().min(1).max(100),
  familyName: z.string().trim().min(1).max(100),
  title: z.string().trim().min(1).max(20),
  primarySpecialty: specialtyCode,
  specialties: z.array(specialtyCode).max(20).describe("always includes primarySpecialty"),
  homeDepartmentId: uuid.nullable(),
  languages: z.array(language).min(1).max(20),
  acceptsNewPatients: z.boolean(),
  offersTelehealth: z.boolean(),
  active: z.boolean(),
};

export const physicianInput = z.object({
  ...physicianFields,
  title: physicianFields.title.default("MD"),
  specialties: physicianFields.specialties.default([]),
  homeDepartmentId: physicianFields.homeDepartmentId.default(null),
  languages: physicianFields.languages.default(["en"]),
  acceptsNewPatients: physicianFields.acceptsNewPatients.default(true),
  offersTelehealth: physicianFields.offersTelehealth.default(false),
  active: physicianFields.active.default(true),
});
export type PhysicianInput = z.infer<typeof physicianInput>;

export const physicianPatch = z.object(physicianFields).partial().strict();
export type PhysicianPatch = z.infer<typeof physicianPatch>;

export const physician = z.object({
  id: uuid,
  ...physicianFields,
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Physician = z.infer<typeof physician>;

export const physicianQuery = pageQuery.extend({
  specialty: specialtyCode.optional().describe("any of the physician's specialties"),
  locationId: uuid.optional().describe("has a template or assignment there that runs today or later"),
  language: language.optional(),
  acceptsNewPatients: booleanQuery,
  telehealth: booleanQuery,
  active: booleanQuery,
  q: z.string().max(100).optional().describe("name contains"),
});
export type PhysicianQuery = z.infer<typeof physicianQuery>;

export const physicianParams = z.object({ id: uuid });
export const templateParams = z.object({ id: uuid, templateId: uuid });
export const overrideParams = z.object({ id: uuid, overrideId: uuid });
export const timeOffParams = z.object({ id: uuid, timeOffId: uuid });

const appointmentTypeIds = z
  .array(uuid)
  .max(100)
  .describe("appointment types bookable in this block; empty means all of the physician's");

const onSite = z
  .boolean()
  .describe(
    "the physician stays at this location for the whole block: other locations' slots leave time to travel to and from the block, not just to and from its appointments",
  );

const weekday = z.number().int().min(1).max(7).describe("ISO weekday, Monday = 1");

const endAfterStart = { error: "endTime must be after startTime", path: ["endTime"] };

const templateFields = {
  locationId: uuid,
  weekday,
  startTime: localTime,
  endTime: localTime,
  effectiveFrom: isoDate,
  effectiveTo: isoDate.nullable(),
  appointmentTypeIds,
  notes: z.string().max(1000).nullable(),
  onSite,
};

/** A template as sent (defaults filled), before its cross-field checks. */
const templateShape = {
  ...templateFields,
  effectiveTo: templateFields.effectiveTo.default(null),
  appointmentTypeIds: appointmentTypeIds.default([]),
  notes: templateFields.notes.default(null),
  onSite: onSite.default(false),
};
/** The template's cross-field checks, for the route's body and for a proposed change alike. */
const checkTemplate = <
  T extends z.ZodType<{
    startTime: string;
    endTime: string;
    effectiveFrom: string;
    effectiveTo: string | null;
  }>,
>(
  schema: T,
) =>
  schema
    .refine((t) => t.endTime > t.startTime, endAfterStart)
    .refine((t) => t.effectiveTo === null || t.effectiveTo >= t.effectiveFrom, {
      error: "effectiveTo must not be before effectiveFrom",
      path: ["effectiveTo"],
    });
export const templateInput = checkTemplate(z.object(templateShape));
export type TemplateInput = z.infer<typeof templateInput>;

export const assignmentTemplate = z.object({
  id: uuid,
  physicianId: uuid,
  ...templateFields,
  createdAt: z.string(),
});
export type AssignmentTemplate = z.infer<typeof assignmentTemplate>;

export const templateQuery = pageQuery.extend({
  locationId: uuid.optional(),
  weekday: z.coerce.number().int().min(1).max(7).optional(),
});
export type TemplateQuery = z.infer<typeof templateQuery>;

export const overrideKinds = ["temporary", "rotation"] as const;

const overrideFields = {
  locationId: uuid,
  kind: z.enum(overrideKinds),
  rotationName: z.string().trim().min(1).max(120).nullable(),
  startDate: isoDate,
  endDate: isoDate,
  weekdays: z
    .array(weekday)
    .min(1)
    .max(7)
    .refine((ws) => new Set(ws).size === ws.length, { error: "must not repeat a weekday" }),
  startTime: localTime,
  endTime: localTime,
  appointmentTypeIds,
  reason: z.string().max(1000).nullable(),
  onSite,
};

/** A rotation or temporary assignment as sent (defaults filled), before its cross-field checks. */
const overrideShape = {
  ...overrideFields,
  rotationName: overrideFields.rotationName.default(null),
  weekdays: overrideFields.weekdays.default([1, 2, 3, 4, 5]),
  appointmentTypeIds: appointmentTypeIds.default([]),
  reason: overrideFields.reason.default(null),
  onSite: onSite.default(false),
};
const checkOverride = <
  T extends z.ZodType<{ startTime: string; endTime: string; startDate: string; endDate: string }>,
>(
  schema: T,
) =>
  schema
    .refine((o) => o.endTime > o.startTime, endAfterStart)
    .refine((o) => o.endDate >= o.startDate, {
      error: "endDate must not be before startDate",
      path: ["endDate"],
    });
export const overrideInput = checkOverride(z.object(overrideShape));
export type OverrideInput = z.infer<typeof overrideInput>;

export const assignmentOverride = z.object({
  id: uuid,
  physicianId: uuid,
  ...overrideFields,
  createdAt: z.string(),
});
export type AssignmentOverride = z.infer<typeof assignmentOverride>;

export const overrideQuery = pageQuery.extend({
  locationId: uuid.optional(),
  kind: z.enum(overrideKinds).optional(),
});
export type OverrideQuery = z.infer<typeof overrideQuery>;

export const timeOffStatuses = ["requested", "approved", "declined"] as const;

export const timeOffInput = z
  .object({
    startsAt: instant,
    endsAt: instant,
    reason: z.string().max(1000).nullable().default(null),
    status: z.enum(timeOffStatuses).default("approved"),
  })
  .refine((t) => Date.parse(t.endsAt) > Date.parse(t.startsAt), {
    error: "endsAt must be after startsAt",
    path: ["endsAt"],
  });
export type TimeOffInput = z.infer<typeof timeOffInput>;

export const timeOff = z.object({
  id: uuid,
  physicianId: uuid,
  startsAt: z.string(),
  endsAt: z.string(),
  reason: z.string().nullable(),
  status: z.enum(timeOffStatuses),
  createdAt: z.string(),
});
export type TimeOff = z.infer<typeof timeOff>;

export const timeOffQuery = pageQuery.extend({ status: z.enum(timeOffStatuses).optional() });
export type TimeOffQuery = z.infer<typeof timeOffQuery>;

export const MAX_ASSIGNMENT_RANGE_DAYS = 92;

export const assignmentsQuery = z.object({
  from: isoDate,
  to: isoDate.describe(`at most ${MAX_ASSIGNMENT_RANGE_DAYS} days after from, counting both`),
  locationId: uuid.optional(),
});
export type AssignmentsQuery = z.infer<typeof assignmentsQuery>;

export const plannedBlock = z.object({
  locationId: uuid,
  date: isoDate.describe("local date at the location"),
  startLocal: localTime,
  endLocal: localTime,
  start: z.string().describe("ISO instant, UTC"),
  end: z.string().describe("ISO instant, UTC"),
  timeZone,
  source: z.enum(["template", "temporary", "rotation"]),
  sourceId: uuid,
  appointmentTypeIds: z.array(uuid),
  onSite,
});

export const plannedAssignments = z.object({
  physicianId: uuid,
  from: isoDate,
  to: isoDate,
  assignments: z.array(plannedBlock).describe("working blocks with approved time off cut out"),
  timeOff: z.array(timeOff).describe("time off in the range that was not declined"),
});
export type PlannedAssignments = z.infer<typeof plannedAssignments>;

/**
 * A proposed change to one physician's schedule, in the shapes the schedule routes accept (a
 * template added or removed, a rotation or temporary assignment added or removed, time off), so
 * it can be evaluated before it is made. Flat, so a refusal names the same field as the route's.
 */
export const scheduleChange = z.discriminatedUnion("change", [
  checkTemplate(z.object({ change: z.literal("add_template"), physicianId: uuid, ...templateShape })),
  z.object({ change: z.literal("remove_template"), physicianId: uuid, templateId: uuid }),
  checkOverride(z.object({ change: z.literal("add_override"), physicianId: uuid, ...overrideShape })),
  z.object({ change: z.literal("remove_override"), physicianId: uuid, overrideId: uuid }),
  z
    .object({
      change: z.literal("time_off"),
      physicianId: uuid,
      startsAt: instant,
      endsAt: instant,
      reason: z.string().max(1000).nullable().default(null),
    })
    .refine((t) => Date.parse(t.endsAt) > Date.parse(t.startsAt), {
      error: "endsAt must be after startsAt",
      path: ["endsAt"],
    }),
]);
export type ScheduleChange = z.infer<typeof scheduleChange>;
