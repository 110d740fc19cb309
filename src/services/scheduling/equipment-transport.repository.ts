/**
 * Reservations of equipment that travels between locations: the transport reserved before and
 * after each use (`availability/transport.ts` plans it), kept consistent with the uses beside it,
 * and the uses an item has over a window, with their places. Bookings of one item are serialised
 * by an advisory lock, so each plans its transport against the uses that are really there; the
 * exclusion constraint on the reserved intervals stays the last guard.
 */
import { sql } from "kysely";
import type { Executor } from "../../platform/db.js";
import { MAX_APPOINTMENT_MS } from "./appointments.repository.js";
import { legBetween, type Use } from "./availability/transport.js";
import type { TimedAt } from "./busy.repository.js";

const ms = (col: string) => sql`(extract(epoch FROM ${sql.ref(col)}) * 1000)::float8`;

/** A use beside the one being placed, as read from its reservation row. */
interface Neighbour extends Use {
  appointmentId: string;
}

export interface TravellingItem {
  id: string;
  /** Its home location. */
  home: string;
}

export const equipmentTransport = {
  /**
   * Takes the booking locks of these items (in id order, as every booking takes them), and
   * expires the lapsed holds still holding any of them, which no longer count for anyone.
   */
  async lock(db: Executor, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const sorted = [...new Set(ids)].sort();
    await sql`
      WITH expired AS (
        UPDATE appointments SET status = 'expired', hold_expires_at = NULL, updated_at = now()
        WHERE status = 'held' AND hold_expires_at <= now()
          AND id IN (SELECT appointment_id FROM equipment_reservations
                     WHERE equipment_id = ANY(${sorted}::uuid[]) AND active)
        RETURNING id
      ), released AS (
        UPDATE equipment_reservations SET active = false WHERE appointment_id IN (SELECT id FROM expired)
        RETURNING 1
      )
      SELECT ARRAY(SELECT pg_advisory_xact_lock(hashtextextended('equipment:' || k.id, 0))::text
                   FROM (SELECT id FROM unnest(${sorted}::text[]) AS u(id) ORDER BY id OFFSET 0) k) AS locked,
             (SELECT count(*) FROM released) AS released`.execute(db);
  },

  /**
   * Reserves the items for an appointment: fixed ones for its own time, those that travel with
   * the transport from their previous use (or home) and on to their next (or home), after
   * re-planning the transport of the uses beside it. Under the items' locks (`lock`).
   */
  async reserve(
    db: Executor,
    booking: { appointmentId: string; start: Date; end: Date; locationId: string },
    fixedIds: readonly string[],
    travelling: readonly TravellingItem[],
    travelMinutes: (from: string, to: string) => number,
  ): Promise<void> {
    const rows: Array<{ equipment_id: string; before_m: number; after_m: number }> = fixedIds.map((id) => ({
      equipment_id: id,
      before_m: 0,
      after_m: 0,
    }));
    if (travelling.length > 0) {
      const here: Use = {
        start: booking.start.getTime(),
        end: booking.end.getTime(),
        locationId: booking.locationId,
      };
      const beside = await neighbours(
        db,
        travelling.map((t) => t.id),
        booking.start,
        booking.end,
      );
      const changes: Array<{
        appointment_id: string;
        equipment_id: string;
        side: "before" | "after";
        m: number;
      }> = [];
      for (const item of travelling) {
        const { previous, next } = beside.get(item.id) ?? {};
        const into = legBetween(previous ?? null, here, item.home, travelMinutes);
        const onward = legBetween(here, next ?? null, item.home, travelMinutes);
        if (previous)
          changes.push({
            appointment_id: previous.appointmentId,
            equipment_id: item.id,
            side: "after",
            m: into.after,
          });
        if (next)
          changes.push({
            appointment_id: next.appointmentId,
            equipment_id: item.id,
            side: "before",
            m: onward.before,
          });
        rows.push({ equipment_id: item.id, before_m: into.before, after_m: onward.after });
      }
      if (changes.length > 0) {
        // shrink first, then set: no row ever reaches into a neighbour's old transport meanwhile
        await retime(db, changes, "shrink");
        await retime(db, changes, "set");
      }
    }
    if (rows.length === 0) return;
    await sql`
      INSERT INTO equipment_reservations
        (appointment_id, equipment_id, starts_at, ends_at, transport_before_minutes, transport_after_minutes)
      SELECT ${booking.appointmentId}::uuid, v.equipment_id, ${booking.start}::timestamptz, ${booking.end}::timestamptz,
             v.before_m, v.after_m
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS v(equipment_id uuid, before_m int, after_m int)`.execute(
      db,
    );
  },

  /** Each item's active uses (valid holds included) overlapping [from, to), with their places. */
  async uses(db: Executor, ids: readonly string[], from: Date, to: Date): Promise<Map<string, TimedAt[]>> {
    const out = new Map<string, TimedAt[]>();
    if (ids.length === 0) return out;
    const rows = await sql<{ equipment_id: string; s: number; e: number; l: string }>`
      SELECT r.equipment_id, ${ms("r.starts_at")} AS s, ${ms("r.ends_at")} AS e, a.location_id AS l
      FROM equipment_reservations r JOIN appointments a ON a.id = r.appointment_id
      WHERE r.equipment_id = ANY(${[...ids]}::uuid[]) AND r.active AND (a.status <> 'held' OR a.hold_expires_at > now())
        AND r.starts_at < ${to} AND r.starts_at > ${new Date(from.getTime() - MAX_APPOINTMENT_MS)} AND r.ends_at > ${from}
      ORDER BY r.starts_at`.execute(db);
    for (const r of rows.rows) {
      const list = out.get(r.equipment_id) ?? [];
      list.push({ start: Number(r.s), end: Number(r.e), locationId: r.l });
      out.set(r.equipment_id, list);
    }
    return out;
  },
};

/** The active uses just before and just after [start, end) of each item (one statement). */
async function neighbours(
  db: Executor,
  ids: string[],
  start: Date,
  end: Date,
): Promise<Map<string, { previous?: Neighbour; next?: Neighbour }>> {
  const side = (where: ReturnType<typeof sql>, order: ReturnType<typeof sql>) => sql`
    SELECT r.appointment_id, ${ms("r.starts_at")} AS s, ${ms("r.ends_at")} AS e, a.location_id AS l
    FROM equipment_reservations r JOIN appointments a ON a.id = r.appointment_id
    WHERE r.equipment_id = i.id AND r.active AND ${where}
    ORDER BY ${order} LIMIT 1`;
  const rows = await sql<{
    id: string;
    p_id: string | null;
    p_s: number | null;
    p_e: number | null;
    p_l: string | null;
    n_id: string | null;
    n_s: number | null;
    n_e: number | null;
    n_l: string | null;
  }>`
    SELECT i.id, p.appointment_id AS p_id, p.s AS p_s, p.e AS p_e, p.l AS p_l,
           n.appointment_id AS n_id, n.s AS n_s, n.e AS n_e, n.l AS n_l
    FROM unnest(${ids}::uuid[]) AS i(id)
    LEFT JOIN LATERAL (${side(sql`r.starts_at < ${start}`, sql`r.starts_at DESC`)}) p ON true
    LEFT JOIN LATERAL (${side(sql`r.starts_at >= ${end}`, sql`r.starts_at`)}) n ON true`.execute(db);
  const out = new Map<string, { previous?: Neighbour; next?: Neighbour }>();
  for (const r of rows.rows) {
    out.set(r.id, {
      ...(r.p_id
        ? {
            previous: { appointmentId: r.p_id, start: Number(r.p_s), end: Number(r.p_e), locationId: r.p_l! },
          }
        : {}),
      ...(r.n_id
        ? { next: { appointmentId: r.n_id, start: Number(r.n_s), end: Number(r.n_e), locationId: r.n_l! } }
        : {}),
    });
  }
  return out;
}

/** Sets the transport of neighbouring reservations, or first only lowers it to the new value. */
async function retime(
  db: Executor,
  changes: ReadonlyArray<{
    appointment_id: string;
    equipment_id: string;
    side: "before" | "after";
    m: number;
  }>,
  how: "shrink" | "set",
): Promise<void> {
  const value = (column: "transport_before_minutes" | "transport_after_minutes", side: string) =>
    how === "shrink"
      ? sql`CASE WHEN v.side = ${side} THEN least(${sql.ref(`r.${column}`)}, v.m) ELSE ${sql.ref(`r.${column}`)} END`
      : sql`CASE WHEN v.side = ${side} THEN v.m ELSE ${sql.ref(`r.${column}`)} END`;
  await sql`
    UPDATE equipment_reservations r
    SET transport_before_minutes = ${value("transport_before_minutes", "before")},
        transport_after_minutes = ${value("transport_after_minutes", "after")}
    FROM jsonb_to_recordset(${JSON.stringify(changes)}::jsonb) AS v(appointment_id uuid, equipment_id uuid, side text, m int)
    WHERE r.appointment_id = v.appointment_id AND r.equipment_id = v.equipment_id`.execute(db);
}
