/** Appointments: searching, holding, booking and moving them; the lifecycle is appointments.lifecycle.ts. */

import type { z } from "zod";
import type { TelehealthLinks } from "../../integrations/telehealth/index.js";
import type { Actor } from "../../platform/access.js";
import { auditService } from "../../platform/audit/index.js";
import type { BookingConfig } from "../../platform/config.js";
import type { Executor } from "../../platform/db.js";
import { auditContextOf } from "../../platform/identity/index.js";
import type { ServiceDeps } from "../../platform/module.js";
import { patient } from "../../platform/policy.js";
import type { ReadDb } from "../../platform/read-db.js";
import { appointmentLifecycle, type Change } from "./appointments.lifecycle.js";
import type { PlacedRow } from "./appointments.repository.js";
import type {
  Appointment,
  AppointmentQuery,
  AvailabilityQuery,
  availabilityResult,
  BookInput,
} from "./appointments.schema.js";
import { requireAppointment, view } from "./appointments.view.js";
import type { OptionIds } from "./availability/option-id.js";
import { needFromQuery, searchOptions, toOptionDto } from "./availability.service.js";
import { type GroupHold, type GroupOption, groupBooking } from "./booking.group.js";
import { booking } from "./booking.service.js";
import type { SchedulingCaches } from "./caches.js";
import { extraSeatOptions } from "./extra-seat.offers.js";
import type { NoShowRisk } from "./suggestions.schema.js";

const ctxFor = auditContextOf;
type Transition = "checked_in" | "in_progress" | "completed" | "no_show";

/** What the appointments service needs besides the platform. */
export interface AppointmentDeps extends ServiceDeps {
  /** The booking rules (ROUNDS_BOOKING_*). */
  booking: BookingConfig;
  /** Signs the option ids searches hand out and opens those bookings send back. */
  optionIds: OptionIds;
  /** This server's scheduling caches (facilities, occupancy, plans). */
  caches: SchedulingCaches;
  /** The configured telehealth provider's links, issued and revoked inside bookings' transactions. */
  telehealth: TelehealthLinks;
  /** The no-show model's risks: where an overbooking rule is on, they open extra seats. */
  noShowRisk?: NoShowRisk | undefined;
  /** Where searches read (a replica within its lag bound); unset: the primary. Bookings never use it. */
  readDb?: ReadDb | undefined;
}

/**
 * Appointments within the caller's scope: search, hold, book, reschedule, read and the lifecycle.
 * Every operation authorizes through the policy, runs in its own transaction and audits there;
 * holding, booking and moving are the booking path's (`booking.service.ts`), called from here.
 */
export function createAppointments({
  db,
  clock,
  policies,
  booking: rules,
  optionIds,
  caches,
  telehealth,
  noShowRisk,
  readDb,
}: AppointmentDeps) {
  const lifecycle = appointmentLifecycle(policies, clock, caches, telehealth);
  const bookingDeps = { rules, optionIds, caches, policies, telehealth, noShowRisk };
  const toAppointment = (ex: Executor, r: PlacedRow) => view(ex, r, caches);
  return {
    /** Bookable options for a need, ranked; searching for a patient is a read of their data. */
    async searchAvailability(
      actor: Actor,
      query: AvailabilityQuery,
    ): Promise<z.infer<typeof availabilityResult>> {
      const need = needFromQuery(actor, query);
      const patientId = need.patientId;
      if (patientId) {
        // the patient's history and commitments shape the answer: that is a read of patient data
        await db.transaction().execute(async (tx) => {
          await policies.authorize(tx, actor, "search_for", patient(patientId, "query.patientId"));
          await auditService.record(tx, ctxFor(actor), {
            action: "availability.search",
            resourceType: "patient",
            resourceId: patientId,
            patientId,
            detail: query.overrideReason ? { continuityOverride: query.overrideReason } : {},
          });
        });
      }
      // an offer, not a promise: the booking re-checks it on the primary, so a replica may answer
      const reads = readDb?.() ?? db;
      const result = await searchOptions(reads, rules, need, caches);
      // the extra seats an overbooking rule opens come after the ordinary options, marked as such
      const seats = await extraSeatOptions(
        reads,
        { rules, caches, optionIds, noShowRisk },
        actor,
        need,
        result,
      );
      return {
        options: [...result.options.map((o) => toOptionDto(o, result, optionIds)), ...seats],
        searched: {
          physicians: result.physicians.length,
          from: new Date(need.from).toISOString(),
          to: new Date(need.to).toISOString(),
          followUpRestrictedTo: result.followUpRestrictedTo,
        },
      };
    },
    /** Holds an option for a few minutes while the patient decides. */
    async hold(actor: Actor, optionId: string, patientId: string): Promise<Appointment> {
      const row = await booking.hold(db, bookingDeps, actor, optionId, patientId);
      return toAppointment(db, row);
    },
    /**
     * Holds an option for a system caller offering it (a waitlist offer): for `minutes` instead of
     * the booking rules' few, and outside the per-user limit on open holds (the caller holds one
     * slot per waiting patient, never two for one).
     */
    async holdFor(actor: Actor, optionId: string, patientId: string, minutes: number): Promise<Appointment> {
      const offerRules = { ...rules, holdMinutes: minutes, maxOpenHolds: Number.MAX_SAFE_INTEGER };
      const row = await booking.hold(db, { ...bookingDeps, rules: offerRules }, actor, optionId, patientId);
      return toAppointment(db, row);
    },
    /** Books an option or a hold; a retry with the same idempotency key answers the first booking. */
    async book(
      actor: Actor,
      input: BookInput,
      idempotencyKey: string | undefined,
    ): Promise<{ appointment: Appointment; replayed: boolean }> {
      const { row, replayed } = await booking.book(db, bookingDeps, actor, input, idempotencyKey);
      return { appointment: await toAppointment(db, row), replayed };
    },
    /**
     * Holds several patients' options together (a family's trip): all in one transaction, or none
     * (409 naming the member's option field).
     */
    async holdTogether(actor: Actor, items: readonly GroupOption[]): Promise<Appointment[]> {
      const rows = await groupBooking.place(db, bookingDeps, actor, items, { status: "held" });
      return Promise.all(rows.map((r) => toAppointment(db, r)));
    },
    /** Books several patients' options, or their holds, together: all in one transaction, or none. */
    async bookTogether(
      actor: Actor,
      items: { options: readonly GroupOption[] } | { holds: readonly GroupHold[] },
      reason: string | undefined,
    ): Promise<Appointment[]> {
      const rows =
        "options" in items
          ? await groupBooking.place(db, bookingDeps, actor, items.options, { status: "booked", reason })
          : await groupBooking.bookHolds(db, bookingDeps, actor, items.holds, reason);
      return Promise.all(rows.map((r) => toAppointment(db, r)));
    },
    /** Moves an appointment to another option atomically (the old time is kept if the new one fails). */
    async reschedule(
      actor: Actor,
      id: string,
      optionId: string,
      reason: string | undefined,
    ): Promise<Appointment> {
      const current = await requireAppointment(policies, db, actor, id, false, "reschedule");
      const row = await booking.reschedule(db, bookingDeps, actor, current, optionId, reason);
      return toAppointment(db, row);
    },
    get: (actor: Actor, id: string) => lifecycle.get(db, actor, id),
    list: (actor: Actor, q: AppointmentQuery) => lifecycle.list(db, actor, q),
    transition: async (actor: Actor, id: string, status: Transition) =>
      (await lifecycle.transition(db, actor, id, status)).appointment,
    releaseHold: (actor: Actor, id: string) => lifecycle.releaseHold(db, actor, id),
    cancel: async (actor: Actor, id: string, reason: string) =>
      (await lifecycle.cancel(db, actor, id, reason)).appointment,
    /** The lifecycle's changes as a replayed offline queue sends them: versioned, idempotent. */
    transitionOnce: (actor: Actor, id: string, status: Transition, change: Change) =>
      lifecycle.transition(db, actor, id, status, change),
    cancelOnce: (actor: Actor, id: string, reason: string, change: Change) =>
      lifecycle.cancel(db, actor, id, reason, change),
    setNotes: (actor: Actor, id: string, notes: string, change: Change) =>
      lifecycle.setNotes(db, actor, id, notes, change),
  };
}

/** The appointments service as the composition root wires it. */
export type Appointments = ReturnType<typeof createAppointments>;
