/**
 * The demo waitlist, so the patient's and the front desk's waitlist screens have something to
 * show on first start: patients waiting at the main campus (every urgency, one for a named
 * physician), one open offer to the demo patient (a cancelled visit's slot, held for them), and
 * a history of accepted, declined and expired offers for the figures. Written after the
 * appointments and the demo users; deterministic for a seed and day (times count from the day).
 */
import { sql } from "kysely";
import type { Executor } from "../platform/db.js";
import { WAITLIST_ACTOR } from "../services/waitlist/index.js";
import { Random } from "./random.js";
import { DEMO_EMAIL_DOMAIN } from "./users.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface Slot {
  id: string;
  patient_id: string;
  physician_id: string;
  location_id: string;
  room_id: string | null;
  appointment_type_id: string;
  specialty: string;
  starts_at: Date;
  ends_at: Date;
}

export async function seedDemoWaitlist(db: Executor, opts: { seed: number; today: string }): Promise<number> {
  const rng = new Random(opts.seed, "demo-waitlist");
  const day0 = Date.parse(`${opts.today}T00:00:00Z`);
  const at = (ms: number) => new Date(day0 + ms);
  const users = (
    await sql<{ local: string; id: string; patient_id: string | null; location_id: string | null }>`
      SELECT split_part(u.email, '@', 1) AS local, u.id, u.patient_id,
        (SELECT min(l.location_id::text)::uuid FROM user_locations l WHERE l.user_id = u.id) AS location_id
      FROM users u WHERE u.email LIKE ${`%@${DEMO_EMAIL_DOMAIN}`}`.execute(db)
  ).rows;
  const main = users.find((u) => u.local === "staff.main");
  const patient = users.find((u) => u.local === "patient");
  if (!main?.location_id || !patient?.patient_id) return 0;
  const mainId = main.location_id;
  const me = patient.patient_id;

  /** Upcoming in-person visits at the main campus with no equipment, in time order. */
  const upcoming = (
    await sql<Slot>`
      SELECT a.id, a.patient_id, a.physician_id, a.location_id, a.room_id, a.appointment_type_id,
        t.specialty, a.starts_at, a.ends_at
      FROM appointments a JOIN appointment_types t ON t.id = a.appointment_type_id
      WHERE a.location_id = ${mainId} AND a.status = 'booked' AND NOT a.telehealth
        AND a.starts_at > ${at(DAY)} AND a.starts_at < ${at(10 * DAY)} AND a.patient_id <> ${me}
        AND NOT EXISTS (SELECT 1 FROM equipment_reservations r WHERE r.appointment_id = a.id)
        AND NOT EXISTS (SELECT 1 FROM referrals f WHERE f.appointment_id = a.id)
        AND NOT EXISTS (SELECT 1 FROM appointments m WHERE m.patient_id = ${me} AND m.active
                          AND tstzrange(m.starts_at, m.ends_at) && tstzrange(a.starts_at, a.ends_at))
      ORDER BY a.starts_at, a.id LIMIT 40`.execute(db)
  ).rows;
  const waiting = (
    await sql<{ id: string }>`
      SELECT p.id FROM patients p JOIN patient_registrations r ON r.patient_id = p.id
      WHERE r.location_id = ${mainId} AND p.active AND p.id <> ${me}
        AND NOT EXISTS (SELECT 1 FROM family_links f WHERE f.dependent_id = p.id OR f.guardian_id = p.id)
      ORDER BY p.mrn LIMIT 40 OFFSET 20`.execute(db)
  ).rows.map((r) => r.id);
  const [freed, acceptedA, acceptedB] = [upcoming[0], upcoming[5], upcoming[11]];
  if (!freed || !acceptedA || !acceptedB || waiting.length < 6) return 0;

  let entries = 0;
  const entry = async (e: {
    patientId: string;
    slot: Slot;
    physicianId?: string | null;
    urgency: "routine" | "soon" | "urgent";
    status: "waiting" | "offered" | "booked";
    joinedDaysAgo: number;
    timesOfDay?: string[];
    note?: string | null;
  }) => {
    const id = rng.uuid();
    await sql`
      INSERT INTO waitlist_entries (id, patient_id, appointment_type_id, specialty, physician_id, location_ids,
        window_from, window_to, times_of_day, urgency, status, note, created_by, created_at, updated_at)
      VALUES (${id}, ${e.patientId}, ${e.slot.appointment_type_id}, ${e.slot.specialty}, ${e.physicianId ?? null},
        ${[mainId]}::uuid[], ${at(-e.joinedDaysAgo * DAY)}, ${at(42 * DAY)}, ${e.timesOfDay ?? []}::text[],
        ${e.urgency}, ${e.status}, ${e.note ?? null}, ${e.patientId === me ? patient.id : main.id},
        ${at(-e.joinedDaysAgo * DAY)}, ${at(-e.joinedDaysAgo * DAY)})`.execute(db);
    entries++;
    return id;
  };
  /** A slot held (or once held) for a patient: the hold an offer names. */
  const hold = async (
    slot: Slot,
    patientId: string,
    status: "held" | "expired",
    expires: Date,
    shift = 0,
  ) => {
    const id = rng.uuid();
    await sql`
      INSERT INTO appointments (id, patient_id, physician_id, location_id, room_id, appointment_type_id,
        starts_at, ends_at, status, hold_expires_at, created_by, created_at, updated_at)
      VALUES (${id}, ${patientId}, ${slot.physician_id}, ${slot.location_id}, ${slot.room_id},
        ${slot.appointment_type_id}, ${new Date(slot.starts_at.getTime() + shift)},
        ${new Date(slot.ends_at.getTime() + shift)}, ${status}, ${status === "held" ? expires : null},
        ${WAITLIST_ACTOR.userId}, ${at(-2 * HOUR)}, ${at(-2 * HOUR)})`.execute(db);
    return id;
  };
  const offer = async (o: {
    entryId: string;
    appointmentId: string;
    patientId: string;
    slot: Slot;
    shift?: number;
    status: "offered" | "accepted" | "declined" | "expired";
    madeAt: Date;
    expiresAt: Date;
    respondedAt: Date | null;
    freedMinutesBefore: number;
  }) => {
    const shift = o.shift ?? 0;
    await sql`
      INSERT INTO waitlist_offers (id, entry_id, appointment_id, patient_id, location_id, starts_at, ends_at,
        expires_at, freed_at, status, responded_at, created_at)
      VALUES (${rng.uuid()}, ${o.entryId}, ${o.appointmentId}, ${o.patientId}, ${mainId},
        ${new Date(o.slot.starts_at.getTime() + shift)}, ${new Date(o.slot.ends_at.getTime() + shift)},
        ${o.expiresAt}, ${new Date(o.madeAt.getTime() - o.freedMinutesBefore * 60_000)}, ${o.status},
        ${o.respondedAt}, ${o.madeAt})`.execute(db);
  };

  // the demo patient's open offer: a visit cancelled this morning, its slot held for them until tomorrow
  await sql`
    UPDATE appointments SET status = 'cancelled', cancel_reason = 'The patient called to cancel',
      updated_at = ${at(-HOUR)} WHERE id = ${freed.id}`.execute(db);
  const mine = await entry({
    patientId: me,
    slot: freed,
    urgency: "soon",
    status: "offered",
    joinedDaysAgo: 6,
  });
  const expires = at(2 * DAY);
  await offer({
    entryId: mine,
    appointmentId: await hold(freed, me, "held", expires),
    patientId: me,
    slot: freed,
    status: "offered",
    madeAt: at(-HOUR),
    expiresAt: expires,
    respondedAt: null,
    freedMinutesBefore: 1,
  });

  // patients waiting at the main campus, every urgency; one for the physician they saw before
  const [w1, w2, w3, w4, w5, w6] = waiting as [string, string, string, string, string, string];
  await entry({ patientId: w1, slot: freed, urgency: "urgent", status: "waiting", joinedDaysAgo: 2 });
  await entry({
    patientId: w2,
    slot: freed,
    physicianId: freed.physician_id,
    urgency: "soon",
    status: "waiting",
    joinedDaysAgo: 9,
    note: "Prefers their own physician",
  });
  await entry({
    patientId: w3,
    slot: acceptedA,
    urgency: "routine",
    status: "waiting",
    joinedDaysAgo: 14,
    timesOfDay: ["morning"],
  });
  await entry({ patientId: w4, slot: acceptedB, urgency: "routine", status: "waiting", joinedDaysAgo: 4 });

  // history: two offers accepted (their visits are the booked ones), one declined, one expired
  for (const [slot, daysAgo, minutes] of [
    [acceptedA, 3, 35],
    [acceptedB, 8, 95],
  ] as const) {
    const who = slot.patient_id;
    const id = await entry({
      patientId: who,
      slot,
      urgency: "routine",
      status: "booked",
      joinedDaysAgo: daysAgo + 5,
    });
    const madeAt = at(-daysAgo * DAY);
    await offer({
      entryId: id,
      appointmentId: slot.id,
      patientId: who,
      slot,
      status: "accepted",
      madeAt,
      expiresAt: new Date(madeAt.getTime() + 2 * HOUR),
      respondedAt: new Date(madeAt.getTime() + (minutes - 5) * 60_000),
      freedMinutesBefore: 5,
    });
  }
  for (const [who, slot, status, daysAgo] of [
    [w5, acceptedA, "declined", 5],
    [w6, acceptedB, "expired", 2],
  ] as const) {
    const id = await entry({
      patientId: who,
      slot,
      urgency: "routine",
      status: "waiting",
      joinedDaysAgo: daysAgo + 3,
    });
    const madeAt = at(-daysAgo * DAY);
    const expiresAt = new Date(madeAt.getTime() + 2 * HOUR);
    await offer({
      entryId: id,
      // a slot a week later than the visit, held for them and given back
      appointmentId: await hold(slot, who, "expired", expiresAt, 7 * DAY),
      patientId: who,
      slot,
      shift: 7 * DAY,
      status,
      madeAt,
      expiresAt,
      respondedAt: status === "declined" ? new Date(madeAt.getTime() + 20 * 60_000) : expiresAt,
      freedMinutesBefore: 3,
    });
  }
  return entries;
}
