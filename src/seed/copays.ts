/**
 * The copay of every seeded booking, as the price recorder keeps it for bookings made through the
 * API (analytics' appointment_prices): the appointment type's base copay under the patient's plan,
 * recorded when it was booked. The seeded history predates the demo's copay rules, so no rule
 * adjusted it. The revenue report splits each fee into this copay and the payer's rest.
 */
import { sql } from "kysely";
import type { Executor } from "../platform/db.js";

export async function recordSeededCopays(db: Executor): Promise<number> {
  const r = await sql`
    INSERT INTO appointment_prices (appointment_id, location_id, base_cents, price_cents, rule_ids, plan,
      utilisation, reason, recorded_at)
    SELECT a.id, a.location_id, t.base_price_cents, t.base_price_cents, '{}', coalesce(p.insurance_payer, 'self_pay'),
      0, 'no_rule', a.created_at
    FROM appointments a
    JOIN appointment_types t ON t.id = a.appointment_type_id
    JOIN patients p ON p.id = a.patient_id
    WHERE a.status NOT IN ('held', 'expired') AND a.cancel_reason IS DISTINCT FROM 'hold released'
    ON CONFLICT (appointment_id) DO NOTHING`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}
