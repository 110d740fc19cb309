/**
 * The filler: reads the schedule-event outbox after its own cursor and, for each slot that frees
 * (a cancellation, a released or lapsed hold, the old time of a reschedule) or time a schedule
 * change opens (a new weekly template or temporary assignment, time off removed), offers it to the
 * waiting entries it fits best: it holds the slot for that patient through the booking path,
 * records the offer and publishes `waitlist.offered` in the same transaction (the notification
 * worker turns it into the patient's messages, each with a link of its own). A periodic pass
 * expires unanswered offers and releases their holds, which frees the slot again for the next
 * entry.
 *
 * Exactly one patient per freed slot, across replicas: the cursor row is locked while a replica
 * claims a batch of events (another replica waits, then sees the batch gone); the exclusion
 * constraints on appointments let only one hold take the slot; one open offer per entry and one
 * offer per hold are unique in the database; an accepted offer is closed under its row lock before
 * its hold is booked. An event claimed by a replica that dies before offering is not offered again
 * (the slot stays bookable by anyone); the next freeing of that time is.
 */
import type { FastifyBaseLogger } from "fastify";
import { auditService } from "../../platform/audit/index.js";
import type { Clock } from "../../platform/clock.js";
import type { Db } from "../../platform/db.js";
import { ProblemError } from "../../platform/errors.js";
import { eventsAfter, publish, type ScheduleEvent } from "../../platform/events.js";
import { auditContextOf } from "../../platform/identity/index.js";
import { physicianService } from "../physicians/index.js";
import type { Scheduling } from "../scheduling/index.js";
import {
  type Candidate,
  type EntryNeed,
  fits,
  preferred,
  rankCandidates,
  type SlotFacts,
} from "./ranking.js";
import { type EntryRow, type OfferRow, waitlistRepository as repo } from "./repository.js";
import type { TimeOfDay, Urgency } from "./schema.js";
import { WAITLIST_ACTOR, type WaitlistService } from "./service.js";

/** A slot that became free, or time a schedule change opened, as the outbox tells it. */
export interface FreedSlot {
  physicianId: string;
  /** Null: any of the physician's locations (time off removed). */
  locationId: string | null;
  start: Date;
  /** Null: open-ended (a weekly template with no end); the filler looks as far as a search may. */
  end: Date | null;
  freedAt: Date;
  /**
   * True for time a schedule change opened: it may hold several slots, so offers go on to the
   * next entries until nothing more fits. A freed appointment's slot is offered once.
   */
  opened: boolean;
}

/** An offer made (its messages, with their links, are sent by the notification worker). */
export interface OfferMade {
  offer: OfferRow;
}

/** The freed slot (or opened time) an event reports, if it reports one. */
export function freedBy(e: ScheduleEvent): FreedSlot | undefined {
  const p = e.payload;
  const at = new Date(e.occurredAt);
  if (e.type === "appointment.cancelled" && typeof p.start === "string" && typeof p.end === "string")
    return {
      physicianId: e.physicianId,
      locationId: e.locationId,
      start: new Date(p.start),
      end: new Date(p.end),
      freedAt: at,
      opened: false,
    };
  if (
    e.type === "appointment.rescheduled" &&
    typeof p.previousStart === "string" &&
    typeof p.previousEnd === "string" &&
    typeof p.previousPhysicianId === "string" &&
    typeof p.previousLocationId === "string"
  )
    return {
      physicianId: p.previousPhysicianId,
      locationId: p.previousLocationId,
      start: new Date(p.previousStart),
      end: new Date(p.previousEnd),
      freedAt: at,
      opened: false,
    };
  if (e.type === "schedule.opened" && e.physicianId && typeof p.from === "string")
    return {
      physicianId: e.physicianId,
      locationId: e.locationId ?? null,
      start: new Date(p.from),
      end: typeof p.to === "string" ? new Date(p.to) : null,
      freedAt: at,
      opened: true,
    };
  return undefined;
}

const needOf = (r: EntryRow): EntryNeed => ({
  physicianId: r.physician_id,
  locationIds: r.location_ids,
  maxDistanceKm: r.max_distance_km,
  telehealthOk: r.telehealth_ok,
  from: r.window_from.getTime(),
  to: r.window_to.getTime(),
  timesOfDay: r.times_of_day as TimeOfDay[],
});

export interface FillerDeps {
  db: Db;
  clock: Clock;
  appointments: Pick<Scheduling["appointments"], "searchAvailability" | "holdFor">;
  waitlist: Pick<WaitlistService, "withdrawOffer" | "release">;
  /** How long an offer (and its hold) lasts. */
  offerMinutes: number;
  log?: FastifyBaseLogger | undefined;
}

const EVENT_BATCH = 100;
/** Entries searched for one freed slot: the best few by urgency and time waited. */
const CANDIDATES = 10;
/** How far ahead opened time is offered: as far as one availability search reaches. */
const OPENED_HORIZON_MS = 62 * 86_400_000;

export function createFiller({ db, clock, appointments, waitlist, offerMinutes, log }: FillerDeps) {
  /** Claims the next events after the cursor, advancing it in the same transaction. */
  const claim = () =>
    db.transaction().execute(async (tx) => {
      const after = await repo.lockCursor(tx);
      const events = await eventsAfter(tx, after, EVENT_BATCH);
      if (events.length) await repo.advanceCursor(tx, events.at(-1)!.seq);
      return events;
    });

  /** The best option in the freed time for each entry it fits, ranked. */
  async function candidatesFor(slot: FreedSlot & { end: Date }) {
    const physician = await physicianService.get(db, slot.physicianId).catch(() => undefined);
    if (!physician?.active) return [];
    const entries = await repo.waitingFor(
      db,
      { id: physician.id, specialties: physician.specialties },
      slot.start,
      slot.end,
      CANDIDATES * 3,
      slot.opened ? slot.freedAt : undefined,
    );
    const found: Array<Candidate & { entry: EntryRow; optionId: string }> = [];
    for (const entry of entries) {
      if (found.length >= CANDIDATES) break;
      // a freed slot the patient already let go is not offered to them again
      if (!slot.opened && (await repo.offeredBefore(db, entry.id, slot.start, slot.end))) continue;
      const need = needOf(entry);
      const inPerson =
        (need.locationIds.length === 0 && need.maxDistanceKm === null) ||
        (slot.locationId === null ? need.locationIds.length > 0 : need.locationIds.includes(slot.locationId));
      // opened time is searched where it meets the entry's window
      const from = Math.max(slot.start.getTime(), need.from);
      const to = Math.min(slot.end.getTime(), need.to);
      if (to <= from) continue;
      const result = await appointments
        .searchAvailability(WAITLIST_ACTOR, {
          appointmentTypeId: entry.appointment_type_id,
          // the entry's own need (its specialty, or its physician), narrowed to the freed time and
          // place: a physician of another specialty is never offered
          specialty: entry.specialty ?? undefined,
          physicianId: entry.physician_id ?? undefined,
          from: new Date(from).toISOString(),
          to: new Date(to).toISOString(),
          locationIds: slot.locationId
            ? [slot.locationId]
            : need.locationIds.length
              ? [...need.locationIds]
              : undefined,
          patientId: entry.patient_id,
          telehealth: !inPerson && need.telehealthOk,
          limit: 20,
        })
        .catch((err: unknown) => {
          // a need the search refuses (a withdrawn type, a specialty this physician lacks)
          if (err instanceof ProblemError) return undefined;
          throw err;
        });
      // the earliest time that fits (opened time then packs from its start)
      const option = [...(result?.options ?? [])]
        .sort((a, b) => Date.parse(a.start) - Date.parse(b.start))
        .map((o) => ({
          o,
          facts: {
            physicianId: o.physicianId,
            locationId: o.locationId,
            start: Date.parse(o.start),
            end: Date.parse(o.end),
            localTime: o.local.time,
            telehealth: o.telehealth,
            distanceKm: o.distanceKm,
          } satisfies SlotFacts,
        }))
        .find(
          ({ facts }) =>
            facts.physicianId === slot.physicianId &&
            facts.start >= slot.start.getTime() &&
            facts.start < slot.end.getTime() &&
            fits(need, facts),
        );
      if (!option) continue;
      if (
        slot.opened &&
        (await repo.offeredBefore(db, entry.id, new Date(option.facts.start), new Date(option.facts.end)))
      )
        continue;
      found.push({
        id: entry.id,
        urgency: entry.urgency as Urgency,
        waitingSince: entry.created_at.getTime(),
        preferred: preferred(need, option.facts),
        distanceKm: option.o.distanceKm,
        entry,
        optionId: option.o.id,
      });
    }
    return rankCandidates(found);
  }

  /** Offers the freed slot to the first ranked entry that can still take it. */
  async function offerOnce(slot: FreedSlot & { end: Date }): Promise<OfferMade | undefined> {
    for (const c of await candidatesFor(slot)) {
      let hold: Awaited<ReturnType<typeof appointments.holdFor>>;
      try {
        hold = await appointments.holdFor(WAITLIST_ACTOR, c.optionId, c.entry.patient_id, offerMinutes);
      } catch (err) {
        // taken meanwhile (by a booking, another replica's offer, the patient's own appointment)
        if (err instanceof ProblemError) continue;
        throw err;
      }
      try {
        const offer = await db.transaction().execute(async (tx) => {
          const entry = await repo.entry(tx, c.entry.id, true);
          if (entry?.status !== "waiting") return undefined;
          const row = await repo.insertOffer(tx, {
            entry_id: c.entry.id,
            appointment_id: hold.id,
            patient_id: c.entry.patient_id,
            location_id: hold.locationId,
            starts_at: new Date(hold.start),
            ends_at: new Date(hold.end),
            expires_at: new Date(hold.holdExpiresAt!),
            freed_at: slot.freedAt,
          });
          await repo.setEntry(tx, c.entry.id, { status: "offered" });
          // the patient's messages go out from this event (notifications), never with a token in it
          await publish(tx, {
            type: "waitlist.offered",
            appointmentId: hold.id,
            patientId: row.patient_id,
            physicianId: hold.physicianId,
            locationId: hold.locationId,
            payload: {
              offerId: row.id,
              start: row.starts_at.toISOString(),
              end: row.ends_at.toISOString(),
              expiresAt: row.expires_at.toISOString(),
            },
          });
          await auditService.record(tx, auditContextOf(WAITLIST_ACTOR), {
            action: "waitlist.offer",
            resourceType: "waitlist_offer",
            resourceId: row.id,
            patientId: row.patient_id,
            locationId: row.location_id,
            detail: { entryId: c.entry.id, appointmentId: hold.id, urgency: c.urgency },
          });
          return row;
        });
        if (offer) return { offer };
      } catch (err) {
        // another replica offered this entry a slot first (one open offer per entry)
        if ((err as { code?: unknown }).code !== "23505") throw err;
      }
      await waitlist.release(hold.id);
    }
    return undefined;
  }

  /**
   * Offers a freed slot to the best entry it fits; time a schedule change opened goes on to the
   * next entries (each hold takes its slot out of the next search) until nothing more fits.
   */
  async function fill(slot: FreedSlot): Promise<OfferMade[]> {
    const now = clock.now().getTime();
    const start = new Date(Math.max(slot.start.getTime(), now));
    const end = new Date(Math.min(slot.end?.getTime() ?? Number.POSITIVE_INFINITY, now + OPENED_HORIZON_MS));
    if (end.getTime() <= start.getTime()) return [];
    // a freed slot that has begun is nobody's to take
    if (!slot.opened && slot.start.getTime() <= now) return [];
    const made: OfferMade[] = [];
    for (let n = 0; n < (slot.opened ? CANDIDATES : 1); n++) {
      const offer = await offerOnce({ ...slot, start, end });
      if (!offer) break;
      made.push(offer);
    }
    return made;
  }

  /** Expires the offers past their time and gives their slots back. */
  async function expireLapsed(): Promise<number> {
    const lapsed = await db.transaction().execute(async (tx) => {
      const rows = await repo.lapsedOffers(tx, clock.now());
      for (const row of rows) {
        await waitlist.withdrawOffer(tx, row, "expired");
        await auditService.record(tx, auditContextOf(WAITLIST_ACTOR), {
          action: "waitlist.expire",
          resourceType: "waitlist_offer",
          resourceId: row.id,
          patientId: row.patient_id,
          locationId: row.location_id,
        });
      }
      return rows;
    });
    for (const row of lapsed) await waitlist.release(row.appointment_id);
    return lapsed.length;
  }

  /** One pass: expire, then offer every slot freed since the cursor (until the outbox is read). */
  async function runOnce(): Promise<{ offers: OfferMade[]; expired: number }> {
    const expired = await expireLapsed();
    const offers: OfferMade[] = [];
    for (let round = 0; round < 20; round++) {
      const events = await claim();
      for (const e of events) {
        const slot = freedBy(e);
        if (slot) offers.push(...(await fill(slot)));
      }
      if (events.length < EVENT_BATCH) break;
    }
    return { offers, expired };
  }

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let again = false;
  const pass = () => {
    if (running) {
      again = true;
      return running;
    }
    running = runOnce()
      .catch((err: unknown) => log?.error({ err }, "waitlist pass failed"))
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          void pass();
        }
      });
    return running;
  };

  return {
    runOnce,
    fill,
    /** Runs a pass now (a schedule event arrived); passes never overlap in one process. */
    wake: () => void pass(),
    start(intervalMs: number) {
      timer ??= setInterval(() => void pass(), intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}

export type Filler = ReturnType<typeof createFiller>;
