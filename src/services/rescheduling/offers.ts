/**
 * Offers: when a plan is applied with the `offer` policy, the best alternative that still fits is
 * held for the patient and they are asked (a message with a link back to the app) to accept it,
 * pick another time of the same appointment type, or decline. Accepting moves the appointment
 * through the booking path in one transaction (the old one cancelled, the new one booked); an
 * offer answered before, or past its time, answers 409 or 410 and changes nothing; declined or
 * unanswered offers are handed to the location's staff. Every operation authorizes, owns its
 * transaction and audits in it.
 */
import type { Actor } from "../../platform/access.js";
import { auditService } from "../../platform/audit/index.js";
import type { Executor } from "../../platform/db.js";
import { ProblemError, problems } from "../../platform/errors.js";
import { auditContextOf } from "../../platform/identity/index.js";
import type { ServiceDeps } from "../../platform/module.js";
import { patient } from "../../platform/policy.js";
import type { Page } from "../../platform/schemas.js";
import { toIso } from "../../platform/schemas.js";
import type { Scheduling } from "../scheduling/index.js";
import { type OutcomeRow, reschedulingRepository as repo } from "./repository.js";
import type {
  AcceptInput,
  Answer,
  OfferListQuery,
  Outcome,
  OutcomeState,
  Policy,
  RescheduleOffer,
  StoredItem,
} from "./schema.js";

const HOUR = 3_600_000;
/** An offer lasts this long at most… */
export const OFFER_HOURS = 48;
/** …and ends this long before the earlier of the two times, so whoever takes over has a day. */
const LEAD_HOURS = 24;
/** On the day itself (unavailable today): a short answer, ending before either time starts. */
const SAME_DAY_HOURS = 2;
const SAME_DAY_LEAD_MINUTES = 30;

/**
 * Until when an alternative starting at `offeredStart` may be held for a patient whose appointment
 * was at `start`: 48 hours, or until a day before the earlier of the two; when that leaves less
 * than two hours, two hours but ending half an hour before the earlier; undefined when even that
 * has passed (the appointment is too close to wait for an answer).
 */
export function offerExpiry(now: number, offeredStart: number, start: number): Date | undefined {
  const first = Math.min(offeredStart, start);
  const usual = Math.min(now + OFFER_HOURS * HOUR, first - LEAD_HOURS * HOUR);
  if (usual >= now + SAME_DAY_HOURS * HOUR) return new Date(usual);
  const short = Math.min(now + SAME_DAY_HOURS * HOUR, first - SAME_DAY_LEAD_MINUTES * 60_000);
  return short > now ? new Date(short) : undefined;
}

export const toOutcome = (o: OutcomeRow): Outcome => ({
  id: o.id,
  policy: o.policy as Policy,
  state: o.state as OutcomeState,
  newAppointmentId: o.new_appointment_id,
  offerExpiresAt: o.offer_expires_at ? toIso(o.offer_expires_at) : null,
  answer: o.answer as Answer | null,
  note: o.note,
});

/** The caller for what the offers do unasked (releasing the hold of an offer that ran out). */
export const RESCHEDULING_ACTOR: Actor = {
  userId: "00000000-0000-4000-8000-0000000005c4",
  role: "admin",
  email: "rescheduling@rounds.invalid",
  displayName: "Rescheduling",
  sessionId: "rescheduling",
  patientId: null,
  patientIds: [],
  physicianId: null,
  locationIds: [],
  departmentIds: [],
  specialties: [],
  clientAddress: "127.0.0.1",
  requestId: "rescheduling",
};

const gone = () =>
  new ProblemError(410, "offer_expired", "This offer has expired; the front desk will contact you", [
    { field: "params.id", message: "the offer has expired" },
  ]);
const answered = (answer: string | null) =>
  problems.conflict(
    "offer_answered",
    `This offer was already answered (${answer ?? "closed"}); nothing was changed`,
    "params.id",
    { answer },
  );

export interface OfferDeps extends ServiceDeps {
  scheduling: Scheduling;
}

export function createOffers({ db, clock, policies, scheduling }: OfferDeps) {
  const { moves } = scheduling;

  /** The offer, if the caller may act for its patient; otherwise a 404 naming `params.id`. */
  const requireOffer = async (
    tx: Executor,
    actor: Actor,
    id: string,
    action: "read" | "book",
    lock = false,
  ) => {
    const row = await repo.offer(tx, id, lock);
    if (!row) throw problems.notFound("reschedule offer");
    await policies.authorize(tx, actor, action, {
      ...patient(row.patient_id, "params.id"),
      noun: "reschedule offer",
    });
    return row;
  };

  /** Refuses an offer that is closed (409) or past its time (410). */
  const requireOpen = (row: OutcomeRow, now: Date) => {
    if (row.state !== "offered") throw row.answer === "expired" ? gone() : answered(row.answer);
    if (row.offer_expires_at!.getTime() <= now.getTime()) throw gone();
  };

  const statusOf = (row: OutcomeRow, now: Date): RescheduleOffer["status"] => {
    if (row.state === "offered")
      return row.offer_expires_at!.getTime() <= now.getTime() ? "expired" : "offered";
    if (row.answer === "accepted" || row.answer === "chose_another") return "accepted";
    return row.answer === "declined" ? "declined" : "expired";
  };

  const toOffer = async (tx: Executor, row: OutcomeRow): Promise<RescheduleOffer> => {
    const plan = (await repo.getPlan(tx, row.plan_id))!;
    const item = (plan.items as StoredItem[]).find((i) => i.appointmentId === row.appointment_id)!;
    const hold = (await moves.get(tx, row.hold_id!))!;
    const alt = item.alternatives.find(
      (a) => a.physicianId === hold.physicianId && Date.parse(a.start) === hold.start.getTime(),
    );
    return {
      id: row.id,
      patientId: row.patient_id,
      appointmentId: row.appointment_id,
      appointmentTypeId: item.appointmentTypeId,
      physicianId: item.physicianId ?? plan.physician_id!,
      locationId: item.locationId,
      start: item.start,
      end: item.end,
      held: {
        appointmentId: hold.id,
        start: toIso(hold.start),
        end: toIso(hold.end),
        physicianId: hold.physicianId,
        physicianName: alt?.physicianName ?? "",
        locationId: hold.locationId,
        locationName: alt?.locationName ?? "",
        telehealth: hold.telehealth,
      },
      expiresAt: toIso(row.offer_expires_at!),
      status: statusOf(row, clock.now()),
      newAppointmentId: row.new_appointment_id,
    };
  };

  const audit = (tx: Executor, actor: Actor, row: OutcomeRow, action: string, detail = {}) =>
    auditService.record(tx, auditContextOf(actor), {
      action,
      resourceType: "reschedule_offer",
      resourceId: row.id,
      patientId: row.patient_id,
      locationId: row.location_id,
      detail: { planId: row.plan_id, appointmentId: row.appointment_id, ...detail },
    });

  /** Hands the offer to the location's staff, with why (declined, or no answer in time). */
  const handOver = async (tx: Executor, actor: Actor, row: OutcomeRow, answer: "declined" | "expired") => {
    await moves.releaseHoldIn(tx, actor, row.hold_id!);
    return repo.answer(tx, row.id, {
      state: "needs_attention",
      answer,
      answered_at: clock.now(),
      new_appointment_id: null,
      note:
        answer === "declined"
          ? "the patient declined the offered time: the location's staff rebook it"
          : "the patient did not answer the offer in time: the location's staff rebook it",
    });
  };

  return {
    get: (actor: Actor, id: string): Promise<RescheduleOffer> =>
      db.transaction().execute(async (tx) => {
        const row = await requireOffer(tx, actor, id, "read");
        await audit(tx, actor, row, "reschedule.offer_read");
        return toOffer(tx, row);
      }),

    /** The offers made to the patients the caller reaches, open ones first. */
    list: (actor: Actor, query: OfferListQuery): Promise<Page<RescheduleOffer>> =>
      db.transaction().execute(async (tx) => {
        const scope = await policies.patientScope(tx, actor);
        const filter =
          query.status === "offered"
            ? { states: ["offered"] }
            : query.status === "accepted"
              ? { answers: ["accepted", "chose_another"] }
              : query.status
                ? { answers: [query.status] }
                : {};
        const { rows, total } = await repo.offersFor(tx, scope, { ...filter, ...query });
        const items = await Promise.all(rows.map((r) => toOffer(tx, r)));
        await auditService.record(tx, auditContextOf(actor), {
          action: "reschedule.offers",
          resourceType: "reschedule_offer",
          detail: { count: rows.length, ids: rows.map((r) => r.id) },
        });
        return { items, total, limit: query.limit, offset: query.offset };
      }),

    /**
     * Takes the held time (or, with `optionId`, another option of the same appointment type, and
     * the held one goes back): the appointment moves in one transaction, and the patient is told.
     */
    accept: (actor: Actor, id: string, input: AcceptInput): Promise<RescheduleOffer> =>
      db.transaction().execute(async (tx) => {
        const row = await requireOffer(tx, actor, id, "book", true);
        const now = clock.now();
        requireOpen(row, now);
        const reason = "the physician's schedule changed; the patient chose the new time";
        let newId: string;
        if (input.optionId) {
          await moves.releaseHoldIn(tx, actor, row.hold_id!);
          newId = (await moves.moveIn(tx, actor, row.appointment_id, input.optionId, reason)).id;
        } else {
          try {
            newId = (await moves.moveOntoHoldIn(tx, actor, row.appointment_id, row.hold_id!, reason, now)).id;
          } catch (err) {
            // the hold went meanwhile (released by hand): the offer cannot be kept
            if (err instanceof ProblemError && err.code === "conflict_hold_expired") throw gone();
            throw err;
          }
        }
        const updated = await repo.answer(tx, row.id, {
          state: "accepted",
          answer: input.optionId ? "chose_another" : "accepted",
          answered_at: now,
          new_appointment_id: newId,
          note: null,
        });
        await audit(tx, actor, row, "reschedule.offer_accept", {
          newAppointmentId: newId,
          choseAnother: !!input.optionId,
        });
        return toOffer(tx, updated);
      }),

    /** Turns the offer down: the held time goes back and the location's staff take it over. */
    decline: (actor: Actor, id: string): Promise<RescheduleOffer> =>
      db.transaction().execute(async (tx) => {
        const row = await requireOffer(tx, actor, id, "book", true);
        requireOpen(row, clock.now());
        const updated = await handOver(tx, actor, row, "declined");
        await audit(tx, actor, row, "reschedule.offer_decline");
        return toOffer(tx, updated);
      }),

    /** Hands every offer past its time to its location's staff and gives its hold back. */
    async expireLapsed(limit = 100): Promise<number> {
      return db.transaction().execute(async (tx) => {
        const lapsed = await repo.lapsedOffers(tx, clock.now(), limit);
        for (const row of lapsed) {
          await handOver(tx, RESCHEDULING_ACTOR, row, "expired");
          await audit(tx, RESCHEDULING_ACTOR, row, "reschedule.offer_expire");
        }
        return lapsed.length;
      });
    },
  };
}

export type Offers = ReturnType<typeof createOffers>;
