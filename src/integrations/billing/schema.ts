import { z } from "zod";
import { isoDate, pageQuery, regionTag, uuid } from "../../platform/schemas.js";
import { npiIsValid, skipReasons, TELEHEALTH_POS } from "./coding.js";

export const billingFormats = ["x12-837p", "fhir-claim"] as const;
export type BillingFormat = (typeof billingFormats)[number];

/** The longest range one batch covers (a year and a day). */
export const MAX_BATCH_DAYS = 366;

const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .regex(/^[^~*:^]*$/, "must not contain ~ * : or ^ (X12 delimiters)");

export const identityInput = z
  .object({
    placeOfService: z
      .string()
      .regex(
        /^\d{2}$/,
        "must be a two-digit CMS place-of-service code, such as 11 (office) or 22 (outpatient hospital)",
      ),
    telehealthPlaceOfService: z
      .enum(TELEHEALTH_POS)
      .default("02")
      .describe("where video visits are billed: 02 telehealth, 10 telehealth in the patient's home"),
    facilityNpi: z
      .string()
      .regex(/^\d{10}$/, "must be the 10-digit National Provider Identifier")
      .refine(npiIsValid, { error: "is not a valid NPI (its check digit does not match)" }),
    ein: z
      .string()
      .transform((v) => v.replace("-", ""))
      .pipe(
        z
          .string()
          .regex(/^\d{9}$/, "must be the 9-digit employer identification number (EIN), e.g. 12-3456789"),
      ),
    billingName: text(60).pipe(z.string().min(2, "must be at least 2 characters")),
    addressLine: text(55),
    city: text(30),
    region: z.string().regex(/^[A-Z]{2}$/, "must be a two-letter state code"),
    postalCode: z.string().regex(/^\d{5}(\d{4})?$/, "must be a 5- or 9-digit ZIP code"),
  })
  .strict();
export type IdentityInput = z.infer<typeof identityInput>;

export const billingIdentity = z.object({
  locationId: uuid,
  locationName: z.string(),
  placeOfService: z.string(),
  telehealthPlaceOfService: z.enum(TELEHEALTH_POS),
  facilityNpi: z.string(),
  ein: z.string(),
  billingName: z.string(),
  addressLine: z.string(),
  city: z.string(),
  region: z.string(),
  postalCode: z.string(),
  updatedAt: z.string(),
});
export type BillingIdentityDto = z.infer<typeof billingIdentity>;
export const identityList = z.object({ items: z.array(billingIdentity) });
export const locationParams = z.object({ locationId: uuid });

export const modifiersInput = z
  .object({
    modifiers: z
      .array(z.string().regex(/^[A-Z0-9]{2}$/, "must be a two-character CPT/HCPCS modifier such as 25"))
      .max(3)
      .refine((m) => !m.includes("95"), { error: "95 is added to video visits by Rounds, not stored" }),
  })
  .strict();
export const typeParams = z.object({ appointmentTypeId: uuid });
export const typeCoding = z.object({
  appointmentTypeId: uuid,
  procedureCode: z.string().nullable().describe("the catalogue's CPT/HCPCS billing code"),
  modifiers: z.array(z.string()),
});

export const batchRequest = z
  .object({
    format: z.enum(billingFormats),
    from: isoDate.describe("first service date (the location's local date)"),
    to: isoDate.describe("last service date, inclusive"),
    region: regionTag
      .optional()
      .describe("only the visits at locations of this region; required when the range holds several"),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.to < b.from) ctx.addIssue({ code: "custom", path: ["to"], message: "must not be before from" });
    else if ((Date.parse(b.to) - Date.parse(b.from)) / 86_400_000 >= MAX_BATCH_DAYS)
      ctx.addIssue({
        code: "custom",
        path: ["to"],
        message: `a batch covers at most ${MAX_BATCH_DAYS} days`,
      });
  });
export type BatchRequest = z.infer<typeof batchRequest>;

export const skippedVisit = z.object({ appointmentId: uuid, reason: z.enum(skipReasons) });

export const batch = z.object({
  id: uuid,
  format: z.enum(billingFormats),
  from: z.string(),
  to: z.string(),
  region: z
    .string()
    .nullable()
    .describe("the region whose visits it holds (null: made before regions were kept apart)"),
  controlNumber: z.number().int().describe("ISA13/GS06 of an 837P interchange"),
  claimCount: z.number().int(),
  totalCents: z.number().int(),
  skipped: z
    .array(skippedVisit)
    .describe("completed visits in the range that could not be billed: no billing identity, fee or code"),
  sha256: z.string().describe("of the document as downloaded"),
  createdAt: z.string(),
  createdBy: uuid.nullable(),
  /** false: this request found the batch already exported (nothing changed). */
  created: z.boolean(),
});
export type Batch = z.infer<typeof batch>;
export const batchQuery = pageQuery.extend({ format: z.enum(billingFormats).optional() });
export type BatchQuery = z.infer<typeof batchQuery>;

export const chargeState = z.object({
  appointmentId: uuid,
  exports: z.array(
    z.object({
      format: z.enum(billingFormats),
      batchId: uuid,
      exportedAt: z.string(),
      procedureCode: z.string(),
      modifiers: z.array(z.string()),
      placeOfService: z.string(),
      amountCents: z.number().int(),
    }),
  ),
});
export type ChargeState = z.infer<typeof chargeState>;
