/**
 * Demo prescriptions and rides, so the physician's visit, the patient's "Prescriptions and rides"
 * and the staff's rides of the day have something to show: the demo physician's next booked
 * visits get a chosen pharmacy and a prescription each (ready for pickup, filled, and one not yet
 * sent that the sender sends on start), and those patients need transport with a ride each.
 * Rows the built-in simulators never saw are not followed (pending NULL). Deterministic.
 */
import { sql } from "kysely";
import { DEMO_PHARMACIES, MEDICATIONS } from "../integrations/pharmacy/index.js";
import { pickupTime } from "../integrations/transport/index.js";
import type { Executor } from "../platform/db.js";
import { DEMO_EMAIL_DOMAIN } from "./users.js";

export async function seedDemoPharmacyTransport(db: Executor, opts: { today: string }): Promise<number> {
  const visits = (
    await sql<{
      id: string;
      patient_id: string;
      physician_id: string;
      location_id: string;
      starts_at: Date;
      time_zone: string;
    }>`
      SELECT a.id, a.patient_id, a.physician_id, a.location_id, a.starts_at, l.time_zone
      FROM appointments a
      JOIN users u ON u.physician_id = a.physician_id AND u.email = ${`physician@${DEMO_EMAIL_DOMAIN}`}
      JOIN locations l ON l.id = a.location_id
      WHERE a.status = 'booked' AND a.telehealth = false AND a.starts_at >= ${`${opts.today}T00:00:00Z`}::timestamptz
      ORDER BY a.starts_at, a.id
      LIMIT 3`.execute(db)
  ).rows;
  const states = [
    { status: "ready", pending: null, ride: "scheduled" },
    { status: "filled", pending: null, ride: "requested" },
    { status: "not_sent", pending: "send", ride: "not_sent" },
  ] as const;
  const by = "00000000-0000-4000-8000-0000000000a8";
  for (const [i, v] of visits.entries()) {
    const s = states[i]!;
    const pharmacy = DEMO_PHARMACIES[i % DEMO_PHARMACIES.length]!;
    const medication = MEDICATIONS[i]!;
    const address = `${pharmacy.line}, ${pharmacy.city}`;
    await sql`
      INSERT INTO patient_pharmacies (patient_id, location_id, pharmacy_id, pharmacy_name, pharmacy_address)
      VALUES (${v.patient_id}, ${v.location_id}, ${pharmacy.id}, ${pharmacy.name}, ${address})
      ON CONFLICT DO NOTHING`.execute(db);
    await sql`
      INSERT INTO prescriptions (appointment_id, patient_id, physician_id, location_id, medication_code, medication_name,
        dose, quantity, refills, pharmacy_id, pharmacy_name, pharmacy_address, status, remote_id, pending, prescribed_by,
        region)
      VALUES (${v.id}, ${v.patient_id}, ${v.physician_id}, ${v.location_id}, ${medication.code}, ${medication.name},
        'One tablet by mouth daily', 30, 1, ${pharmacy.id}, ${pharmacy.name}, ${address}, ${s.status},
        ${s.pending ? null : `demo-${i + 1}`}, ${s.pending}, ${by},
        (SELECT data_residency FROM locations WHERE id = ${v.location_id}))`.execute(db);
    await sql`
      INSERT INTO transport_needs (patient_id, needed, source, note, set_by)
      VALUES (${v.patient_id}, true, 'staff', 'Uses a wheelchair', ${by}) ON CONFLICT DO NOTHING`.execute(db);
    const pickup = pickupTime({
      appointmentStart: v.starts_at,
      travelMinutes: 30,
      marginMinutes: 15,
      timeZone: v.time_zone,
    });
    await sql`
      INSERT INTO rides (appointment_id, patient_id, location_id, origin, pickup_at, travel_minutes, status, remote_id,
        task_id, pending, requested_by, region)
      VALUES (${v.id}, ${v.patient_id}, ${v.location_id}, 'home', ${pickup.at}, 30, ${s.ride},
        ${s.ride === "not_sent" ? null : `demo-sr-${i + 1}`}, ${s.ride === "not_sent" ? null : `demo-task-${i + 1}`},
        ${s.ride === "not_sent" ? "create" : null}, ${by}, (SELECT data_residency FROM locations WHERE id = ${v.location_id}))`.execute(
      db,
    );
  }
  return visits.length;
}
