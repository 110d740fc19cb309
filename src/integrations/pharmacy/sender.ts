/**
 * Sends prescriptions to the pharmacy network and follows their status, as a background pass:
 * claims due rows (SKIP LOCKED, leased: safe on any number of replicas), sends each as a
 * MedicationRequest (a conditional create, so a resend after a lost answer is the same order) or
 * reads its Task, and records the answer — or the failure, retried with back-off.
 */
import type { FastifyBaseLogger } from "fastify";
import type { Db } from "../../platform/db.js";
import { FarSideError, retryDelayMs } from "../../platform/fhir-http.js";
import { auditWithheld, withheldReason } from "../../platform/residency/index.js";
import { locationService } from "../../services/locations/index.js";
import { patientService } from "../../services/patients/index.js";
import { physicianService } from "../../services/physicians/index.js";
import type { PharmacyNetwork } from "./client.js";
import { FINAL_STATUSES, medicationRequestOf, statusOfTask } from "./fhir.js";
import { type PrescriptionRow, pharmacyRepository as repo } from "./repository.js";

export interface PharmacySenderDeps {
  db: Db;
  network: PharmacyNetwork;
  now: () => Date;
  /** How often an order's status is asked for. */
  pollMs: number;
  log?: FastifyBaseLogger;
  leaseMs?: number;
  /** The regions whose prescriptions the network may be sent (ROUNDS_PHARMACY_REGIONS); undefined: every region. */
  regions?: readonly string[] | undefined;
}

export function createPharmacySender(deps: PharmacySenderDeps) {
  const leaseMs = deps.leaseMs ?? 120_000;
  /** A prescription of a region the network may not receive: never sent, and the withholding audited. */
  async function withhold(row: PrescriptionRow, reason: string): Promise<void> {
    await deps.db.transaction().execute(async (tx) => {
      await repo.withheld(tx, row.id, reason, deps.now());
      await auditWithheld(tx, {
        partner: "pharmacy",
        region: row.region,
        reason,
        resourceType: "prescription",
        resourceId: row.id,
        patientId: row.patient_id,
        locationId: row.location_id,
      });
    });
  }

  async function work(row: PrescriptionRow): Promise<void> {
    const withheld = withheldReason("pharmacy", deps.regions, row.region);
    if (withheld) return withhold(row, withheld);
    const { db, network } = deps;
    try {
      let remoteId = row.remote_id;
      if (row.pending === "send" || !remoteId) {
        const [patient, physician, location] = await Promise.all([
          patientService.get(db, row.patient_id),
          physicianService.get(db, row.physician_id),
          locationService.get(db, row.location_id),
        ]);
        remoteId = await network.send(
          medicationRequestOf({
            id: row.id,
            medication: { code: row.medication_code, name: row.medication_name },
            dose: row.dose,
            quantity: row.quantity,
            refills: row.refills,
            notes: row.notes,
            authoredOn: row.created_at,
            pharmacy: { id: row.pharmacy_id, name: row.pharmacy_name },
            patient: { mrn: patient.mrn, name: `${patient.givenName} ${patient.familyName}` },
            physician: {
              npi: physician.npi,
              name: `${physician.givenName} ${physician.familyName}, ${physician.title}`,
            },
            location: { name: location.name },
          }),
        );
      }
      const task = await network.task(remoteId);
      const status = task ? statusOfTask(task) : "accepted";
      const now = deps.now();
      await repo.answered(db, row.id, {
        status,
        remoteId,
        nextAt: FINAL_STATUSES.includes(status) ? null : new Date(now.getTime() + deps.pollMs),
        now,
      });
    } catch (err) {
      const now = deps.now();
      const reason = err instanceof FarSideError ? err.message : "could not be sent";
      if (!(err instanceof FarSideError))
        deps.log?.error({ err, prescription: row.id }, "pharmacy: send failed");
      await repo.failed(deps.db, row.id, reason, new Date(now.getTime() + retryDelayMs(row.attempts)), now);
    }
  }
  return {
    /** One pass: everything due, in batches. */
    async pass(): Promise<void> {
      // what is due as the pass starts: a status asked for now is not asked again in the same pass
      const started = deps.now();
      for (let i = 0; i < 20; i++) {
        const claimed = await repo.claim(deps.db, started, leaseMs, 20);
        if (!claimed.length) return;
        await Promise.all(claimed.map(work));
      }
    },
  };
}
