/** Pure: a prescription as the FHIR MedicationRequest Rounds sends, and the pharmacy's Task read back. */
import type { MedicationRequest, Task } from "@medplum/fhirtypes";
import { type PrescriptionStatus, RXNORM } from "./schema.js";

export const PRESCRIPTION_SYSTEM = "urn:rounds:prescription";
export const MRN_SYSTEM = "urn:rounds:mrn";
export const NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi";

export interface PrescriptionFacts {
  id: string;
  medication: { code: string; name: string };
  dose: string;
  quantity: number;
  refills: number;
  notes: string | null;
  authoredOn: Date;
  pharmacy: { id: string; name: string };
  patient: { mrn: string; name: string };
  physician: { npi: string; name: string };
  location: { name: string };
}

/** status active, intent order; the patient's pharmacy is the dispense request's performer. */
export function medicationRequestOf(p: PrescriptionFacts): MedicationRequest {
  return {
    resourceType: "MedicationRequest",
    identifier: [{ system: PRESCRIPTION_SYSTEM, value: p.id }],
    status: "active",
    intent: "order",
    medicationCodeableConcept: {
      coding: [{ system: RXNORM, code: p.medication.code, display: p.medication.name }],
      text: p.medication.name,
    },
    subject: { identifier: { system: MRN_SYSTEM, value: p.patient.mrn }, display: p.patient.name },
    authoredOn: p.authoredOn.toISOString(),
    requester: { identifier: { system: NPI_SYSTEM, value: p.physician.npi }, display: p.physician.name },
    dosageInstruction: [{ text: p.dose }],
    ...(p.notes ? { note: [{ text: p.notes }] } : {}),
    dispenseRequest: {
      numberOfRepeatsAllowed: p.refills,
      quantity: { value: p.quantity },
      performer: { reference: `Organization/${p.pharmacy.id}`, display: p.pharmacy.name },
    },
    supportingInformation: [{ display: `Prescribed at ${p.location.name}` }],
  };
}

/** The pharmacy's fulfilment Task as the status the physician and patient see. */
export function statusOfTask(task: Pick<Task, "status">): PrescriptionStatus {
  switch (task.status) {
    case "in-progress":
      return "filled";
    case "ready":
      return "ready";
    case "completed":
      return "picked_up";
    case "rejected":
    case "cancelled":
    case "failed":
    case "entered-in-error":
      return "rejected";
    default:
      return "accepted";
  }
}

export const FINAL_STATUSES: readonly PrescriptionStatus[] = ["picked_up", "rejected"];
