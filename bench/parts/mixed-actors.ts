/** Who the mixed workload's clients are: front desks of the busiest locations and patients, each with a user of its own. */
import type pg from "pg";
import type { BenchOptions } from "./common.js";
import { signIn } from "./server.js";

/** Front desks of this many locations; the other half of the clients are patients. */
const MAX_DESKS = 16;
/** Patients each front desk books for, in turn. */
const PATIENTS_PER_DESK = 40;
export const PASSWORD = "bench-mixed-password";

export interface Actor {
  kind: "patient" | "staff";
  email: string;
  /** Staff: their location; searches are limited to it, so they may cancel and move what they book. */
  locationId: string | null;
  appointmentTypeId: string;
  specialty: string;
  /** Patient: themselves; staff: their location's patients, served in turn. */
  patientIds: string[];
  /** Staff: physicians with a department of the specialty at the location, whose day they read. */
  physicianIds: string[];
}

/** Front desks and patients for `clients` clients, each with a user made for this run. */
export async function castActors(direct: pg.Pool, clients: number, tag: string): Promise<Actor[]> {
  const deskCount = Math.min(MAX_DESKS, Math.ceil(clients / 2));
  // the busiest front desks: locations with the most registered patients and a department
  const desks = (
    await direct.query<{ location_id: string }>(
      `SELECT r.location_id FROM patient_registrations r JOIN locations l ON l.id = r.location_id
       WHERE l.active AND EXISTS (SELECT 1 FROM departments d WHERE d.location_id = l.id)
       GROUP BY r.location_id ORDER BY count(*) DESC, r.location_id LIMIT $1`,
      [deskCount],
    )
  ).rows.map((r) => r.location_id);
  // patients with nothing booked in the coming weeks, so every conflict is made in this run
  const free = `NOT EXISTS (SELECT 1 FROM appointments a WHERE a.patient_id = p.id AND a.active
    AND a.ends_at > now() - interval '1 day' AND a.starts_at < now() + interval '16 days')
    AND NOT EXISTS (SELECT 1 FROM users u WHERE u.patient_id = p.id)`;
  const actors: Actor[] = [];
  const staffClients = Math.min(desks.length, Math.floor(clients / 2));
  for (let i = 0; i < staffClients; i++) {
    const locationId = desks[i]!;
    const offered = (
      await direct.query<{ id: string; specialty: string }>(
        `SELECT t.id, t.specialty FROM appointment_types t JOIN departments d ON d.specialty = t.specialty
         WHERE d.location_id = $1 AND t.visit_kind = 'new' AND t.active
           AND EXISTS (SELECT 1 FROM physicians p WHERE p.primary_specialty = t.specialty AND p.active AND p.accepts_new_patients)
         ORDER BY t.code`,
        [locationId],
      )
    ).rows;
    const type = offered[i % Math.max(1, offered.length)];
    if (!type) continue;
    const patients = (
      await direct.query<{ id: string }>(
        `SELECT p.id FROM patients p JOIN patient_registrations r ON r.patient_id = p.id AND r.location_id = $1
         WHERE ${free} ORDER BY p.mrn LIMIT $2`,
        [locationId, PATIENTS_PER_DESK],
      )
    ).rows.map((r) => r.id);
    // a desk with no patient of its own to book for would only send searches without one
    if (patients.length === 0) continue;
    const physicians = (
      await direct.query<{ id: string }>(
        `SELECT p.id FROM physicians p WHERE p.active AND p.primary_specialty = $1 ORDER BY p.npi LIMIT 20`,
        [type.specialty],
      )
    ).rows.map((r) => r.id);
    actors.push({
      kind: "staff",
      email: `bench.mixed.${tag}.desk${i}@rounds.test`,
      locationId,
      appointmentTypeId: type.id,
      specialty: type.specialty,
      patientIds: patients,
      physicianIds: physicians,
    });
  }
  const types = (
    await direct.query<{ id: string; specialty: string }>(
      `SELECT t.id, t.specialty FROM appointment_types t WHERE t.visit_kind = 'new' AND t.active
         AND EXISTS (SELECT 1 FROM physicians p WHERE p.primary_specialty = t.specialty AND p.active AND p.accepts_new_patients)
       ORDER BY t.code`,
    )
  ).rows;
  // adults only: a patient account books for its holder
  const patients = (
    await direct.query<{ id: string }>(
      `SELECT p.id FROM patients p WHERE ${free} AND p.birth_date < now() - interval '18 years'
       ORDER BY md5(p.id::text) LIMIT $1`,
      [clients - actors.length],
    )
  ).rows.map((r) => r.id);
  patients.forEach((patientId, i) => {
    const type = types[i % types.length]!;
    actors.push({
      kind: "patient",
      email: `bench.mixed.${tag}.patient${i}@rounds.test`,
      locationId: null,
      appointmentTypeId: type.id,
      specialty: type.specialty,
      patientIds: [patientId],
      physicianIds: [],
    });
  });
  return actors;
}

export async function createUsers(url: string, admin: BenchOptions["admin"], actors: Actor[]): Promise<void> {
  const headers = await signIn(url, admin);
  for (const a of actors) {
    const res = await fetch(`${url}/api/v1/users`, {
      method: "POST",
      headers,
      body: JSON.stringify({
        email: a.email,
        displayName: a.email.split("@")[0],
        role: a.kind === "staff" ? "location_staff" : "patient",
        password: PASSWORD,
        ...(a.kind === "staff" ? { locationIds: [a.locationId] } : { patientId: a.patientIds[0] }),
      }),
    });
    if (res.status !== 201) throw new Error(`creating ${a.email}: ${res.status} ${await res.text()}`);
  }
}
