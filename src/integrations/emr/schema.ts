/** The records view: what a physician sees of a patient's EMR record, flattened for the screen. */
import { z } from "zod";
import { uuid } from "../../platform/schemas.js";

export const recordsQuery = z.object({
  locationId: uuid
    .optional()
    .describe("the location you are viewing from: one of yours (recorded in the audit trail)"),
});
export type RecordsQuery = z.infer<typeof recordsQuery>;

const when = z.string().nullable().describe("date or instant as the EMR gave it");

export const labResult = z.object({
  id: z.string(),
  code: z.string().nullable().describe("LOINC code"),
  name: z.string(),
  value: z.string().describe("the value with its unit, as displayed"),
  referenceRange: z.string().nullable(),
  flag: z.enum(["low", "normal", "high", "abnormal"]).nullable(),
  effective: when,
  status: z.string(),
  source: z.enum(["emr", "local"]).describe("local: received by Rounds itself (HL7 ORU)"),
});
export type LabResult = z.infer<typeof labResult>;

export const patientRecords = z.object({
  patientId: uuid,
  viewedFrom: uuid.nullable().describe("the location the view was audited with"),
  fetchedAt: z.string(),
  source: z.enum(["emr", "simulator"]),
  withheld: z
    .string()
    .nullable()
    .describe(
      "why the EMR was not asked: it is limited to other regions than the location's (ROUNDS_EMR_REGIONS)",
    ),
  demographics: z
    .object({
      name: z.string(),
      birthDate: z.string().nullable(),
      gender: z.string().nullable(),
      mismatches: z
        .array(
          z.object({
            field: z.enum(["name", "birthDate", "sex"]),
            rounds: z.string(),
            emr: z.string(),
          }),
        )
        .describe("where the EMR's demographics differ from Rounds' record of the patient (found by MRN)"),
    })
    .nullable()
    .describe("null when the EMR has no record of the patient"),
  problems: z.array(
    z.object({ id: z.string(), name: z.string(), status: z.string().nullable(), onset: when }),
  ),
  allergies: z.array(
    z.object({
      id: z.string(),
      substance: z.string(),
      criticality: z.string().nullable(),
      reactions: z.array(z.string()),
    }),
  ),
  medications: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      status: z.string(),
      dosage: z.string().nullable(),
      authoredOn: when,
    }),
  ),
  encounters: z.array(
    z.object({
      id: z.string(),
      type: z.string(),
      class: z.string().nullable(),
      status: z.string(),
      start: when,
      end: when,
    }),
  ),
  labResults: z.array(labResult),
});
export type PatientRecords = z.infer<typeof patientRecords>;
