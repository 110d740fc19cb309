/**
 * SQL of the reports' read model (tables of the analytics module only): visit rows, the daily
 * facts and flows they add up to, the fee schedule and the projection's cursor.
 */
import { type RawBuilder, sql } from "kysely";
import type { Executor } from "../../../platform/db.js";
import { COUNTERS, type Contribution, type DailyCounters, type Outcome, type VisitRow } from "./facts.js";

const COLUMN: Record<keyof DailyCounters, string> = {
  appointments: "appointments",
  open: "open",
  completed: "completed",
  noShows: "no_shows",
  cancelled: "cancelled",
  lateCancelled: "late_cancelled",
  rescheduled: "rescheduled",
  bookedMinutes: "booked_minutes",
  completedMinutes: "completed_minutes",
  noShowMinutes: "no_show_minutes",
  cancelledMinutes: "cancelled_minutes",
  leadMinutesSum: "lead_minutes_sum",
  leadCount: "lead_count",
  waitMinutesSum: "wait_minutes_sum",
  waitCount: "wait_count",
};

/** Rows per statement when writing in bulk (parameters stay well under PostgreSQL's limit). */
const CHUNK = 500;

export function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/** A visit row as the database returns it. */
export type VisitRecord = {
  appointment_id: string;
  day: string | Date;
  location_id: string;
  physician_id: string;
  appointment_type_id: string;
  specialty: string;
  outcome: Outcome;
  minutes: number;
  lead_minutes: number;
  wait_minutes: number | null;
  from_location_id: string | null;
  home_area: string | null;
  referred_from: string | null;
  followed_from: string | null;
  starts_at: Date | string | null;
  ends_at: Date | string | null;
};

export const dayText = (d: string | Date): string =>
  typeof d === "string" ? d.slice(0, 10) : d.toISOString().slice(0, 10);

export interface Filter {
  from: string;
  to: string;
  locationIds?: readonly string[];
  physicianIds?: readonly string[];
  specialties?: readonly string[];
}

export function where(f: Filter): RawBuilder<unknown> {
  const parts = [sql`day >= ${f.from}::date`, sql`day <= ${f.to}::date`];
  if (f.locationIds)
    parts.push(f.locationIds.length ? sql`location_id IN (${sql.join(f.locationIds)})` : sql`false`);
  if (f.physicianIds)
    parts.push(f.physicianIds.length ? sql`physician_id IN (${sql.join(f.physicianIds)})` : sql`false`);
  if (f.specialties)
    parts.push(f.specialties.length ? sql`specialty IN (${sql.join(f.specialties)})` : sql`false`);
  return sql.join(parts, sql` AND `);
}

export type GroupBy = "location" | "physician" | "specialty";
export const groupColumns = (by: GroupBy) =>
  by === "location"
    ? sql`location_id, NULL::uuid AS physician_id, NULL::text AS specialty`
    : by === "physician"
      ? sql`location_id, physician_id, NULL::text AS specialty`
      : sql`location_id, NULL::uuid AS physician_id, specialty`;
export const groupBy = (by: GroupBy) =>
  by === "location"
    ? sql`location_id`
    : by === "physician"
      ? sql`location_id, physician_id`
      : sql`location_id, specialty`;

export interface GroupKey {
  location_id: string;
  physician_id: string | null;
  specialty: string | null;
}

export const reportsRepository = {
  async cursor(db: Executor, lock: boolean): Promise<number | null> {
    const r = await sql<{ last_seq: string | number | null }>`
      SELECT last_seq FROM analytics_projection WHERE id = 1 ${lock ? sql`FOR UPDATE` : sql``}`.execute(db);
    const v = r.rows[0]?.last_seq;
    return v === null || v === undefined ? null : Number(v);
  },
  async setCursor(db: Executor, seq: number): Promise<void> {
    await sql`UPDATE analytics_projection SET last_seq = ${seq} WHERE id = 1`.execute(db);
  },

  async visits(db: Executor, ids: readonly string[]): Promise<Map<string, VisitRow>> {
    const out = new Map<string, VisitRow>();
    for (const part of chunks(ids)) {
      const r = await sql<VisitRecord>`
        SELECT * FROM analytics_visits WHERE appointment_id IN (${sql.join(part)})`.execute(db);
      for (const v of r.rows)
        out.set(v.appointment_id, {
          appointmentId: v.appointment_id,
          day: dayText(v.day),
          locationId: v.location_id,
          physicianId: v.physician_id,
          appointmentTypeId: v.appointment_type_id,
          specialty: v.specialty,
          outcome: v.outcome,
          minutes: Number(v.minutes),
          leadMinutes: Number(v.lead_minutes),
          waitMinutes: v.wait_minutes === null ? null : Number(v.wait_minutes),
          fromLocationId: v.from_location_id,
          homeArea: v.home_area,
          referredFrom: v.referred_from,
          followedFrom: v.followed_from,
          startsAt: v.starts_at === null ? null : new Date(v.starts_at).toISOString(),
          endsAt: v.ends_at === null ? null : new Date(v.ends_at).toISOString(),
        });
    }
    return out;
  },

  async saveVisits(db: Executor, rows: readonly VisitRow[], removed: readonly string[]): Promise<void> {
    for (const part of chunks(removed))
      await sql`DELETE FROM analytics_visits WHERE appointment_id IN (${sql.join(part)})`.execute(db);
    for (const part of chunks(rows)) {
      const values = part.map(
        (v) =>
          sql`(${v.appointmentId}::uuid, ${v.day}::date, ${v.locationId}::uuid, ${v.physicianId}::uuid,
               ${v.appointmentTypeId}::uuid, ${v.specialty}, ${v.outcome}, ${v.minutes}::int, ${v.leadMinutes}::int,
               ${v.waitMinutes}::int, ${v.fromLocationId}::uuid, ${v.homeArea}, ${v.startsAt}::timestamptz,
               ${v.endsAt}::timestamptz, ${v.referredFrom}::uuid,
               ${v.followedFrom}::uuid)`,
      );
      await sql`
        INSERT INTO analytics_visits (appointment_id, day, location_id, physician_id, appointment_type_id,
          specialty, outcome, minutes, lead_minutes, wait_minutes, from_location_id, home_area, starts_at, ends_at,
          referred_from, followed_from)
        VALUES ${sql.join(values)}
        ON CONFLICT (appointment_id) DO UPDATE SET day = EXCLUDED.day, location_id = EXCLUDED.location_id,
          physician_id = EXCLUDED.physician_id, appointment_type_id = EXCLUDED.appointment_type_id,
          specialty = EXCLUDED.specialty, outcome = EXCLUDED.outcome, minutes = EXCLUDED.minutes,
          lead_minutes = EXCLUDED.lead_minutes, wait_minutes = EXCLUDED.wait_minutes,
          from_location_id = EXCLUDED.from_location_id, home_area = EXCLUDED.home_area,
          starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at,
          referred_from = EXCLUDED.referred_from, followed_from = EXCLUDED.followed_from`.execute(db);
    }
  },

  /** Adds contributions to the daily facts and flows (summed per key first: one row per key per statement). */
  async apply(db: Executor, contributions: readonly Contribution[]): Promise<void> {
    const daily = new Map<string, Contribution["daily"]>();
    const flows = new Map<string, Contribution["flows"][number]>();
    for (const c of contributions) {
      const k = `${c.daily.key.day}|${c.daily.key.locationId}|${c.daily.key.physicianId}|${c.daily.key.appointmentTypeId}`;
      const seen = daily.get(k);
      if (!seen) daily.set(k, { key: c.daily.key, counters: { ...c.daily.counters } });
      else for (const n of COUNTERS) seen.counters[n] += c.daily.counters[n];
      for (const f of c.flows) {
        const fk = `${f.key.day}|${f.key.sourceKind}|${f.key.source}|${f.key.locationId}|${f.key.physicianId}|${f.key.specialty}`;
        const s = flows.get(fk);
        if (!s) flows.set(fk, { key: f.key, visits: f.visits });
        else s.visits += f.visits;
      }
    }
    const cols = sql.join(COUNTERS.map((n) => sql.ref(COLUMN[n])));
    const updates = sql.join(
      COUNTERS.map(
        (n) =>
          sql`${sql.ref(COLUMN[n])} = analytics_daily.${sql.ref(COLUMN[n])} + EXCLUDED.${sql.ref(COLUMN[n])}`,
      ),
    );
    for (const part of chunks([...daily.values()])) {
      const values = part.map(
        ({ key, counters }) =>
          sql`(${key.day}::date, ${key.locationId}::uuid, ${key.physicianId}::uuid, ${key.appointmentTypeId}::uuid,
               ${key.specialty}, ${sql.join(COUNTERS.map((n) => sql`${counters[n]}::int`))})`,
      );
      await sql`
        INSERT INTO analytics_daily (day, location_id, physician_id, appointment_type_id, specialty, ${cols})
        VALUES ${sql.join(values)}
        ON CONFLICT (day, location_id, physician_id, appointment_type_id) DO UPDATE SET ${updates}`.execute(
        db,
      );
    }
    for (const part of chunks([...flows.values()])) {
      const values = part.map(
        ({ key, visits }) =>
          sql`(${key.day}::date, ${key.sourceKind}, ${key.source}, ${key.locationId}::uuid, ${key.physicianId}::uuid,
               ${key.specialty}, ${visits}::int)`,
      );
      await sql`
        INSERT INTO analytics_daily_flows (day, source_kind, source, location_id, physician_id, specialty, visits)
        VALUES ${sql.join(values)}
        ON CONFLICT (day, source_kind, source, location_id, physician_id, specialty)
        DO UPDATE SET visits = analytics_daily_flows.visits + EXCLUDED.visits`.execute(db);
    }
  },

  /** Empties the read model (before a rebuild). */
  async clear(db: Executor): Promise<void> {
    await sql`DELETE FROM analytics_visits`.execute(db);
    await sql`DELETE FROM analytics_daily`.execute(db);
    await sql`DELETE FROM analytics_daily_flows`.execute(db);
  },

  /** The daily facts summed over the filter, per group, with each group's fees applied. */
  async totals(db: Executor, f: Filter, by: GroupBy) {
    const r = await sql<GroupKey & Record<string, string | number | null> & { unpriced: number | string }>`
      SELECT ${groupColumns(by)},
        ${sql.join(COUNTERS.map((n) => sql`sum(d.${sql.ref(COLUMN[n])})::float8 AS ${sql.ref(COLUMN[n])}`))},
        sum(d.appointments * f.fee_cents)::float8 AS booked_cents,
        sum(d.completed * f.fee_cents)::float8 AS realised_cents,
        sum(d.no_shows * f.fee_cents)::float8 AS no_show_cents,
        sum((d.cancelled + d.late_cancelled) * f.fee_cents)::float8 AS cancelled_cents,
        sum(CASE WHEN f.fee_cents IS NULL THEN d.appointments ELSE 0 END)::float8 AS unpriced
      FROM (SELECT * FROM analytics_daily WHERE ${where(f)}) d
      LEFT JOIN analytics_fees f USING (location_id, appointment_type_id)
      GROUP BY ${groupBy(by)}
      ORDER BY ${groupBy(by)}`.execute(db);
    return r.rows.map((row) => ({
      key: { locationId: row.location_id, physicianId: row.physician_id, specialty: row.specialty },
      counters: Object.fromEntries(
        COUNTERS.map((n) => [n, Number(row[COLUMN[n]] ?? 0)]),
      ) as unknown as DailyCounters,
      cents: {
        booked: Number(row.booked_cents ?? 0),
        realised: Number(row.realised_cents ?? 0),
        noShow: Number(row.no_show_cents ?? 0),
        cancelled: Number(row.cancelled_cents ?? 0),
      },
      unpriced: Number(row.unpriced ?? 0),
    }));
  },

  async flows(db: Executor, f: Filter) {
    const r = await sql<{
      source_kind: "location" | "area" | "referral" | "follow_up";
      source: string;
      location_id: string;
      visits: number;
    }>`
      SELECT source_kind, source, location_id, sum(visits)::int AS visits
      FROM analytics_daily_flows WHERE ${where(f)}
      GROUP BY source_kind, source, location_id
      HAVING sum(visits) > 0
      ORDER BY source_kind, source, location_id`.execute(db);
    return r.rows.map((x) => ({
      sourceKind: x.source_kind,
      source: x.source,
      locationId: x.location_id,
      visits: Number(x.visits),
    }));
  },

  async fees(db: Executor, locationIds?: readonly string[]) {
    const r = await sql<{
      location_id: string;
      appointment_type_id: string;
      fee_cents: number;
      billing_code: string;
    }>`
      SELECT location_id, appointment_type_id, fee_cents, billing_code FROM analytics_fees
      ${locationIds ? (locationIds.length ? sql`WHERE location_id IN (${sql.join(locationIds)})` : sql`WHERE false`) : sql``}
      ORDER BY location_id, appointment_type_id`.execute(db);
    return r.rows.map((x) => ({
      locationId: x.location_id,
      appointmentTypeId: x.appointment_type_id,
      feeCents: Number(x.fee_cents),
      billingCode: x.billing_code,
    }));
  },

  async setFee(
    db: Executor,
    fee: { locationId: string; appointmentTypeId: string; feeCents: number; billingCode: string },
  ): Promise<void> {
    await sql`
      INSERT INTO analytics_fees (location_id, appointment_type_id, fee_cents, billing_code, updated_at)
      VALUES (${fee.locationId}::uuid, ${fee.appointmentTypeId}::uuid, ${fee.feeCents}, ${fee.billingCode}, now())
      ON CONFLICT (location_id, appointment_type_id)
      DO UPDATE SET fee_cents = EXCLUDED.fee_cents, billing_code = EXCLUDED.billing_code, updated_at = now()`.execute(
      db,
    );
  },

  async removeFee(db: Executor, locationId: string, appointmentTypeId: string): Promise<boolean> {
    const r = await sql`
      DELETE FROM analytics_fees WHERE location_id = ${locationId}::uuid AND appointment_type_id = ${appointmentTypeId}::uuid`.execute(
      db,
    );
    return Number(r.numAffectedRows ?? 0) > 0;
  },
};
