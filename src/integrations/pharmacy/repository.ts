/** SQL of the pharmacy adapter's tables (migrations/0052_pharmacy_transport.sql). */
import { sql } from "kysely";
import type { Executor } from "../../platform/db.js";
import type { PrescriptionStatus } from "./schema.js";

export interface PrescriptionRow {
  id: string;
  appointment_id: string;
  patient_id: string;
  physician_id: string;
  location_id: string;
  medication_code: string;
  medication_name: string;
  dose: string;
  quantity: number;
  refills: number;
  notes: string | null;
  pharmacy_id: string;
  pharmacy_name: string;
  pharmacy_address: string | null;
  status: PrescriptionStatus;
  remote_id: string | null;
  pending: "send" | "poll" | null;
  attempts: number;
  next_attempt_at: Date;
  claimed_until: Date | null;
  last_error: string | null;
  prescribed_by: string;
  created_at: Date;
  updated_at: Date;
  /** the location's region: the partition the row lives in (migrations/0056) */
  region: string;
}

export interface PharmacyChoiceRow {
  location_id: string;
  pharmacy_id: string;
  pharmacy_name: string;
  pharmacy_address: string | null;
  chosen_at: Date;
}

export type NewPrescription = Pick<
  PrescriptionRow,
  | "appointment_id"
  | "patient_id"
  | "physician_id"
  | "location_id"
  | "medication_code"
  | "medication_name"
  | "dose"
  | "quantity"
  | "refills"
  | "notes"
  | "pharmacy_id"
  | "pharmacy_name"
  | "pharmacy_address"
  | "prescribed_by"
>;

export const pharmacyRepository = {
  async choices(db: Executor, patientId: string): Promise<PharmacyChoiceRow[]> {
    return (
      await sql<PharmacyChoiceRow>`
        SELECT location_id, pharmacy_id, pharmacy_name, pharmacy_address, chosen_at
        FROM patient_pharmacies WHERE patient_id = ${patientId} ORDER BY chosen_at`.execute(db)
    ).rows;
  },
  async choiceAt(
    db: Executor,
    patientId: string,
    locationId: string,
  ): Promise<PharmacyChoiceRow | undefined> {
    return (
      await sql<PharmacyChoiceRow>`
        SELECT location_id, pharmacy_id, pharmacy_name, pharmacy_address, chosen_at
        FROM patient_pharmacies WHERE patient_id = ${patientId} AND location_id = ${locationId}`.execute(db)
    ).rows[0];
  },
  async choose(
    db: Executor,
    c: { patientId: string; locationId: string; id: string; name: string; address: string | null; now: Date },
  ): Promise<PharmacyChoiceRow> {
    return (
      await sql<PharmacyChoiceRow>`
        INSERT INTO patient_pharmacies (patient_id, location_id, pharmacy_id, pharmacy_name, pharmacy_address, chosen_at)
        VALUES (${c.patientId}, ${c.locationId}, ${c.id}, ${c.name}, ${c.address}, ${c.now})
        ON CONFLICT (patient_id, location_id) DO UPDATE SET pharmacy_id = EXCLUDED.pharmacy_id,
          pharmacy_name = EXCLUDED.pharmacy_name, pharmacy_address = EXCLUDED.pharmacy_address,
          chosen_at = EXCLUDED.chosen_at
        RETURNING location_id, pharmacy_id, pharmacy_name, pharmacy_address, chosen_at`.execute(db)
    ).rows[0]!;
  },
  async insert(db: Executor, p: NewPrescription, now: Date): Promise<PrescriptionRow> {
    return (
      await sql<PrescriptionRow>`
        INSERT INTO prescriptions (appointment_id, patient_id, physician_id, location_id, medication_code,
          medication_name, dose, quantity, refills, notes, pharmacy_id, pharmacy_name, pharmacy_address,
          prescribed_by, pending, next_attempt_at, created_at, updated_at, region)
        VALUES (${p.appointment_id}, ${p.patient_id}, ${p.physician_id}, ${p.location_id}, ${p.medication_code},
          ${p.medication_name}, ${p.dose}, ${p.quantity}, ${p.refills}, ${p.notes}, ${p.pharmacy_id},
          ${p.pharmacy_name}, ${p.pharmacy_address}, ${p.prescribed_by}, 'send', ${now}, ${now}, ${now},
          (SELECT data_residency FROM locations WHERE id = ${p.location_id}))
        RETURNING *`.execute(db)
    ).rows[0]!;
  },
  async ofPatient(db: Executor, patientId: string, appointmentId?: string): Promise<PrescriptionRow[]> {
    return (
      await sql<PrescriptionRow>`
        SELECT * FROM prescriptions WHERE patient_id = ${patientId}
          ${appointmentId ? sql`AND appointment_id = ${appointmentId}` : sql``}
        ORDER BY created_at DESC LIMIT 200`.execute(db)
    ).rows;
  },
  /**
   * Claims due prescriptions (to send, or to ask about): SKIP LOCKED, with a lease, so two
   * replicas never work on the same one and a crashed one's claim runs out.
   */
  async claim(db: Executor, now: Date, leaseMs: number, limit: number): Promise<PrescriptionRow[]> {
    return (
      await sql<PrescriptionRow>`
        UPDATE prescriptions SET claimed_until = ${new Date(now.getTime() + leaseMs)}, attempts = attempts + 1
        WHERE id IN (
          SELECT id FROM prescriptions
          WHERE pending IS NOT NULL AND next_attempt_at <= ${now}
            AND (claimed_until IS NULL OR claimed_until < ${now})
          ORDER BY next_attempt_at LIMIT ${limit}
          FOR UPDATE SKIP LOCKED)
        RETURNING *`.execute(db)
    ).rows;
  },
  /** The far side answered: the new state, asked again after `nextAt` (null: nothing more to do). */
  async answered(
    db: Executor,
    id: string,
    a: { status: PrescriptionStatus; remoteId: string; nextAt: Date | null; now: Date },
  ): Promise<void> {
    await sql`
      UPDATE prescriptions SET status = ${a.status}, remote_id = ${a.remoteId},
        pending = ${a.nextAt ? "poll" : null}, next_attempt_at = ${a.nextAt ?? a.now}, attempts = 0,
        claimed_until = NULL, last_error = NULL, updated_at = ${a.now}
      WHERE id = ${id}`.execute(db);
  },
  /** Never sent, and never will be: the network may not receive the location's region's data. */
  async withheld(db: Executor, id: string, reason: string, now: Date): Promise<void> {
    await sql`
      UPDATE prescriptions SET status = 'withheld', pending = NULL, claimed_until = NULL,
        last_error = ${reason.slice(0, 500)}, updated_at = ${now}
      WHERE id = ${id}`.execute(db);
  },
  async failed(db: Executor, id: string, error: string, nextAt: Date, now: Date): Promise<void> {
    await sql`
      UPDATE prescriptions SET last_error = ${error.slice(0, 500)}, next_attempt_at = ${nextAt},
        claimed_until = NULL, updated_at = ${now}
      WHERE id = ${id}`.execute(db);
  },
};
