/**
 * Demo HL7 traffic, so the administrators' "HL7 messages" screen and the demo physician's patient
 * records have something to show without an EMR: SIU messages to a demo endpoint in each state
 * (acknowledged, refused and retried, failed) and a lab result from the EMR. Deterministic.
 */
import { sql } from "kysely";
import { buildSiu } from "../integrations/hl7/index.js";
import type { Executor } from "../platform/db.js";
import { DEMO_EMAIL_DOMAIN } from "./users.js";

const TARGET = "emr.demo.invalid:2575";

export async function seedDemoHl7(db: Executor, opts: { today: string }): Promise<number> {
  const rows = (
    await sql<{
      id: string;
      status: string;
      starts_at: Date;
      ends_at: Date;
      reason: string | null;
      patient_id: string;
      mrn: string;
      given_name: string;
      family_name: string;
      birth_date: string;
      sex: string;
      physician_id: string;
      ph_given: string;
      ph_family: string;
      location_id: string;
      loc_code: string;
      loc_name: string;
      type_id: string;
      type_name: string;
    }>`
      SELECT a.id, a.status, a.starts_at, a.ends_at, a.reason, a.patient_id, p.mrn, p.given_name,
             p.family_name, p.birth_date::text AS birth_date, p.sex, a.physician_id, ph.given_name AS ph_given,
             ph.family_name AS ph_family, a.location_id, l.code AS loc_code, l.name AS loc_name,
             t.id AS type_id, t.name AS type_name
      FROM appointments a
      JOIN users u ON u.physician_id = a.physician_id AND u.email = ${`physician@${DEMO_EMAIL_DOMAIN}`}
      JOIN patients p ON p.id = a.patient_id
      JOIN physicians ph ON ph.id = a.physician_id
      JOIN locations l ON l.id = a.location_id
      JOIN appointment_types t ON t.id = a.appointment_type_id
      WHERE a.status = 'booked' AND a.starts_at >= ${`${opts.today}T00:00:00Z`}::timestamptz
      ORDER BY a.starts_at, a.id
      LIMIT 5`.execute(db)
  ).rows;
  const today = new Date(`${opts.today}T06:00:00Z`);
  // acknowledged, acknowledged, acknowledged, refused and waiting for its next attempt, failed
  const states = [
    { status: "acknowledged", ack: "AA", attempts: 1, error: null },
    { status: "acknowledged", ack: "AA", attempts: 1, error: null },
    { status: "acknowledged", ack: "AA", attempts: 2, error: null },
    { status: "pending", ack: "AE", attempts: 3, error: "AE: unknown attending provider" },
    { status: "failed", ack: null, attempts: 10, error: "connect ECONNREFUSED emr.demo.invalid:2575" },
  ] as const;
  for (const [i, r] of rows.entries()) {
    const s = states[i]!;
    const controlId = `DEMO${String(i + 1).padStart(4, "0")}`;
    const body = buildSiu({
      trigger: "S12",
      controlId,
      createdAt: today,
      appointmentId: r.id,
      chainId: r.id,
      status: r.status,
      start: new Date(r.starts_at),
      end: new Date(r.ends_at),
      reason: r.reason,
      appointmentType: { id: r.type_id, name: r.type_name },
      patient: {
        mrn: r.mrn,
        givenName: r.given_name,
        familyName: r.family_name,
        birthDate: r.birth_date,
        sex: r.sex,
      },
      physician: { id: r.physician_id, givenName: r.ph_given, familyName: r.ph_family },
      location: { id: r.location_id, code: r.loc_code, name: r.loc_name },
    });
    await sql`
      INSERT INTO hl7_messages (target, event_seq, appointment_id, chain_id, trigger, control_id, body, status,
        attempts, next_attempt_at, last_sent_at, ack_code, last_error, created_at, acknowledged_at)
      VALUES (${TARGET}, ${-(i + 1)}, ${r.id}, ${r.id}, 'S12', ${controlId}, ${body}, ${s.status}, ${s.attempts},
        ${new Date(today.getTime() + 3_600_000)}, ${today}, ${s.ack}, ${s.error}, ${today},
        ${s.status === "acknowledged" ? today : null})`.execute(db);
  }
  // a blood count for the demo physician's first patient, one value out of range
  const patient = rows[0]?.patient_id;
  if (patient) {
    const observed = new Date(`${opts.today}T08:30:00Z`);
    const results = [
      ["718-7", "Hemoglobin", "13.2", "g/dL", "12.0-15.5", "N"],
      ["6690-2", "Leukocytes", "11.8", "10*3/uL", "4.5-11.0", "H"],
      ["777-3", "Platelets", "250", "10*3/uL", "150-400", "N"],
    ];
    for (const [i, [code, name, value, units, range, flag]] of results.entries())
      await sql`
        INSERT INTO hl7_lab_results (patient_id, control_id, set_id, order_code, order_name, code, name, value,
          units, reference_range, abnormal_flag, result_status, observed_at)
        VALUES (${patient}, 'DEMO-ORU-1', ${i + 1}, '57021-8', 'CBC with differential', ${code}, ${name}, ${value},
          ${units}, ${range}, ${flag}, 'F', ${observed})`.execute(db);
  }
  return rows.length;
}
