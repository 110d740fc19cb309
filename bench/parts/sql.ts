/**
 * The database's own limit: the same appointment INSERT straight in SQL with `clients`
 * connections (exclusion constraints checked, no audit, no re-check), inserts per second.
 */
import type pg from "pg";

export async function sqlInsertRate(pool: pg.Pool, seconds: number, clients: number): Promise<number> {
  const base = (
    await pool.query<{
      patient_id: string;
      physician_id: string;
      location_id: string;
      appointment_type_id: string;
    }>("SELECT patient_id, physician_id, location_id, appointment_type_id FROM appointments LIMIT 1")
  ).rows[0]!;
  // far-future, distinct minutes per insert, so constraints are checked but never hit
  let n = 0;
  const t0 = Date.now() + 400 * 86_400_000;
  const deadline = Date.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < deadline) {
        const k = n++;
        const start = new Date(t0 + k * 3_600_000);
        await pool.query(
          `INSERT INTO appointments (patient_id, physician_id, location_id, appointment_type_id, starts_at, ends_at, status)
           VALUES ($1, $2, $3, $4, $5, $6, 'booked')`,
          [
            base.patient_id,
            base.physician_id,
            base.location_id,
            base.appointment_type_id,
            start,
            new Date(start.getTime() + 1_800_000),
          ],
        );
      }
    }),
  );
  const rate = Math.round(n / ((performance.now() - started) / 1000));
  await pool.query("DELETE FROM appointments WHERE starts_at > now() + interval '390 days'");
  return rate;
}
