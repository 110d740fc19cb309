/**
 * A demo schedule change that was applied, with its report, and one open offer for the demo
 * patient's family: the physician of their next in-person visit took time off over it; the time
 * a week later is held for the patient to accept (or to pick another), and the physician's other
 * patients in that time were handed to the location's staff. Written after the appointments and
 * the demo users; does nothing when the demo patient has no suitable visit.
 */
import { sql } from "kysely";
import { Temporal } from "temporal-polyfill";
import type { Executor } from "../platform/db.js";
import { Random } from "./random.js";
import { DEMO_EMAIL_DOMAIN } from "./users.js";

const first = async <T>(db: Executor, query: ReturnType<typeof sql<T>>): Promise<T | undefined> =>
  (await query.execute(db)).rows[0];

interface Visit {
  id: string;
  patient_id: string;
  physician_id: string;
  location_id: string;
  room_id: string | null;
  appointment_type_id: string;
  starts_at: Date;
  ends_at: Date;
  reason: string | null;
  time_zone: string;
  location_name: string;
  location_kind: string;
  physician_name: string;
}

const label = (at: Date, timeZone: string) => {
  const z = Temporal.Instant.fromEpochMilliseconds(at.getTime()).toZonedDateTimeISO(timeZone);
  return {
    date: z.toPlainDate().toString(),
    time: z.toPlainTime().toString({ smallestUnit: "minute" }),
    offset: z.offset,
    timeZone,
  };
};

export async function seedDemoRescheduling(
  db: Executor,
  opts: { seed: number; today: string },
): Promise<number> {
  const rng = new Random(opts.seed, "demo-rescheduling");
  const users = await first(
    db,
    sql<{ patient_id: string | null; admin_id: string | null }>`
      SELECT (SELECT patient_id FROM users WHERE email = ${`patient@${DEMO_EMAIL_DOMAIN}`}) AS patient_id,
             (SELECT id FROM users WHERE email = ${`admin@${DEMO_EMAIL_DOMAIN}`}) AS admin_id`,
  );
  if (!users?.patient_id || !users.admin_id) return 0;
  // the next in-person visit of the demo patient's family needing no equipment, far enough ahead for
  // an offer: a cardiologist's when there is one (the demo department head heads cardiology), the
  // patient's own before a dependent's
  const visit = await first(
    db,
    sql<Visit>`
      SELECT a.id, a.patient_id, a.physician_id, a.location_id, a.room_id, a.appointment_type_id,
        a.starts_at, a.ends_at, a.reason, l.time_zone, l.name AS location_name, l.kind AS location_kind,
        p.given_name || ' ' || p.family_name || ', ' || p.title AS physician_name
      FROM appointments a
      JOIN appointment_types t ON t.id = a.appointment_type_id
      JOIN locations l ON l.id = a.location_id
      JOIN physicians p ON p.id = a.physician_id
      WHERE a.patient_id IN (SELECT ${users.patient_id}::uuid UNION SELECT dependent_id FROM family_links WHERE guardian_id = ${users.patient_id})
        AND a.status = 'booked' AND NOT a.telehealth
        AND cardinality(t.equipment_kinds) = 0 AND a.starts_at > ${opts.today}::date + 4
      ORDER BY (p.primary_specialty = 'cardiology') DESC, (a.patient_id = ${users.patient_id}) DESC, a.starts_at, a.id
      LIMIT 1`,
  );
  if (!visit) return 0;

  // the same wall-clock time one to four weeks later, where nobody (physician, room, patient) is busy
  let held: { start: Date; end: Date } | undefined;
  for (let weeks = 1; weeks <= 4 && !held; weeks++) {
    const free = await first(
      db,
      sql<{ start: Date; end: Date }>`
        WITH t AS (
          SELECT ((${visit.starts_at}::timestamptz AT TIME ZONE ${visit.time_zone}) + make_interval(weeks => ${weeks}))
                   AT TIME ZONE ${visit.time_zone} AS start,
                 ((${visit.ends_at}::timestamptz AT TIME ZONE ${visit.time_zone}) + make_interval(weeks => ${weeks}))
                   AT TIME ZONE ${visit.time_zone} AS "end")
        SELECT t.start, t."end" FROM t
        WHERE NOT EXISTS (
          SELECT 1 FROM appointments a WHERE a.active AND tstzrange(a.starts_at, a.ends_at) && tstzrange(t.start, t."end")
            AND (a.physician_id = ${visit.physician_id} OR a.patient_id = ${visit.patient_id}
                 OR a.room_id IS NOT DISTINCT FROM ${visit.room_id}::uuid))
        AND NOT EXISTS (
          SELECT 1 FROM time_off o WHERE o.physician_id = ${visit.physician_id} AND o.status <> 'declined'
            AND tstzrange(o.starts_at, o.ends_at) && tstzrange(t.start, t."end"))`,
    );
    if (free) held = free;
  }
  if (!held) return 0;
  // the time off: over the visit, an hour either side when that is free of other time off
  const around = async (margin: number) =>
    first(
      db,
      sql<{ starts_at: Date; ends_at: Date }>`
        SELECT ${visit.starts_at}::timestamptz - make_interval(mins => ${margin}) AS starts_at,
               ${visit.ends_at}::timestamptz + make_interval(mins => ${margin}) AS ends_at
        WHERE NOT EXISTS (
          SELECT 1 FROM time_off o WHERE o.physician_id = ${visit.physician_id} AND o.status <> 'declined'
            AND tstzrange(o.starts_at, o.ends_at) && tstzrange(${visit.starts_at}::timestamptz - make_interval(mins => ${margin}),
              ${visit.ends_at}::timestamptz + make_interval(mins => ${margin})))`,
    );
  const span = (await around(60)) ?? (await around(0));
  if (!span) return 0;

  await sql`
    INSERT INTO time_off (id, physician_id, starts_at, ends_at, reason, status)
    VALUES (${rng.uuid()}, ${visit.physician_id}, ${span.starts_at}, ${span.ends_at}, 'Conference', 'approved')`.execute(
    db,
  );
  // the physician's other patients in that time were handed to their front desk
  const others = (
    await sql<Omit<Visit, "time_zone" | "location_name" | "location_kind" | "physician_name">>`
      SELECT id, patient_id, physician_id, location_id, room_id, appointment_type_id, starts_at, ends_at, reason
      FROM appointments
      WHERE physician_id = ${visit.physician_id} AND status = 'booked' AND id <> ${visit.id}
        AND tstzrange(starts_at, ends_at) && tstzrange(${span.starts_at}::timestamptz, ${span.ends_at}::timestamptz)
      ORDER BY starts_at, id`.execute(db)
  ).rows;

  const hold = await first(
    db,
    sql<{ id: string }>`
      INSERT INTO appointments (id, patient_id, physician_id, location_id, room_id, appointment_type_id, starts_at, ends_at,
        status, hold_expires_at, telehealth, reason, created_by, override_reason)
      VALUES (${rng.uuid()}, ${visit.patient_id}, ${visit.physician_id}, ${visit.location_id}, ${visit.room_id}, ${visit.appointment_type_id},
        ${held.start}, ${held.end}, 'held', now() + interval '47 hours', false, ${visit.reason}, ${users.admin_id},
        'reschedule keeps the care team')
      RETURNING id`,
  );
  const alternative = {
    // an option id nobody can open (the plan is applied: its alternatives are a record, not an offer)
    id: `demo-option-${rng.uuid()}`,
    physicianId: visit.physician_id,
    physicianName: visit.physician_name,
    locationId: visit.location_id,
    locationName: visit.location_name,
    locationKind: visit.location_kind,
    roomId: visit.room_id,
    equipmentIds: [],
    equipment: [],
    appointmentTypeId: visit.appointment_type_id,
    start: held.start.toISOString(),
    end: held.end.toISOString(),
    local: label(held.start, visit.time_zone),
    telehealth: false,
    distanceKm: null,
    score: 0,
    reasons: ["same physician, same place, a week later"],
  };
  const item = (
    v: Omit<Visit, "time_zone" | "location_name" | "location_kind" | "physician_name">,
    alts: unknown[],
  ) => ({
    appointmentId: v.id,
    patientId: v.patient_id,
    locationId: v.location_id,
    appointmentTypeId: v.appointment_type_id,
    start: v.starts_at.toISOString(),
    end: v.ends_at.toISOString(),
    alternatives: alts,
  });
  const change = {
    change: "time_off",
    physicianId: visit.physician_id,
    startsAt: span.starts_at.toISOString(),
    endsAt: span.ends_at.toISOString(),
    reason: "Conference",
  };
  const planId = rng.uuid();
  await sql`
    INSERT INTO reschedule_plans (id, physician_id, change, plan_stamp, status, items, created_by, created_at, expires_at,
      applied_by, applied_at)
    VALUES (${planId}, ${visit.physician_id}, ${JSON.stringify(change)}::jsonb, gen_random_uuid(), 'applied',
      ${JSON.stringify([item(visit, [alternative]), ...others.map((o) => item(o, []))])}::jsonb, ${users.admin_id},
      now() - interval '2 hours', now() - interval '90 minutes', ${users.admin_id}, now() - interval '2 hours')`.execute(
    db,
  );
  await sql`
    INSERT INTO reschedule_outcomes (id, plan_id, appointment_id, location_id, patient_id, starts_at, policy, state, hold_id,
      offer_expires_at)
    VALUES (${rng.uuid()}, ${planId}, ${visit.id}, ${visit.location_id}, ${visit.patient_id}, ${visit.starts_at}, 'offer', 'offered',
      ${hold!.id}, now() + interval '47 hours')`.execute(db);
  for (const o of others)
    await sql`
      INSERT INTO reschedule_outcomes (id, plan_id, appointment_id, location_id, patient_id, starts_at, policy, state, note)
      VALUES (${rng.uuid()}, ${planId}, ${o.id}, ${o.location_id}, ${o.patient_id}, ${o.starts_at}, 'staff', 'needs_attention',
        'handed to the location''s staff by the plan''s policy')`.execute(db);
  return 1 + others.length;
}
