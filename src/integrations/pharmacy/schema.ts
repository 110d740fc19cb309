/** Requests and answers of the pharmacy adapter's routes. */
import { z } from "zod";
import { uuid } from "../../platform/schemas.js";

/** The medications a physician prescribes from: a small list coded in RxNorm. */
export const MEDICATIONS = [
  { code: "314076", name: "Lisinopril 10 MG Oral Tablet" },
  { code: "860975", name: "Metformin 500 MG Oral Tablet" },
  { code: "617312", name: "Atorvastatin 20 MG Oral Tablet" },
  { code: "745679", name: "Albuterol 0.09 MG/ACTUAT Inhaler" },
  { code: "308182", name: "Amoxicillin 500 MG Oral Capsule" },
  { code: "310798", name: "Hydrochlorothiazide 25 MG Oral Tablet" },
  { code: "198211", name: "Simvastatin 40 MG Oral Tablet" },
  { code: "313782", name: "Acetaminophen 325 MG Oral Tablet" },
] as const;
export const RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm";

export const medication = z.object({ code: z.string(), name: z.string() });
export type Medication = z.infer<typeof medication>;

export const prescriptionStatus = z
  .enum(["not_sent", "accepted", "filled", "ready", "picked_up", "rejected", "withheld"])
  .describe(
    "not_sent: the pharmacy network has not taken it yet (Rounds retries); then as the pharmacy reports it; withheld: the network is limited to other regions (ROUNDS_PHARMACY_REGIONS), never sent (lastError says why)",
  );
export type PrescriptionStatus = z.infer<typeof prescriptionStatus>;

export const prescribeInput = z.object({
  medicationCode: z
    .string()
    .refine((c) => MEDICATIONS.some((m) => m.code === c), {
      error: "must be one of the listed medications' RxNorm codes",
    })
    .describe("RxNorm code from GET /api/v1/medications"),
  dose: z.string().trim().min(1).max(200).describe("e.g. one tablet by mouth daily"),
  quantity: z.int().min(1).max(1000),
  refills: z.int().min(0).max(12),
  notes: z.string().trim().max(1000).nullable().default(null),
});
export type PrescribeInput = z.infer<typeof prescribeInput>;

export const pharmacy = z.object({ id: z.string(), name: z.string(), address: z.string().nullable() });
export type Pharmacy = z.infer<typeof pharmacy>;

export const prescription = z.object({
  id: uuid,
  appointmentId: uuid,
  patientId: uuid,
  physicianId: uuid,
  locationId: uuid,
  medication,
  dose: z.string(),
  quantity: z.int(),
  refills: z.int(),
  notes: z.string().nullable(),
  pharmacy,
  status: prescriptionStatus,
  lastError: z.string().nullable().describe("why the last attempt to reach the pharmacy network failed"),
  nextAttemptAt: z.string().nullable().describe("when Rounds next sends or asks again"),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Prescription = z.infer<typeof prescription>;

export const prescriptionsQuery = z.object({
  appointmentId: uuid.optional().describe("only those made during this visit"),
});

export const pharmacyChoice = z.object({
  pharmacyId: z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/, "must be a pharmacy id from GET /api/v1/pharmacies"),
});
export const patientPharmacy = z.object({ locationId: uuid, pharmacy, chosenAt: z.string() });
export type PatientPharmacy = z.infer<typeof patientPharmacy>;
export const locationParams = z.object({ id: uuid, locationId: uuid });
