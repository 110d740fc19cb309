/** SQL of the third-next-available read model (analytics tables only). */
import { sql } from "kysely";
import type { Executor } from "../../../platform/db.js";
import { dayText, type Filter, type GroupBy } from "./repository.js";

/** One day's measure at a location for a specialty (days null: no third slot within the horizon). */
export interface ThirdNextRow {
  day: string;
  locationId: string;
  specialty: string;
  appointmentTypeId: string;
  days: number | null;
}

export const thirdNextRepository = {
  /** Claims a day's run in one statement: true for the one replica that wins it. */
  async claim(db: Executor, day: string): Promise<boolean> {
    const r = await sql<{ day: string }>`
      INSERT INTO analytics_third_next_runs (day, claimed_at) VALUES (${day}::date, now())
      ON CONFLICT (day) DO UPDATE SET claimed_at = now()
        WHERE NOT analytics_third_next_runs.done
          AND analytics_third_next_runs.claimed_at < now() - interval '1 hour'
      RETURNING day`.execute(db);
    return r.rows.length === 1;
  },
  async finish(db: Executor, day: string): Promise<void> {
    await sql`UPDATE analytics_third_next_runs SET done = true WHERE day = ${day}::date`.execute(db);
  },

  async save(db: Executor, day: string, rows: readonly ThirdNextRow[]): Promise<void> {
    await db.transaction().execute(async (tx) => {
      await sql`DELETE FROM analytics_third_next WHERE day = ${day}::date`.execute(tx);
      if (!rows.length) return;
      const values = rows.map(
        (r) =>
          sql`(${r.day}::date, ${r.locationId}::uuid, ${r.specialty}, ${r.appointmentTypeId}::uuid, ${r.days}::int)`,
      );
      await sql`
        INSERT INTO analytics_third_next (day, location_id, specialty, appointment_type_id, days)
        VALUES ${sql.join(values)}
        ON CONFLICT (day, location_id, specialty) DO UPDATE SET days = EXCLUDED.days,
          appointment_type_id = EXCLUDED.appointment_type_id, computed_at = now()`.execute(tx);
    });
  },

  async days(db: Executor, from: string, to: string): Promise<string[]> {
    const r = await sql<{ day: string | Date }>`
      SELECT DISTINCT day FROM analytics_third_next WHERE day >= ${from}::date AND day <= ${to}::date`.execute(
      db,
    );
    return r.rows.map((x) => dayText(x.day));
  },

  /**
   * The mean days per group over the range's computed days (physician groups have none: the
   * measure is a location's and a specialty's). Key: "location|specialty" (specialty empty per location).
   */
  async means(db: Executor, f: Filter, by: GroupBy): Promise<Map<string, number | null>> {
    if (by === "physician" || f.physicianIds) return new Map();
    const parts = [sql`day >= ${f.from}::date`, sql`day <= ${f.to}::date`];
    if (f.locationIds)
      parts.push(f.locationIds.length ? sql`location_id IN (${sql.join(f.locationIds)})` : sql`false`);
    if (f.specialties)
      parts.push(f.specialties.length ? sql`specialty IN (${sql.join(f.specialties)})` : sql`false`);
    const r = await sql<{ location_id: string; specialty: string | null; mean: number | null }>`
      SELECT location_id, ${by === "specialty" ? sql`specialty` : sql`NULL::text AS specialty`},
        avg(days)::float8 AS mean
      FROM analytics_third_next WHERE ${sql.join(parts, sql` AND `)}
      GROUP BY location_id${by === "specialty" ? sql`, specialty` : sql``}`.execute(db);
    return new Map(
      r.rows.map((x) => [
        `${x.location_id}|${x.specialty ?? ""}`,
        x.mean === null ? null : Math.round(Number(x.mean) * 10) / 10,
      ]),
    );
  },
};
