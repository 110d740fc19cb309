/**
 * Overbooking: where a location's rule is on and the expected no-shows of a physician's session
 * (the sum of its appointments' no-show risks) exceed the rule's threshold, the session offers one
 * extra seat: a capacity of 2 for exactly one slot, the booked appointment most likely to be
 * missed. The extra appointment shares that slot's physician, room, start and end and nothing
 * else: the patient, equipment and travel to and from the physician's other locations are checked
 * as for any booking, by the same pure check (`checkOption`) with the doubled appointment set
 * aside. Pure: facts in, answer out. The database guards the same (migration 0035).
 */
import { type AskedOption, type BookingFacts, checkOption, type OptionCheck } from "./check.js";
import type { Block } from "./types.js";

export interface OverbookingRule {
  enabled: boolean;
  /** Expected no-shows of a session above which one extra seat is offered. */
  threshold: number;
  /** Patients searching for themselves are offered the seat too (absent: only staff). */
  offerToPatients?: boolean;
}

/** Whether the rule offers its extra seat to this searcher: staff while it is on, patients if it says so. */
export function offersTo(rule: OverbookingRule | null | undefined, searcher: "patient" | "staff"): boolean {
  return !!rule?.enabled && (searcher === "staff" || rule.offerToPatients === true);
}

/** An active appointment of one physician's session at the location (a day's block). */
export interface SessionAppointment {
  id: string;
  locationId: string;
  roomId: string | null;
  start: number;
  end: number;
  /** Predicted probability that it is missed. */
  risk: number;
  /** It is itself an extra seat. */
  extraSeat: boolean;
}

/**
 * A physician's sessions: each planned block with the appointments at its location that start in
 * it (an appointment in no block belongs to no session and opens no seat).
 */
export function sessionsOf<A extends SessionAppointment & { physicianId: string }>(
  appointments: readonly A[],
  blocks: readonly Block[],
): Array<{ block: Block; appointments: A[] }> {
  return blocks
    .map((block) => ({
      block,
      appointments: appointments.filter(
        (a) =>
          a.physicianId === block.physicianId &&
          a.locationId === block.locationId &&
          a.start >= block.start &&
          a.start < block.end,
      ),
    }))
    .filter((s) => s.appointments.length > 0);
}

/** The slot a session may double, and the appointment already in it. */
export interface ExtraSeat {
  appointmentId: string;
  locationId: string;
  roomId: string | null;
  start: number;
  end: number;
  /** The session's expected no-shows that opened it. */
  expectedNoShows: number;
}

/** The session's expected no-shows: the sum of its ordinary appointments' risks. */
export function expectedNoShows(session: readonly SessionAppointment[]): number {
  return session.reduce((sum, a) => (a.extraSeat ? sum : sum + Math.min(1, Math.max(0, a.risk))), 0);
}

/**
 * The one extra seat a session offers under the rule, or null: none when the rule is off or
 * absent, when the expected no-shows do not exceed the threshold, or when the session already has
 * its extra appointment. The slot is the appointment most likely to be missed (ties: the earlier,
 * then the smaller id), so a search and a booking on the same facts name the same one.
 */
export function extraSeatOf(
  session: readonly SessionAppointment[],
  rule: OverbookingRule | null,
): ExtraSeat | null {
  if (!rule?.enabled || session.some((a) => a.extraSeat)) return null;
  const expected = expectedNoShows(session);
  if (!(expected > rule.threshold)) return null;
  let best: SessionAppointment | undefined;
  for (const a of session) {
    if (
      !best ||
      a.risk > best.risk ||
      (a.risk === best.risk && (a.start < best.start || (a.start === best.start && a.id < best.id)))
    )
      best = a;
  }
  if (!best) return null;
  return {
    appointmentId: best.id,
    locationId: best.locationId,
    roomId: best.roomId,
    start: best.start,
    end: best.end,
    expectedNoShows: Math.round(expected * 100) / 100,
  };
}

/** `list` without one entry of [start, end) (the doubled appointment), if there is one. */
function withoutOnce<T extends { start: number; end: number; locationId?: string }>(
  list: readonly T[],
  start: number,
  end: number,
  locationId?: string,
): T[] {
  const i = list.findIndex(
    (c) => c.start === start && c.end === end && (locationId === undefined || c.locationId === locationId),
  );
  return i === -1 ? [...list] : [...list.slice(0, i), ...list.slice(i + 1)];
}

/**
 * Whether the asked option may be booked as the extra seat on these facts: it must be the seat's
 * very slot (in person, same place, start and end, the seat's room), and bookable were the doubled
 * appointment not there. A second extra appointment in the slot stays in the facts, so the slot
 * never holds more than two.
 */
export function checkExtraSeat(facts: BookingFacts, asked: AskedOption, seat: ExtraSeat | null): OptionCheck {
  if (
    !seat ||
    asked.telehealth ||
    asked.locationId !== seat.locationId ||
    asked.start !== seat.start ||
    asked.end !== seat.end
  )
    return { ok: false, reason: "unavailable" };
  const rooms = facts.rooms
    .filter((r) => seat.roomId === null || r.id === seat.roomId)
    .map((r) => (r.id === seat.roomId ? { ...r, busy: withoutOnce(r.busy, seat.start, seat.end) } : r));
  const aside: BookingFacts = {
    ...facts,
    physicianCommitments: withoutOnce(facts.physicianCommitments, seat.start, seat.end, seat.locationId),
    rooms,
  };
  const check = checkOption(aside, { ...asked, roomId: seat.roomId });
  if (check.ok && seat.roomId !== null && check.roomId !== seat.roomId) return { ok: false, reason: "room" };
  return check;
}
