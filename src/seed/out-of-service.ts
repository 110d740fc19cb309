/**
 * Demo periods out of service at the main front desk's location, so its screens and the admin's
 * Facilities tab show them: one room and one item of equipment out of service for a working day
 * later this week (07:00 to 19:00 local, DST-correct through the location's zone), each in a
 * window where nothing was booked, each with the applied plan (no affected appointments) that
 * took it out. Written after the appointments and the demo users.
 */
import { sql } from "kysely";
import type { Executor } from "../platform/db.js";
import { DEMO_EMAIL_DOMAIN } from "./users.js";

export async function seedDemoOutOfService(db: Executor, opts: { today: string }): Promise<number> {
  const place = (
    await sql<{ location_id: string; admin_id: string; from: Date; until: Date }>`
      SELECT ul.location_id, a.id AS admin_id,
        ((${opts.today}::date + 3) + time '07:00') AT TIME ZONE l.time_zone AS "from",
        ((${opts.today}::date + 3) + time '19:00') AT TIME ZONE l.time_zone AS "until"
      FROM users s
      JOIN user_locations ul ON ul.user_id = s.id
      JOIN locations l ON l.id = ul.location_id
      CROSS JOIN (SELECT id FROM users WHERE email = ${`admin@${DEMO_EMAIL_DOMAIN}`}) a
      WHERE s.email = ${`staff.main@${DEMO_EMAIL_DOMAIN}`}
      ORDER BY ul.location_id LIMIT 1`.execute(db)
  ).rows[0];
  if (!place) return 0;
  const { location_id: locationId, from, until } = place;
  const room = (
    await sql<{ id: string }>`
      SELECT r.id FROM rooms r
      WHERE r.location_id = ${locationId} AND r.active AND NOT EXISTS (
        SELECT 1 FROM appointments a WHERE a.room_id = r.id AND a.status IN ('booked', 'held')
          AND a.starts_at < ${until} AND a.ends_at > ${from})
      ORDER BY r.kind <> 'exam', r.code LIMIT 1`.execute(db)
  ).rows[0];
  const item = (
    await sql<{ id: string }>`
      SELECT e.id FROM equipment e
      WHERE e.location_id = ${locationId} AND e.active AND NOT EXISTS (
        SELECT 1 FROM equipment_reservations x WHERE x.equipment_id = e.id AND x.active
          AND x.reserved_from < ${until} AND x.reserved_until > ${from})
      ORDER BY e.travels, e.kind, e.asset_tag LIMIT 1`.execute(db)
  ).rows[0];
  let written = 0;
  for (const [kind, id, reason] of [
    ["room", room?.id, "Floor being resealed"],
    ["equipment", item?.id, "Annual calibration by the manufacturer"],
  ] as const) {
    if (!id) continue;
    const table = kind === "room" ? sql`rooms` : sql`equipment`;
    await sql`UPDATE ${table} SET out_of_service_from = ${from}, out_of_service_until = ${until},
      out_of_service_reason = ${reason} WHERE id = ${id}`.execute(db);
    const change = {
      change: `${kind}_out_of_service`,
      [kind === "room" ? "roomId" : "equipmentId"]: id,
      reason,
      from: from.toISOString(),
      until: until.toISOString(),
    };
    await sql`
      INSERT INTO reschedule_plans (physician_id, room_id, equipment_id, change, plan_stamp, status, items,
        created_by, expires_at, applied_by, applied_at, cause)
      VALUES (NULL, ${kind === "room" ? id : null}, ${kind === "equipment" ? id : null}, ${JSON.stringify(change)}::jsonb,
        gen_random_uuid(), 'applied', '[]'::jsonb, ${place.admin_id}, now() + interval '30 minutes',
        ${place.admin_id}, now(), ${`${kind}_out_of_service`})`.execute(db);
    written += 1;
  }
  return written;
}
