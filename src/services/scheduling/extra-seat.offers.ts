/**
 * The extra seats a search offers beside its ordinary options: where a location's overbooking rule
 * is on (and, for a patient's own search, offered to patients), each physician session in the
 * window whose expected no-shows exceed the threshold offers its one doubled slot, checked for this
 * patient by the same pure check the booking repeats under its locks (`checkExtraSeat`). Each is an
 * ordinary signed option marked `extraSeat`; booking it goes through the booking path.
 */
import type { Actor } from "../../platform/access.js";
import type { BookingConfig } from "../../platform/config.js";
import type { Executor } from "../../platform/db.js";
import { physicianService } from "../physicians/index.js";
import type { SlotOptionDto } from "./appointments.schema.js";
import type { OptionIds, OptionRef } from "./availability/option-id.js";
import {
  checkExtraSeat,
  type ExtraSeat,
  extraSeatOf,
  type OverbookingRule,
  offersTo,
  sessionsOf,
} from "./availability/overbooking.js";
import type { Block } from "./availability/types.js";
import type { SearchNeed, SearchResult } from "./availability.service.js";
import { toOptionDto } from "./availability.service.js";
import { bookingFacts } from "./booking.facts.js";
import type { SchedulingCaches } from "./caches.js";
import { searcherOf, sessionAppointments } from "./extra-seat.check.js";
import { overbookingRepository } from "./overbooking.repository.js";
import { EXTRA_SEAT_NOTE } from "./overbooking.schema.js";
import type { NoShowRisk } from "./suggestions.schema.js";

const DAY = 86_400_000;
/** A search checks at most this many seats for the patient (the earliest): each costs a booking's read. */
export const MAX_EXTRA_SEATS = 3;

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export interface ExtraSeatOfferDeps {
  rules: BookingConfig;
  caches: SchedulingCaches;
  optionIds: OptionIds;
  noShowRisk?: NoShowRisk | undefined;
}

export interface OpenSeat {
  seat: ExtraSeat;
  physicianId: string;
  threshold: number;
}

/**
 * The extra seats the rules open in sessions at these locations whose seat starts in [from, to),
 * earliest first: each session's appointments (with risks) against the physicians' planned blocks.
 */
export async function openSeats(
  db: Executor,
  caches: SchedulingCaches,
  noShowRisk: NoShowRisk | undefined,
  rules: ReadonlyMap<string, OverbookingRule>,
  where: { physicianIds: string[] | null; locationIds: string[]; from: number; to: number },
): Promise<OpenSeat[]> {
  // a day on either side: sessions that began before the window, or end after it, are whole
  const rows = await sessionAppointments(db, noShowRisk, {
    ...where,
    from: where.from - DAY,
    to: where.to + DAY,
  });
  if (!rows?.length) return [];
  const withRows = [...new Set(rows.map((r) => r.physicianId))];
  const plans = await physicianService.plans(
    db,
    withRows,
    isoDay(where.from - DAY),
    isoDay(where.to + DAY),
    undefined,
    caches.plans,
  );
  const blocks: Block[] = [];
  for (const [physicianId, plan] of plans)
    for (const b of plan.assignments)
      if (where.locationIds.includes(b.locationId))
        blocks.push({
          physicianId,
          locationId: b.locationId,
          start: Date.parse(b.start),
          end: Date.parse(b.end),
          appointmentTypeIds: b.appointmentTypeIds,
          onSite: b.onSite,
        });
  const seats: OpenSeat[] = [];
  for (const session of sessionsOf(rows, blocks)) {
    const rule = rules.get(session.block.locationId);
    const seat = rule ? extraSeatOf(session.appointments, rule) : null;
    if (!rule || !seat || seat.start < where.from || seat.start >= where.to) continue;
    seats.push({ seat, physicianId: session.block.physicianId, threshold: rule.threshold });
  }
  return seats.sort((a, b) => a.seat.start - b.seat.start || a.physicianId.localeCompare(b.physicianId));
}

/** The extra seats open to this search's patient, as signed options (none without a patient or a model). */
export async function extraSeatOptions(
  db: Executor,
  { rules, caches, optionIds, noShowRisk }: ExtraSeatOfferDeps,
  actor: Actor,
  need: SearchNeed,
  result: SearchResult,
): Promise<SlotOptionDto[]> {
  const patientId = need.patientId;
  if (!patientId || !noShowRisk) return [];
  const searcher = searcherOf(actor);
  const enabled = await overbookingRepository.enabled(db);
  const locationIds = [...enabled]
    .filter(([id, rule]) => offersTo(rule, searcher) && (!need.locationIds || need.locationIds.includes(id)))
    .filter(([id]) => result.snapshot.locations.some((l) => l.id === id && l.kind !== "virtual"))
    .map(([id]) => id);
  if (locationIds.length === 0) return [];
  const restricted = result.followUpRestrictedTo;
  const physicianIds = result.physicians
    .filter((p) => !restricted || restricted.includes(p.id))
    .filter((p) => !need.language || p.languages.includes(need.language))
    .map((p) => p.id);
  const now = need.now ?? Date.now();
  const seats = (
    await openSeats(db, caches, noShowRisk, enabled, {
      physicianIds,
      locationIds,
      from: Math.max(need.from, now),
      to: need.to,
    })
  ).filter((s) => s.seat.end - s.seat.start === result.appointmentType.durationMinutes * 60_000);
  const out: SlotOptionDto[] = [];
  for (const { seat, physicianId, threshold } of seats.slice(0, MAX_EXTRA_SEATS)) {
    const ref: OptionRef = {
      physicianId,
      locationId: seat.locationId,
      roomId: seat.roomId,
      equipmentIds: [],
      start: seat.start,
      end: seat.end,
      appointmentTypeId: result.appointmentType.id,
      telehealth: false,
      stepFree: result.stepFree,
      extraSeat: true,
    };
    const facts = await bookingFacts(
      db,
      {
        option: ref,
        patientId,
        rules: { minNoticeMinutes: rules.minNoticeMinutes, horizonDays: rules.horizonDays },
        facilitiesStamp: undefined,
        ignoreContinuity: need.ignoreContinuity === true || actor.role === "admin",
        now,
      },
      caches,
    );
    if (facts === "withdrawn") return out;
    const check = checkExtraSeat(facts, ref, seat);
    if (!check.ok) continue;
    const offered = { ...ref, roomId: check.roomId, equipmentIds: check.equipmentIds, end: check.end };
    const why = `extra seat: this session is expected to miss ${seat.expectedNoShows} visits (threshold ${threshold})`;
    out.push({
      ...toOptionDto({ ...offered, score: 0, reasons: [why] }, result, optionIds),
      id: optionIds.issue(offered),
      extraSeat: { expectedNoShows: seat.expectedNoShows, threshold, explanation: EXTRA_SEAT_NOTE },
    });
  }
  return out;
}
