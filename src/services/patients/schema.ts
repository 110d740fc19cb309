import { z } from "zod";
import { isoDate, latitude, longitude, pageQuery, uuid } from "../../platform/schemas.js";

export const sexes = ["female", "male", "other", "unknown"] as const;
export const accessibilityNeeds = [
  "wheelchair",
  "step_free",
  "hearing_loop",
  "sign_language_interpreter",
  "interpreter",
  "visual_assistance",
  "service_animal",
  "bariatric",
] as const;
export const relationships = ["parent", "legal_guardian", "spouse", "caregiver"] as const;
export type Relationship = (typeof relationships)[number];

export const mrn = z.string().regex(/^[A-Z0-9-]{4,20}$/, "must be 4-20 upper-case letters, digits or dashes");

const language = z
  .string()
  .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, "must be a language tag such as en, es or zh-Hant");

const phone = z
  .string()
  .trim()
  .regex(/^\+?[0-9][0-9 ().-]{3,28}[0-9]$/, "must be a phone number such as +1 212 555 0100");

const bothOrNeither = (a: { latitude?: number | null; longitude?: number | null }) =>
  (a.latitude == null) === (a.longitude == null);

const addressFields = {
  line: z.string().trim().max(300).nullable(),
  city: z.string().trim().max(120).nullable(),
  region: z.string().trim().max(120).nullable(),
  postalCode: z.string().trim().max(20).nullable(),
  latitude: latitude.nullable(),
  longitude: longitude.nullable(),
};

/** Every part optional: absent parts are empty on create and left alone on update. */
export const addressInput = z
  .object(addressFields)
  .partial()
  .strict()
  .refine(bothOrNeither, { error: "give latitude and longitude together", path: ["longitude"] });
export type AddressInput = z.infer<typeof addressInput>;

export const address = z.object(addressFields);
export type Address = z.infer<typeof address>;

export const insurance = z
  .object({
    payer: z.string().trim().min(1).max(200),
    memberId: z.string().trim().min(1).max(60),
  })
  .strict();
export type Insurance = z.infer<typeof insurance>;

// No defaults here: a PATCH must leave absent fields alone (zod 4 applies defaults inside partial()).
const patientFields = {
  mrn,
  givenName: z.string().trim().min(1).max(100),
  familyName: z.string().trim().min(1).max(100),
  birthDate: isoDate,
  sex: z.enum(sexes),
  email: z.email({ error: "must be an email address" }).max(254).nullable(),
  phone: phone.nullable(),
  address: addressInput.nullable(),
  preferredLocationIds: z.array(uuid).max(20),
  preferredLanguage: language,
  accessibilityNeeds: z.array(z.enum(accessibilityNeeds)).max(accessibilityNeeds.length),
  insurance: insurance.nullable(),
  active: z.boolean(),
};

export const patientInput = z
  .object({
    ...patientFields,
    email: patientFields.email.default(null),
    phone: patientFields.phone.default(null),
    address: patientFields.address.default(null),
    preferredLocationIds: patientFields.preferredLocationIds.default([]),
    preferredLanguage: patientFields.preferredLanguage.default("en"),
    accessibilityNeeds: patientFields.accessibilityNeeds.default([]),
    insurance: patientFields.insurance.default(null),
    active: patientFields.active.default(true),
  })
  .strict();
export type PatientInput = z.infer<typeof patientInput>;

export const patientPatch = z.object(patientFields).partial().strict();
export type PatientPatch = z.infer<typeof patientPatch>;

export const patient = z.object({
  id: uuid,
  mrn: z.string(),
  givenName: z.string(),
  familyName: z.string(),
  birthDate: z.string(),
  sex: z.enum(sexes),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  address: address.nullable().describe("null when no part of the address is known"),
  preferredLocationIds: z.array(uuid),
  preferredLanguage: z.string(),
  accessibilityNeeds: z.array(z.string()),
  insurance: insurance.nullable(),
  active: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Patient = z.infer<typeof patient>;

export const patientQuery = pageQuery.extend({
  q: z.string().trim().min(1).max(100).optional().describe("name contains, or the exact MRN"),
  mrn: mrn.optional(),
  birthDate: isoDate.optional(),
});
export type PatientQuery = z.infer<typeof patientQuery>;

export const dependentInput = z.object({ dependentId: uuid, relationship: z.enum(relationships) }).strict();
export type DependentInput = z.infer<typeof dependentInput>;
export const dependentParams = z.object({ id: uuid, dependentId: uuid });

/** The other person of a family link, from the point of view of the patient asked about. */
export const relative = z.object({
  patientId: uuid,
  mrn: z.string(),
  givenName: z.string(),
  familyName: z.string(),
  birthDate: z.string(),
  relationship: z.enum(relationships).describe("what the guardian is to the dependent"),
});
export type Relative = z.infer<typeof relative>;

export const family = z.object({
  patientId: uuid,
  guardians: z.array(relative).describe("people who may act for this patient"),
  dependents: z.array(relative).describe("people this patient may act for"),
});
export type Family = z.infer<typeof family>;

export const familyLink = z.object({
  guardianId: uuid,
  dependentId: uuid,
  relationship: z.enum(relationships),
  createdAt: z.string(),
});
export type FamilyLink = z.infer<typeof familyLink>;

/** A patient's home, for distance-based ranking; null when no coordinates are known. */
export interface Home {
  latitude: number;
  longitude: number;
}
