/**
 * The demo's satisfaction surveys and a compliance alert, so Reports → Quality and the compliance
 * officer's monitoring page have something to show on first start: surveys of the last weeks'
 * completed visits (most answered, mostly good, some with comments, a few still open), and a
 * break-the-glass access by the main campus desk that nobody reviewed, with the alert it raised.
 * Deterministic for a seed and day.
 */
import { sql } from "kysely";
import type { Executor } from "../platform/db.js";
import { Random } from "./random.js";
import { DEMO_EMAIL_DOMAIN } from "./users.js";

const DAY = 86_400_000;
const COMMENTS = [
  "Very kind and explained everything clearly.",
  "Started on time and the room was easy to find.",
  "Long wait at check-in, but the doctor was excellent.",
  "Parking was hard to find.",
  "Muy amable, me explicó todo.",
  "I would have liked more time to ask questions.",
];

export async function seedDemoQuality(db: Executor, opts: { seed: number; today: string }): Promise<number> {
  const rng = new Random(opts.seed, "demo-quality");
  const day0 = Date.parse(`${opts.today}T00:00:00Z`);
  const visits = (
    await sql<{
      id: string;
      patient_id: string;
      physician_id: string;
      location_id: string;
      starts_at: Date;
      completed_at: Date;
    }>`
      SELECT id, patient_id, physician_id, location_id, starts_at, completed_at FROM appointments
      WHERE status = 'completed' AND completed_at IS NOT NULL AND starts_at > ${new Date(day0 - 28 * DAY)}
      ORDER BY starts_at, id LIMIT 400`.execute(db)
  ).rows;
  let surveys = 0;
  for (const v of visits) {
    if (!rng.chance(0.6)) continue;
    const sent = new Date(new Date(v.completed_at).getTime() + 2 * 3_600_000);
    const answered = rng.chance(0.75);
    // mostly good: 5 and 4, sometimes 3, rarely 2 or 1
    const rating = rng.pick([5, 5, 5, 4, 4, 4, 4, 3, 3, 2, 1]);
    const comment = answered && rng.chance(0.25) ? rng.pick(COMMENTS) : null;
    await sql`
      INSERT INTO satisfaction_surveys
        (appointment_id, patient_id, location_id, physician_id, visit_start, sent_at, expires_at, rating, comment, answered_at)
      VALUES (${v.id}, ${v.patient_id}, ${v.location_id}, ${v.physician_id}, ${v.starts_at}, ${sent},
        ${new Date(sent.getTime() + 14 * DAY)}, ${answered ? rating : null}, ${comment},
        ${answered ? new Date(sent.getTime() + rng.int(1, 48) * 3_600_000) : null})`.execute(db);
    surveys++;
  }

  // a break-the-glass access two days ago that nobody reviewed, and the alert it raised
  const desk = (
    await sql<{
      id: string;
    }>`SELECT id FROM users WHERE email = ${`staff.main@${DEMO_EMAIL_DOMAIN}`}`.execute(db)
  ).rows[0];
  const someone = visits[0];
  if (desk && someone) {
    const grantedAt = new Date(day0 - 2 * DAY + 10 * 3_600_000);
    const grant = (
      await sql<{ id: string }>`
        INSERT INTO break_glass_grants (user_id, patient_id, reason, granted_at, expires_at)
        VALUES (${desk.id}, ${someone.patient_id}, 'Patient arrived unconscious; needed allergies',
          ${grantedAt}, ${new Date(grantedAt.getTime() + 3_600_000)})
        RETURNING id`.execute(db)
    ).rows[0]!;
    await sql`
      INSERT INTO compliance_alerts (kind, subject, detail, raised_at)
      VALUES ('break_glass_unreviewed', ${grant.id}, ${JSON.stringify({
        userId: desk.id,
        patientId: someone.patient_id,
        grantedAt: grantedAt.toISOString(),
        reviewDue: new Date(grantedAt.getTime() + DAY).toISOString(),
      })}::jsonb, ${new Date(grantedAt.getTime() + DAY)})`.execute(db);
  }
  return surveys;
}
