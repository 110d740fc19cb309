/**
 * Demo referrals between locations, in every state, so each front desk's queue, the demo
 * physician's list and the demo patient's page have something to show. Written after the
 * appointments and the demo users (it names both); deterministic for a seed.
 */
import { sql } from "kysely";
import type { Executor } from "../platform/db.js";
import { Random } from "./random.js";
import { DEMO_EMAIL_DOMAIN } from "./users.js";

interface DemoReferral {
  patient: string | undefined;
  by: string | undefined;
  fromPhysician?: string | null;
  from: string | undefined;
  to: string | undefined;
  specialty: string | undefined;
  urgency: "routine" | "soon" | "urgent";
  status: "sent" | "accepted" | "booked" | "declined" | "cancelled";
  reason: string;
  note?: string;
  answeredBy?: string | undefined;
  appointment?: string;
  attachments?: string[];
}

const first = async <T>(db: Executor, query: ReturnType<typeof sql<T>>): Promise<T | undefined> =>
  (await query.execute(db)).rows[0];

export async function seedDemoReferrals(
  db: Executor,
  opts: { seed: number; today: string },
): Promise<number> {
  const rng = new Random(opts.seed, "demo-referrals");
  const users = (
    await sql<{
      local: string;
      id: string;
      physician_id: string | null;
      patient_id: string | null;
      location_id: string | null;
    }>`
      SELECT split_part(u.email, '@', 1) AS local, u.id, u.physician_id, u.patient_id,
        (SELECT min(l.location_id::text)::uuid FROM user_locations l WHERE l.user_id = u.id) AS location_id
      FROM users u WHERE u.email LIKE ${`%@${DEMO_EMAIL_DOMAIN}`}`.execute(db)
  ).rows;
  const u = (local: string) => users.find((x) => x.local === local);
  const [main, north, clinic, physician, patient] = [
    u("staff.main"),
    u("staff.north"),
    u("staff.clinic"),
    u("physician"),
    u("patient"),
  ];
  if (!main?.location_id || !north?.location_id || !clinic?.location_id) return 0;

  /** Specialties with a department and an active appointment type at a location, in code order. */
  const specialtiesAt = async (locationId: string) =>
    (
      await sql<{ specialty: string }>`
        SELECT DISTINCT d.specialty FROM departments d
        JOIN appointment_types t ON t.specialty = d.specialty AND t.active
        WHERE d.location_id = ${locationId} ORDER BY d.specialty`.execute(db)
    ).rows.map((r) => r.specialty);
  /** Patients registered at a location and nowhere else booked, in MRN order. */
  const registeredAt = async (locationId: string, n: number) =>
    (
      await sql<{ id: string }>`
        SELECT p.id FROM patients p JOIN patient_registrations r ON r.patient_id = p.id
        WHERE r.location_id = ${locationId} AND p.active ORDER BY p.mrn LIMIT ${n}`.execute(db)
    ).rows.map((r) => r.id);
  const [atMain, atNorth, fromClinic] = await Promise.all([
    specialtiesAt(main.location_id),
    specialtiesAt(north.location_id),
    registeredAt(clinic.location_id, 5),
  ]);
  // an upcoming booked visit at the main campus, for a referral already booked
  const booked = await first(
    db,
    sql<{ id: string; patient_id: string; specialty: string }>`
      SELECT a.id, a.patient_id, t.specialty FROM appointments a
      JOIN appointment_types t ON t.id = a.appointment_type_id
      WHERE a.location_id = ${main.location_id} AND a.status = 'booked' AND a.starts_at > ${opts.today}::date
        AND NOT a.telehealth
      ORDER BY a.starts_at, a.id LIMIT 1`,
  );

  const plan: DemoReferral[] = [
    {
      patient: patient?.patient_id ?? undefined,
      by: physician?.id,
      fromPhysician: physician?.physician_id ?? null,
      from: undefined,
      to: main.location_id,
      specialty: atMain[0],
      urgency: "soon",
      status: "sent",
      reason: "Recurring chest tightness on exertion; please assess and advise",
      attachments: ["DOC-ECG-2026-0117"],
    },
    {
      patient: fromClinic[0],
      by: clinic.id,
      from: clinic.location_id,
      to: main.location_id,
      specialty: atMain[0],
      urgency: "urgent",
      status: "sent",
      reason: "Abnormal findings at the clinic today; needs a specialist this week",
      attachments: ["https://records.example.org/documents/lab-7731"],
    },
    {
      patient: fromClinic[1],
      by: clinic.id,
      from: clinic.location_id,
      to: main.location_id,
      specialty: atMain[1] ?? atMain[0],
      urgency: "routine",
      status: "accepted",
      reason: "Follow-up of a long-standing condition, requested by the patient",
      note: "Accepted; we will offer the first routine opening",
      answeredBy: main.id,
    },
    {
      patient: fromClinic[2],
      by: clinic.id,
      from: clinic.location_id,
      to: north.location_id,
      specialty: atNorth[0],
      urgency: "routine",
      status: "declined",
      reason: "Closer to the patient's home",
      note: "Not offered at this office; please refer to the main campus",
      answeredBy: north.id,
    },
    {
      patient: fromClinic[3],
      by: clinic.id,
      from: clinic.location_id,
      to: north.location_id,
      specialty: atNorth[0],
      urgency: "soon",
      status: "cancelled",
      reason: "Second opinion",
      note: "The patient chose to stay with their physician",
    },
    {
      patient: fromClinic[4],
      by: main.id,
      from: main.location_id,
      to: north.location_id,
      specialty: atNorth[0],
      urgency: "routine",
      status: "sent",
      reason: "Prefers the northern office for ongoing care",
    },
    ...(booked
      ? [
          {
            patient: booked.patient_id,
            by: clinic.id,
            from: clinic.location_id,
            to: main.location_id,
            specialty: booked.specialty,
            urgency: "soon" as const,
            status: "booked" as const,
            reason: "Specialist review requested at the clinic",
            answeredBy: main.id,
            appointment: booked.id,
          },
        ]
      : []),
  ];
  const rows = plan
    .filter((r) => r.patient && r.by && r.to && r.specialty)
    .map((r) => ({
      id: rng.uuid(),
      patient_id: r.patient!,
      referred_by: r.by!,
      from_physician_id: r.fromPhysician ?? null,
      from_location_id: r.from ?? null,
      to_location_id: r.to!,
      to_specialty: r.specialty!,
      reason: r.reason,
      urgency: r.urgency,
      attachments: r.attachments ?? [],
      status: r.status,
      status_note: r.note ?? null,
      answered_by: r.answeredBy ?? null,
      appointment_id: r.appointment ?? null,
    }));
  for (const r of rows)
    await sql`
      INSERT INTO referrals (id, patient_id, referred_by, from_physician_id, from_location_id, to_location_id,
        to_specialty, reason, urgency, attachments, status, status_note, answered_by, appointment_id)
      VALUES (${r.id}, ${r.patient_id}, ${r.referred_by}, ${r.from_physician_id}, ${r.from_location_id},
        ${r.to_location_id}, ${r.to_specialty}, ${r.reason}, ${r.urgency}, ${r.attachments}::text[], ${r.status},
        ${r.status_note}, ${r.answered_by}, ${r.appointment_id})`.execute(db);
  return rows.length;
}
