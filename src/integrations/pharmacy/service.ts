/**
 * Prescriptions during a visit: the physician of the appointment prescribes from the coded list;
 * the prescription is stored at once, addressed to the patient's pharmacy for the visit's
 * location, and sent to the pharmacy network after the transaction commits (sender.ts). The
 * network being down never fails the prescribing: the physician sees "not sent" and Rounds retries.
 */
import type { Actor } from "../../platform/access.js";
import { auditService } from "../../platform/audit/index.js";
import type { Executor } from "../../platform/db.js";
import { ProblemError, problems } from "../../platform/errors.js";
import { FarSideError } from "../../platform/fhir-http.js";
import { auditContextOf } from "../../platform/identity/index.js";
import type { ServiceDeps } from "../../platform/module.js";
import { patient as patientTarget } from "../../platform/policy.js";
import { locationService } from "../../services/locations/index.js";
import { appointmentFacts } from "../../services/scheduling/index.js";
import type { PharmacyNetwork } from "./client.js";
import { type PharmacyChoiceRow, type PrescriptionRow, pharmacyRepository as repo } from "./repository.js";
import {
  MEDICATIONS,
  type Medication,
  type PatientPharmacy,
  type Pharmacy,
  type PrescribeInput,
  type Prescription,
} from "./schema.js";

export interface PharmacyDeps extends ServiceDeps {
  network: PharmacyNetwork;
  /** Tells the sender there is something to send (after commit). */
  wake: () => void;
}

/** The pharmacy network could not answer a question the caller is waiting for. */
const networkUnavailable = () =>
  new ProblemError(
    503,
    "pharmacy_network_unavailable",
    "The pharmacy network is not answering; try again in a moment",
  );

export const toPrescription = (r: PrescriptionRow): Prescription => ({
  id: r.id,
  appointmentId: r.appointment_id,
  patientId: r.patient_id,
  physicianId: r.physician_id,
  locationId: r.location_id,
  medication: { code: r.medication_code, name: r.medication_name },
  dose: r.dose,
  quantity: r.quantity,
  refills: r.refills,
  notes: r.notes,
  pharmacy: { id: r.pharmacy_id, name: r.pharmacy_name, address: r.pharmacy_address },
  status: r.status,
  lastError: r.last_error,
  nextAttemptAt: r.pending ? r.next_attempt_at.toISOString() : null,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

const toChoice = (c: PharmacyChoiceRow): PatientPharmacy => ({
  locationId: c.location_id,
  pharmacy: { id: c.pharmacy_id, name: c.pharmacy_name, address: c.pharmacy_address },
  chosenAt: c.chosen_at.toISOString(),
});

/** Visits a prescription may be written in: booked (the day of the visit), checked in or completed. */
const PRESCRIBABLE = new Set(["booked", "checked_in", "completed"]);

export function createPharmacy({ db, clock, policies, network, wake }: PharmacyDeps) {
  const inTransaction = <T>(work: (tx: Executor) => Promise<T>): Promise<T> => db.transaction().execute(work);
  return {
    medications: (): Medication[] => MEDICATIONS.map((m) => ({ ...m })),

    /** The network's pharmacies (asked live; 409 while it does not answer). */
    async pharmacies(): Promise<Pharmacy[]> {
      try {
        return await network.pharmacies();
      } catch (err) {
        if (err instanceof FarSideError) throw networkUnavailable();
        throw err;
      }
    },

    /** The patient's pharmacy at each location they chose one for. */
    preferred: (actor: Actor, patientId: string): Promise<PatientPharmacy[]> =>
      inTransaction(async (tx) => {
        const access = await policies.authorize(tx, actor, "read", patientTarget(patientId));
        const rows = await repo.choices(tx, patientId);
        await auditService.record(tx, auditContextOf(actor), {
          action: "patient.pharmacies.read",
          resourceType: "patient",
          resourceId: patientId,
          patientId,
          detail: { access },
        });
        return rows.map(toChoice);
      }),

    /** Chooses the patient's pharmacy for one location (checked with the network first). */
    async choose(
      actor: Actor,
      patientId: string,
      locationId: string,
      pharmacyId: string,
    ): Promise<PatientPharmacy> {
      await inTransaction(async (tx) => {
        await policies.authorize(tx, actor, "update", patientTarget(patientId));
        await locationService.get(tx, locationId).catch(() => {
          throw problems.notFound("location", "params.locationId");
        });
      });
      let found: Pharmacy | undefined;
      try {
        found = await network.pharmacy(pharmacyId);
      } catch (err) {
        if (err instanceof FarSideError) throw networkUnavailable();
        throw err;
      }
      if (!found) throw problems.invalid("body.pharmacyId", "the pharmacy network has no such pharmacy");
      const pharmacy = found;
      return inTransaction(async (tx) => {
        const access = await policies.authorize(tx, actor, "update", patientTarget(patientId));
        const row = await repo.choose(tx, {
          patientId,
          locationId,
          id: pharmacy.id,
          name: pharmacy.name,
          address: pharmacy.address,
          now: clock.now(),
        });
        await auditService.record(tx, auditContextOf(actor), {
          action: "patient.pharmacy.choose",
          resourceType: "patient",
          resourceId: patientId,
          patientId,
          locationId,
          detail: { access, pharmacyId: pharmacy.id },
        });
        return toChoice(row);
      });
    },

    /** Prescribes during the visit; stored "not sent" and sent after commit. */
    async prescribe(actor: Actor, appointmentId: string, input: PrescribeInput): Promise<Prescription> {
      const made = await inTransaction(async (tx) => {
        const a = await appointmentFacts.get(tx, appointmentId);
        if (!a) throw problems.notFound("appointment");
        const ground = await policies.authorize(tx, actor, "prescribe", {
          kind: "appointment",
          id: a.id,
          patientId: a.patientId,
          physicianId: a.physicianId,
          locationId: a.locationId,
        });
        if (!PRESCRIBABLE.has(a.status))
          throw problems.conflict(
            "not_a_visit",
            `A ${a.status} appointment is not a visit to prescribe in`,
            "params.id",
          );
        const choice = await repo.choiceAt(tx, a.patientId, a.locationId);
        if (!choice)
          throw problems.conflict(
            "no_pharmacy",
            "The patient has not chosen a pharmacy for this location; they (or the front desk) choose one first",
            "params.id",
          );
        const medication = MEDICATIONS.find((m) => m.code === input.medicationCode)!;
        const row = await repo.insert(
          tx,
          {
            appointment_id: a.id,
            patient_id: a.patientId,
            physician_id: a.physicianId,
            location_id: a.locationId,
            medication_code: medication.code,
            medication_name: medication.name,
            dose: input.dose,
            quantity: input.quantity,
            refills: input.refills,
            notes: input.notes,
            pharmacy_id: choice.pharmacy_id,
            pharmacy_name: choice.pharmacy_name,
            pharmacy_address: choice.pharmacy_address,
            prescribed_by: actor.userId,
          },
          clock.now(),
        );
        await auditService.record(tx, auditContextOf(actor), {
          action: "prescription.create",
          resourceType: "prescription",
          resourceId: row.id,
          patientId: a.patientId,
          locationId: a.locationId,
          detail: {
            access: ground,
            appointmentId: a.id,
            medication: medication.code,
            pharmacyId: choice.pharmacy_id,
          },
        });
        return row;
      });
      wake();
      return toPrescription(made);
    },

    /** The patient's prescriptions, newest first (optionally those of one visit). */
    list: (actor: Actor, patientId: string, appointmentId?: string): Promise<Prescription[]> =>
      inTransaction(async (tx) => {
        const access = await policies.authorize(tx, actor, "read_prescriptions", patientTarget(patientId));
        const rows = await repo.ofPatient(tx, patientId, appointmentId);
        await auditService.record(tx, auditContextOf(actor), {
          action: "patient.prescriptions.read",
          resourceType: "patient",
          resourceId: patientId,
          patientId,
          detail: { access, prescriptions: rows.length },
        });
        return rows.map(toPrescription);
      }),
  };
}
export type PharmacyService = ReturnType<typeof createPharmacy>;
