/**
 * Demo loans of the main campus's equipment that travels (its portable ultrasound and one ECG
 * cart): a few upcoming visits at a satellite that need that kind of equipment get the main
 * campus's item instead of the satellite's own, with the transport before and after reserved as
 * the booking path reserves it, so the demo shows "brought from Main Campus" on those visits and
 * the item's moves on the mobile equipment screens. The northernmost satellite (the demo front
 * desk's) is asked first. Written after the appointments; deterministic for a seed and day.
 */
import { sql } from "kysely";
import type { Executor } from "../platform/db.js";
import { networkSnapshot } from "../services/locations/index.js";
import { canTravelTo, legBetween, type Use, usesOf } from "../services/scheduling/availability/transport.js";

const DAY = 86_400_000;
/** Visits lent each item, at most one a day. */
const LOANS_PER_ITEM = 3;

const ms = (col: string) => sql.raw(`(extract(epoch FROM ${col}) * 1000)::float8`);

export async function seedDemoLoans(db: Executor, opts: { today: string }): Promise<number> {
  const snapshot = await networkSnapshot(db);
  const satellites = snapshot.locations
    .filter((l) => l.kind === "satellite")
    .sort((a, b) => (b.latitude ?? 0) - (a.latitude ?? 0) || a.code.localeCompare(b.code));
  const order = new Map(satellites.map((l, i) => [l.id, i]));
  const tomorrow = Date.parse(`${opts.today}T00:00:00Z`) + DAY;
  let lent = 0;
  for (const item of snapshot.equipment.filter((e) => e.travels)) {
    const own = snapshot.equipment
      .filter((e) => e.kind === item.kind && !e.travels && order.has(e.locationId))
      .map((e) => e.id);
    if (own.length === 0) continue;
    const candidates = (
      await sql<{ appointment_id: string; equipment_id: string; location_id: string; s: number; e: number }>`
        SELECT r.appointment_id, r.equipment_id, a.location_id, ${ms("a.starts_at")} AS s, ${ms("a.ends_at")} AS e
        FROM equipment_reservations r JOIN appointments a ON a.id = r.appointment_id
        WHERE r.active AND a.status = 'booked' AND a.starts_at >= ${new Date(tomorrow)}
          AND r.equipment_id = ANY(${own}::uuid[])
        ORDER BY a.starts_at, a.id`.execute(db)
    ).rows.sort((a, b) => order.get(a.location_id)! - order.get(b.location_id)!);
    const booked = (
      await sql<{ appointment_id: string; location_id: string; s: number; e: number }>`
        SELECT r.appointment_id, a.location_id, ${ms("r.starts_at")} AS s, ${ms("r.ends_at")} AS e
        FROM equipment_reservations r JOIN appointments a ON a.id = r.appointment_id
        WHERE r.active AND r.equipment_id = ${item.id}`.execute(db)
    ).rows;
    const uses: Array<Use & { appointmentId: string }> = booked.map((b) => ({
      appointmentId: b.appointment_id,
      start: Number(b.s),
      end: Number(b.e),
      locationId: b.location_id,
    }));
    // one satellite per item: the first (northernmost) with a visit the item can reach
    let at: string | undefined;
    const days = new Set<number>();
    for (const c of candidates) {
      const slot = { start: Number(c.s), end: Number(c.e) };
      const day = Math.floor(slot.start / DAY);
      if (days.size >= LOANS_PER_ITEM || days.has(day) || (at && c.location_id !== at)) continue;
      if (!canTravelTo(uses, c.location_id, slot, snapshot.travelMinutes)) continue;
      at = c.location_id;
      days.add(day);
      await sql`UPDATE equipment_reservations SET equipment_id = ${item.id}
                WHERE appointment_id = ${c.appointment_id} AND equipment_id = ${c.equipment_id}`.execute(db);
      uses.push({ appointmentId: c.appointment_id, ...slot, locationId: c.location_id });
      lent++;
    }
    if (!at) continue;
    // the whole chain's transport, as the booking path would have planned it use by use
    const chain = usesOf({ locationId: item.locationId, busy: uses });
    const byTime = new Map(uses.map((u) => [`${u.start}|${u.end}|${u.locationId}`, u.appointmentId]));
    const windows = chain.map((u, i) => ({
      appointment_id: byTime.get(`${u.start}|${u.end}|${u.locationId}`)!,
      before_m: legBetween(chain[i - 1] ?? null, u, item.locationId, snapshot.travelMinutes).before,
      after_m: legBetween(u, chain[i + 1] ?? null, item.locationId, snapshot.travelMinutes).after,
    }));
    await sql`
      UPDATE equipment_reservations r
      SET transport_before_minutes = v.before_m, transport_after_minutes = v.after_m
      FROM jsonb_to_recordset(${JSON.stringify(windows)}::jsonb) AS v(appointment_id uuid, before_m int, after_m int)
      WHERE r.appointment_id = v.appointment_id AND r.equipment_id = ${item.id}`.execute(db);
  }
  return lent;
}
