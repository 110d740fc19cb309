/**
 * SQL of the revenue report's copay split (analytics tables only): the copay row per visit, the
 * daily copay sums, their cursor, and the sums a report reads with the fee schedule applied.
 */
import { sql } from "kysely";
import type { Executor } from "../../../platform/db.js";
import type { VisitRow } from "./facts.js";
import {
  chunks,
  dayText,
  type Filter,
  type GroupBy,
  type GroupKey,
  groupBy,
  groupColumns,
  type VisitRecord,
  where,
} from "./repository.js";
import {
  COPAY_COUNTERS,
  type CopayContribution,
  type CopayCounters,
  type CopayRow,
  type CopaySums,
} from "./revenue.js";

const COLUMN: Record<keyof CopayCounters, string> = {
  bookedPriced: "booked_priced",
  bookedCopayCents: "booked_copay_cents",
  completedPriced: "completed_priced",
  completedCopayCents: "completed_copay_cents",
};

/** The key and outcome of a visit row: all the copay split reads of it. */
type Record_ = Pick<
  VisitRecord,
  "appointment_id" | "day" | "location_id" | "physician_id" | "appointment_type_id" | "specialty" | "outcome"
>;

const keyOf = (r: Record_) => ({
  appointmentId: r.appointment_id,
  day: dayText(r.day),
  locationId: r.location_id,
  physicianId: r.physician_id,
  appointmentTypeId: r.appointment_type_id,
  specialty: r.specialty,
  outcome: r.outcome,
});

export const copaysRepository = {
  async cursor(db: Executor): Promise<number | null> {
    const r = await sql<{ last_seq: string | number | null }>`
      SELECT last_seq FROM analytics_copay_projection WHERE id = 1 FOR UPDATE`.execute(db);
    const v = r.rows[0]?.last_seq;
    return v === null || v === undefined ? null : Number(v);
  },
  async setCursor(db: Executor, seq: number | null): Promise<void> {
    await sql`UPDATE analytics_copay_projection SET last_seq = ${seq} WHERE id = 1`.execute(db);
  },

  /** A page of the reports' visit rows in appointment order (the rebuild's input). */
  async visitPage(db: Executor, afterId: string | null, limit: number): Promise<VisitRow[]> {
    const r = await sql<Record_>`
      SELECT appointment_id, day, location_id, physician_id, appointment_type_id, specialty, outcome
      FROM analytics_visits ${afterId ? sql`WHERE appointment_id > ${afterId}::uuid` : sql``}
      ORDER BY appointment_id LIMIT ${limit}`.execute(db);
    // only the key and the outcome matter to the copay split
    return r.rows.map((x) => ({
      ...keyOf(x),
      minutes: 0,
      leadMinutes: 0,
      waitMinutes: null,
      fromLocationId: null,
      homeArea: null,
      referredFrom: null,
      followedFrom: null,
      startsAt: null,
      endsAt: null,
    }));
  },

  async rows(db: Executor, ids: readonly string[]): Promise<Map<string, CopayRow>> {
    const out = new Map<string, CopayRow>();
    for (const part of chunks(ids)) {
      const r = await sql<Record_ & { copay_cents: number }>`
        SELECT * FROM analytics_visit_copays WHERE appointment_id IN (${sql.join(part)})`.execute(db);
      for (const x of r.rows) out.set(x.appointment_id, { ...keyOf(x), copayCents: Number(x.copay_cents) });
    }
    return out;
  },

  async save(db: Executor, rows: readonly CopayRow[], removed: readonly string[]): Promise<void> {
    for (const part of chunks(removed))
      await sql`DELETE FROM analytics_visit_copays WHERE appointment_id IN (${sql.join(part)})`.execute(db);
    for (const part of chunks(rows)) {
      const values = part.map(
        (v) =>
          sql`(${v.appointmentId}::uuid, ${v.day}::date, ${v.locationId}::uuid, ${v.physicianId}::uuid,
               ${v.appointmentTypeId}::uuid, ${v.specialty}, ${v.outcome}, ${v.copayCents}::int)`,
      );
      await sql`
        INSERT INTO analytics_visit_copays (appointment_id, day, location_id, physician_id, appointment_type_id,
          specialty, outcome, copay_cents)
        VALUES ${sql.join(values)}
        ON CONFLICT (appointment_id) DO UPDATE SET day = EXCLUDED.day, location_id = EXCLUDED.location_id,
          physician_id = EXCLUDED.physician_id, appointment_type_id = EXCLUDED.appointment_type_id,
          specialty = EXCLUDED.specialty, outcome = EXCLUDED.outcome, copay_cents = EXCLUDED.copay_cents`.execute(
        db,
      );
    }
  },

  /** Adds contributions to the daily copay sums (summed per key first: one row per key per statement). */
  async apply(db: Executor, contributions: readonly CopayContribution[]): Promise<void> {
    const daily = new Map<string, CopayContribution>();
    for (const c of contributions) {
      const k = `${c.key.day}|${c.key.locationId}|${c.key.physicianId}|${c.key.appointmentTypeId}`;
      const seen = daily.get(k);
      if (!seen) daily.set(k, { key: c.key, counters: { ...c.counters } });
      else for (const n of COPAY_COUNTERS) seen.counters[n] += c.counters[n];
    }
    const cols = sql.join(COPAY_COUNTERS.map((n) => sql.ref(COLUMN[n])));
    const updates = sql.join(
      COPAY_COUNTERS.map(
        (n) =>
          sql`${sql.ref(COLUMN[n])} = analytics_daily_copays.${sql.ref(COLUMN[n])} + EXCLUDED.${sql.ref(COLUMN[n])}`,
      ),
    );
    for (const part of chunks([...daily.values()])) {
      const values = part.map(
        ({ key, counters }) =>
          sql`(${key.day}::date, ${key.locationId}::uuid, ${key.physicianId}::uuid, ${key.appointmentTypeId}::uuid,
               ${key.specialty}, ${sql.join(COPAY_COUNTERS.map((n) => sql`${counters[n]}::bigint`))})`,
      );
      await sql`
        INSERT INTO analytics_daily_copays (day, location_id, physician_id, appointment_type_id, specialty, ${cols})
        VALUES ${sql.join(values)}
        ON CONFLICT (day, location_id, physician_id, appointment_type_id) DO UPDATE SET ${updates}`.execute(
        db,
      );
    }
  },

  async clear(db: Executor): Promise<void> {
    await sql`DELETE FROM analytics_visit_copays`.execute(db);
    await sql`DELETE FROM analytics_daily_copays`.execute(db);
  },

  /** The copay sums over the filter, per group, beside the fees of the same appointments. */
  async totals(db: Executor, f: Filter, by: GroupBy): Promise<Map<string, CopaySums>> {
    const r = await sql<GroupKey & Record<string, string | number | null>>`
      SELECT ${groupColumns(by)},
        ${sql.join(COPAY_COUNTERS.map((n) => sql`sum(c.${sql.ref(COLUMN[n])})::float8 AS ${sql.ref(COLUMN[n])}`))},
        sum(c.booked_priced * f.fee_cents)::float8 AS booked_priced_fee_cents,
        sum(c.completed_priced * f.fee_cents)::float8 AS completed_priced_fee_cents
      FROM (SELECT * FROM analytics_daily_copays WHERE ${where(f)}) c
      LEFT JOIN analytics_fees f USING (location_id, appointment_type_id)
      GROUP BY ${groupBy(by)}`.execute(db);
    return new Map(
      r.rows.map((row) => [
        groupKeyText({
          locationId: row.location_id,
          physicianId: row.physician_id,
          specialty: row.specialty,
        }),
        {
          bookedPriced: Number(row.booked_priced ?? 0),
          bookedCopayCents: Number(row.booked_copay_cents ?? 0),
          completedPriced: Number(row.completed_priced ?? 0),
          completedCopayCents: Number(row.completed_copay_cents ?? 0),
          bookedPricedFeeCents: Number(row.booked_priced_fee_cents ?? 0),
          completedPricedFeeCents: Number(row.completed_priced_fee_cents ?? 0),
        },
      ]),
    );
  },
};

/** One text per report group, to match the copay sums to the fee totals. */
export const groupKeyText = (k: {
  locationId: string;
  physicianId: string | null;
  specialty: string | null;
}): string => `${k.locationId}|${k.physicianId ?? ""}|${k.specialty ?? ""}`;
