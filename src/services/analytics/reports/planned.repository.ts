/**
 * SQL of the planned-time read model (analytics tables only): the daily planned minutes per
 * location and physician, which days are computed, and which physician-days changed since.
 */
import { type RawBuilder, sql } from "kysely";
import type { Executor } from "../../../platform/db.js";
import type { PlannedDay } from "./planned.js";
import type { Filter, GroupBy, GroupKey } from "./repository.js";

export interface PlannedTotals {
  plannedMinutes: number;
  timeOffMinutes: number;
  travelMinutes: number;
  availableMinutes: number;
  gapMinutes: number;
  gaps: number;
}

const dayText = (d: string | Date): string =>
  typeof d === "string" ? d.slice(0, 10) : d.toISOString().slice(0, 10);

function where(f: Filter): RawBuilder<unknown> {
  const parts = [sql`day >= ${f.from}::date`, sql`day <= ${f.to}::date`];
  if (f.locationIds)
    parts.push(f.locationIds.length ? sql`location_id IN (${sql.join(f.locationIds)})` : sql`false`);
  if (f.physicianIds)
    parts.push(f.physicianIds.length ? sql`physician_id IN (${sql.join(f.physicianIds)})` : sql`false`);
  if (f.specialties)
    parts.push(f.specialties.length ? sql`specialty IN (${sql.join(f.specialties)})` : sql`false`);
  return sql.join(parts, sql` AND `);
}

const groupColumns = (by: GroupBy) =>
  by === "location"
    ? sql`location_id, NULL::uuid AS physician_id, NULL::text AS specialty`
    : by === "physician"
      ? sql`location_id, physician_id, NULL::text AS specialty`
      : sql`location_id, NULL::uuid AS physician_id, specialty`;
const groupBy = (by: GroupBy) =>
  by === "location"
    ? sql`location_id`
    : by === "physician"
      ? sql`location_id, physician_id`
      : sql`location_id, specialty`;

export const plannedRepository = {
  /** The kept-time visits of these physicians starting in [from, to) (for cutting their blocks). */
  async busy(db: Executor, physicianIds: readonly string[], from: Date, to: Date) {
    if (physicianIds.length === 0) return [];
    const r = await sql<{ physician_id: string; starts_at: Date | string; ends_at: Date | string }>`
      SELECT physician_id, starts_at, ends_at FROM analytics_visits
      WHERE physician_id IN (${sql.join(physicianIds)}) AND outcome IN ('open', 'completed', 'no_show')
        AND starts_at < ${to} AND ends_at > ${from}
        -- no visit is a day long: the lower bound lets the (physician, start) index narrow the scan
        AND starts_at > ${new Date(from.getTime() - 86_400_000)}`.execute(db);
    return r.rows.map((x) => ({
      physicianId: x.physician_id,
      start: new Date(x.starts_at).getTime(),
      end: new Date(x.ends_at).getTime(),
    }));
  },

  /** Replaces these physicians' planned minutes over [from, to] with `rows`. */
  async replace(
    db: Executor,
    from: string,
    to: string,
    physicianIds: readonly string[],
    rows: readonly (PlannedDay & { physicianId: string; specialty: string })[],
  ): Promise<void> {
    if (physicianIds.length === 0) return;
    await sql`DELETE FROM analytics_daily_plans WHERE day >= ${from}::date AND day <= ${to}::date
      AND physician_id IN (${sql.join(physicianIds)})`.execute(db);
    for (let i = 0; i < rows.length; i += 500) {
      const values = rows.slice(i, i + 500).map(
        (d) =>
          sql`(${d.date}::date, ${d.locationId}::uuid, ${d.physicianId}::uuid, ${d.specialty}, ${d.plannedMinutes}::int,
               ${d.timeOffMinutes}::int, ${d.travelMinutes}::int, ${d.availableMinutes}::int, ${d.gapMinutes}::int, ${d.gaps}::int)`,
      );
      await sql`
        INSERT INTO analytics_daily_plans (day, location_id, physician_id, specialty, planned_minutes,
          time_off_minutes, travel_minutes, available_minutes, gap_minutes, gaps)
        VALUES ${sql.join(values)}
        ON CONFLICT (day, location_id, physician_id) DO UPDATE SET specialty = EXCLUDED.specialty,
          planned_minutes = EXCLUDED.planned_minutes, time_off_minutes = EXCLUDED.time_off_minutes,
          travel_minutes = EXCLUDED.travel_minutes, available_minutes = EXCLUDED.available_minutes,
          gap_minutes = EXCLUDED.gap_minutes, gaps = EXCLUDED.gaps`.execute(db);
    }
  },

  /** Days of [from, to] not computed yet for every physician. */
  async missingDays(db: Executor, from: string, to: string): Promise<string[]> {
    const r = await sql<{ day: string | Date }>`
      SELECT g.day::date AS day FROM generate_series(${from}::date, ${to}::date, interval '1 day') AS g(day)
      WHERE NOT EXISTS (SELECT 1 FROM analytics_plan_days p WHERE p.day = g.day::date)
      ORDER BY 1`.execute(db);
    return r.rows.map((x) => dayText(x.day));
  },

  async markComputed(db: Executor, from: string, to: string): Promise<void> {
    await sql`
      INSERT INTO analytics_plan_days (day, computed_at)
      SELECT g.day::date, now() FROM generate_series(${from}::date, ${to}::date, interval '1 day') AS g(day)
      ON CONFLICT (day) DO UPDATE SET computed_at = now()`.execute(db);
    await sql`DELETE FROM analytics_plan_stale WHERE day >= ${from}::date AND day <= ${to}::date`.execute(db);
  },

  /** Marks physician-days whose planned time a schedule change may have altered. */
  async markStale(db: Executor, marks: readonly { day: string; physicianId: string }[]): Promise<void> {
    const unique = [...new Map(marks.map((m) => [`${m.day}|${m.physicianId}`, m])).values()];
    for (let i = 0; i < unique.length; i += 500) {
      const values = unique.slice(i, i + 500).map((m) => sql`(${m.day}::date, ${m.physicianId}::uuid)`);
      await sql`INSERT INTO analytics_plan_stale (day, physician_id) VALUES ${sql.join(values)}
        ON CONFLICT DO NOTHING`.execute(db);
    }
  },

  /** Marks a physician's computed days in [from, to] (to null: open-ended) stale. */
  async markStaleBetween(db: Executor, physicianId: string, from: string, to: string | null): Promise<void> {
    await sql`
      INSERT INTO analytics_plan_stale (day, physician_id)
      SELECT day, ${physicianId}::uuid FROM analytics_plan_days
      WHERE day >= ${from}::date ${to === null ? sql`` : sql`AND day <= ${to}::date`}
      ON CONFLICT DO NOTHING`.execute(db);
  },

  /** The stale physician-days of [from, to] on computed days. */
  async stale(db: Executor, from: string, to: string): Promise<{ day: string; physicianId: string }[]> {
    const r = await sql<{ day: string | Date; physician_id: string }>`
      SELECT s.day, s.physician_id FROM analytics_plan_stale s
      JOIN analytics_plan_days p ON p.day = s.day
      WHERE s.day >= ${from}::date AND s.day <= ${to}::date ORDER BY s.physician_id, s.day`.execute(db);
    return r.rows.map((x) => ({ day: dayText(x.day), physicianId: x.physician_id }));
  },

  async clearStale(db: Executor, physicianId: string, from: string, to: string): Promise<void> {
    await sql`DELETE FROM analytics_plan_stale WHERE physician_id = ${physicianId}::uuid
      AND day >= ${from}::date AND day <= ${to}::date`.execute(db);
  },

  /** The planned minutes summed over the filter, per group. */
  async totals(
    db: Executor,
    f: Filter,
    by: GroupBy,
  ): Promise<
    {
      key: { locationId: string; physicianId: string | null; specialty: string | null };
      totals: PlannedTotals;
    }[]
  > {
    const r = await sql<GroupKey & Record<string, number | string | null>>`
      SELECT ${groupColumns(by)}, sum(planned_minutes)::float8 AS planned, sum(time_off_minutes)::float8 AS time_off,
        sum(travel_minutes)::float8 AS travel, sum(available_minutes)::float8 AS available,
        sum(gap_minutes)::float8 AS gap_minutes, sum(gaps)::float8 AS gaps
      FROM analytics_daily_plans WHERE ${where(f)}
      GROUP BY ${groupBy(by)} ORDER BY ${groupBy(by)}`.execute(db);
    return r.rows.map((x) => ({
      key: { locationId: x.location_id, physicianId: x.physician_id, specialty: x.specialty },
      totals: {
        plannedMinutes: Number(x.planned ?? 0),
        timeOffMinutes: Number(x.time_off ?? 0),
        travelMinutes: Number(x.travel ?? 0),
        availableMinutes: Number(x.available ?? 0),
        gapMinutes: Number(x.gap_minutes ?? 0),
        gaps: Number(x.gaps ?? 0),
      },
    }));
  },

  async clear(db: Executor): Promise<void> {
    await sql`DELETE FROM analytics_daily_plans`.execute(db);
    await sql`DELETE FROM analytics_plan_days`.execute(db);
    await sql`DELETE FROM analytics_plan_stale`.execute(db);
  },
};
