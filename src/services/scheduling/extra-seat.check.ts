/**
 * The extra seat as the booking path and the search decide it: a session's appointments with the
 * no-show model's risks (read here), the location's rule, and the pure `extraSeatOf` /
 * `checkExtraSeat` (`availability/overbooking.ts`). The booking calls `checkAsExtraSeat` under its
 * locks in place of `checkOption`; the search calls `sessionAppointments` for its window.
 */
import { sql } from "kysely";
import type { Actor } from "../../platform/access.js";
import type { Executor } from "../../platform/db.js";
import type { BookingFacts, OptionCheck } from "./availability/check.js";
import type { OptionRef } from "./availability/option-id.js";
import {
  checkExtraSeat,
  type ExtraSeat,
  extraSeatOf,
  offersTo,
  type SessionAppointment,
} from "./availability/overbooking.js";
import { BookingConflict } from "./booking.refusals.js";
import { overbookingRepository } from "./overbooking.repository.js";
import type { NoShowRisk } from "./suggestions.schema.js";
import { visitRepository } from "./visits.repository.js";

export type SessionRow = SessionAppointment & { physicianId: string };

/** Who is searching or booking, as the rule sees them. */
export const searcherOf = (actor: Actor): "patient" | "staff" =>
  actor.role === "patient" ? "patient" : "staff";

/**
 * The appointments of these physicians at these locations starting in [from, to) that make up
 * sessions: booked or checked-in ones with their risks, and any extra seat still standing (a
 * held one too, so that a session never has two). Null when no no-show model is in use.
 */
export async function sessionAppointments(
  db: Executor,
  noShowRisk: NoShowRisk | undefined,
  where: { physicianIds: readonly string[] | null; locationIds: readonly string[]; from: number; to: number },
): Promise<SessionRow[] | null> {
  if (!noShowRisk) return null;
  if (where.physicianIds?.length === 0 || where.locationIds.length === 0) return [];
  const physicians = where.physicianIds
    ? sql`physician_id = ANY(${[...where.physicianIds]}::uuid[])`
    : sql`true`;
  const rows = await sql<{
    id: string;
    physician_id: string;
    location_id: string;
    room_id: string | null;
    starts_at: Date;
    ends_at: Date;
    extra_seat: boolean;
    status: string;
  }>`SELECT id, physician_id, location_id, room_id, starts_at, ends_at, extra_seat, status
    FROM appointments
    WHERE ${physicians}
      AND location_id = ANY(${[...where.locationIds]}::uuid[])
      AND starts_at >= ${new Date(where.from)} AND starts_at < ${new Date(where.to)}
      AND (status IN ('booked', 'checked_in')
        OR (extra_seat AND active AND (status <> 'held' OR hold_expires_at > now())))
      AND NOT telehealth
    ORDER BY starts_at, id
    LIMIT 5000`.execute(db);
  const ordinary = rows.rows.filter((r) => !r.extra_seat).map((r) => r.id);
  const visits = ordinary.length
    ? await visitRepository.upcoming(db, {
        from: new Date(where.from),
        to: new Date(where.to),
        locationIds: where.locationIds,
        ...(where.physicianIds?.length === 1 ? { physicianId: where.physicianIds[0] } : {}),
        limit: 5000,
      })
    : [];
  const risks = visits.length ? await noShowRisk(db, visits) : [];
  if (!risks) return null;
  const riskOf = new Map(visits.map((v, i) => [v.id, risks[i] ?? 0]));
  return rows.rows
    .filter((r) => r.extra_seat || riskOf.has(r.id))
    .map((r) => ({
      id: r.id,
      physicianId: r.physician_id,
      locationId: r.location_id,
      roomId: r.room_id,
      start: r.starts_at.getTime(),
      end: r.ends_at.getTime(),
      risk: r.extra_seat ? 0 : (riskOf.get(r.id) ?? 0),
      extraSeat: r.extra_seat,
    }));
}

/**
 * Inside the booking transaction, under its locks (the physician's lock keeps a session to one
 * extra seat): whether the asked option is still the extra seat of its session, and bookable.
 * Throws BookingConflict("unavailable") when the rule no longer offers it to this actor or the
 * session's seat is elsewhere (or taken); otherwise the check's own answer.
 */
export async function checkAsExtraSeat(
  tx: Executor,
  noShowRisk: NoShowRisk | undefined,
  actor: Actor,
  facts: BookingFacts,
  opt: OptionRef,
): Promise<OptionCheck & { seat?: ExtraSeat }> {
  const rule = await overbookingRepository.get(tx, opt.locationId);
  if (!offersTo(rule, searcherOf(actor)) || opt.telehealth) throw new BookingConflict("unavailable");
  const block = facts.blocks.find(
    (b) => b.locationId === opt.locationId && b.start <= opt.start && b.end >= opt.end,
  );
  if (!block) throw new BookingConflict("unavailable");
  const session = await sessionAppointments(tx, noShowRisk, {
    physicianIds: [opt.physicianId],
    locationIds: [opt.locationId],
    from: block.start,
    to: block.end,
  });
  const seat = session && extraSeatOf(session, rule ?? null);
  if (!seat) throw new BookingConflict("unavailable");
  const check = checkExtraSeat(facts, opt, seat);
  return check.ok ? { ...check, seat } : check;
}
