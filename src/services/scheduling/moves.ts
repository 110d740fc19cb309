/**
 * What rescheduling asks of scheduling inside its own transaction: a physician's upcoming
 * appointments, ranked alternatives for one of them (searched against the facts as that
 * transaction sees them), and a move through the booking path's own check.
 */

import type { TelehealthLinks } from "../../integrations/telehealth/index.js";
import type { Actor } from "../../platform/access.js";
import type { BookingConfig } from "../../platform/config.js";
import type { Executor } from "../../platform/db.js";
import { ProblemError, problems } from "../../platform/errors.js";
import { appointmentRepository as appts } from "./appointments.repository.js";
import type { SlotOptionDto } from "./appointments.schema.js";
import type { OptionIds } from "./availability/option-id.js";
import { searchOptions, toOptionDto } from "./availability.service.js";
import { holdUntil, moveOntoHold, releaseHoldIn } from "./booking.offers.js";
import { moveWithin, openOrFail } from "./booking.service.js";
import type { SchedulingCaches } from "./caches.js";

/** An appointment still to come, as a schedule change sees it. */
export interface UpcomingAppointment {
  id: string;
  patientId: string;
  physicianId: string;
  locationId: string;
  appointmentTypeId: string;
  start: Date;
  end: Date;
  telehealth: boolean;
  status: string;
}

/** How many alternatives each affected appointment is offered. */
export const ALTERNATIVES = 3;
/** How far after the appointment alternatives are looked for. */
const SEARCH_DAYS = 21;

export function createMoves({
  rules,
  optionIds,
  caches,
  telehealth,
}: {
  rules: BookingConfig;
  optionIds: OptionIds;
  caches: SchedulingCaches;
  telehealth: TelehealthLinks;
}) {
  /**
   * Booked or held appointments of these physicians, rooms or equipment overlapping [from, to) and
   * starting at `notBefore` or later (default: `from`), oldest first.
   */
  const upcoming = async (
    tx: Executor,
    who: { physicianIds?: string[]; roomIds?: string[]; equipmentIds?: string[] },
    from: Date,
    to: Date,
    notBefore: Date = from,
  ): Promise<UpcomingAppointment[]> => {
    const { rows } = await appts.list(tx, {
      ...who,
      status: ["booked", "held"],
      from,
      to,
      limit: 1000,
      offset: 0,
    });
    return rows
      .filter((r) => r.starts_at >= notBefore)
      .map((r) => ({
        id: r.id,
        patientId: r.patient_id,
        physicianId: r.physician_id,
        locationId: r.location_id,
        appointmentTypeId: r.appointment_type_id,
        start: r.starts_at,
        end: r.ends_at,
        telehealth: r.telehealth,
        status: r.status,
      }));
  };
  return {
    /** Booked or held appointments of the physician starting in [from, to), oldest first. */
    upcomingOf: (tx: Executor, physicianId: string, from: Date, to: Date): Promise<UpcomingAppointment[]> =>
      upcoming(tx, { physicianIds: [physicianId] }, from, to),

    /**
     * Booked or held appointments still to come (starting at `now` or later) that use the room or
     * the item of equipment during [from, to), wherever the item was booked, oldest first.
     */
    upcomingUsing: (
      tx: Executor,
      resource: { kind: "room" | "equipment"; id: string },
      from: Date,
      to: Date,
      now: Date,
    ): Promise<UpcomingAppointment[]> =>
      upcoming(
        tx,
        resource.kind === "room" ? { roomIds: [resource.id] } : { equipmentIds: [resource.id] },
        from,
        to,
        now,
      ),

    /** How many bookings the item of equipment still has to serve (placement changes wait for none). */
    upcomingReservations: (tx: Executor, equipmentId: string, now: Date): Promise<number> =>
      appts.upcomingReservations(tx, equipmentId, now),

    /**
     * Up to three alternatives, best first: the same physician (any location, nearest in time),
     * then others of the specialty; follow-up continuity is kept, the patient's own time counts.
     * With `sameDayUntil` (the physician is away for the rest of the day): only until then, and
     * others of the specialty at the same location first, then by video. With `sameTimeFirst`
     * (its room is going out of service): the same physician at the same time and location in
     * another room comes first.
     */
    async alternativesFor(
      tx: Executor,
      a: UpcomingAppointment,
      specialty: string,
      now: number,
      sameDayUntil?: number,
      sameTimeFirst = false,
    ): Promise<SlotOptionDto[]> {
      const from = sameDayUntil ? now : Math.max(now, a.start.getTime() - 2 * 86_400_000);
      const to = sameDayUntil ?? a.start.getTime() + SEARCH_DAYS * 86_400_000;
      const base = {
        appointmentTypeId: a.appointmentTypeId,
        from,
        to,
        patientId: a.patientId,
        telehealth: a.telehealth,
        excludeAppointmentId: a.id,
        limit: 12,
        now,
        inTransaction: true,
      };
      const byCloseness = (x: { start: number }, y: { start: number }) =>
        Math.abs(x.start - a.start.getTime()) - Math.abs(y.start - a.start.getTime());
      const searches: Array<Parameters<typeof searchOptions>[2]> = sameDayUntil
        ? [
            { ...base, specialty, locationIds: [a.locationId] },
            { ...base, specialty, telehealth: true },
          ]
        : [
            { ...base, physicianIds: [a.physicianId] },
            { ...base, specialty, limit: 24 },
          ];
      const picked: SlotOptionDto[] = [];
      if (sameTimeFirst) {
        const found = await searchOptions(
          tx,
          rules,
          {
            ...base,
            physicianIds: [a.physicianId],
            locationIds: [a.locationId],
            from: a.start.getTime(),
            to: a.end.getTime(),
            ownTime: { physicianId: a.physicianId, start: a.start.getTime(), end: a.end.getTime() },
          },
          caches,
        ).catch((err: unknown) => {
          if (err instanceof ProblemError && err.status < 500) return null;
          throw err;
        });
        const same = found?.options.find((o) => o.start === a.start.getTime());
        if (found && same) picked.push(toOptionDto(same, found, optionIds));
      }
      for (const need of searches) {
        if (picked.length >= ALTERNATIVES) break;
        const found = await searchOptions(tx, rules, need, caches).catch((err: unknown) => {
          // a type not offered by video, say: that search has nothing to add
          if (err instanceof ProblemError && err.status < 500) return null;
          throw err;
        });
        if (!found) continue;
        const taken = new Set(picked.map((p) => `${p.physicianId}|${p.start}`));
        picked.push(
          ...found.options
            .filter((o) => (sameDayUntil || need.physicianIds ? true : o.physicianId !== a.physicianId))
            .sort(byCloseness)
            .map((o) => toOptionDto(o, found, optionIds))
            .filter((o) => !taken.has(`${o.physicianId}|${o.start}`))
            .slice(0, ALTERNATIVES - picked.length),
        );
      }
      return picked;
    },

    /** Moves the appointment to a signed option in the caller's transaction; throws a conflict when it no longer fits. */
    async moveIn(tx: Executor, actor: Actor, appointmentId: string, optionId: string, reason: string) {
      const opt = openOrFail(optionIds, optionId, "body.optionId");
      const current = await appts.get(tx, appointmentId);
      if (!current) throw problems.notFound("appointment");
      if (opt.appointmentTypeId !== current.appointment_type_id)
        throw problems.invalid("body.optionId", "the option is for a different appointment type");
      const row = await moveWithin(tx, { rules, caches, telehealth }, actor, appointmentId, opt, reason);
      return { id: row.id, start: row.starts_at, physicianId: row.physician_id, locationId: row.location_id };
    },

    /**
     * Holds a signed option for the appointment's patient until `until` (an offer to them), through
     * the booking path's check; throws a conflict when it no longer fits.
     */
    async holdIn(tx: Executor, actor: Actor, appointmentId: string, optionId: string, until: Date) {
      const opt = openOrFail(optionIds, optionId, "body.optionId");
      const current = await appts.get(tx, appointmentId);
      if (!current) throw problems.notFound("appointment");
      if (opt.appointmentTypeId !== current.appointment_type_id)
        throw problems.invalid("body.optionId", "the option is for a different appointment type");
      const row = await holdUntil(tx, { rules, caches, telehealth }, actor, opt, current, until);
      return { id: row.id, start: row.starts_at, end: row.ends_at };
    },

    /** Books the hold in the appointment's place (an accepted offer); a lapsed hold is a conflict. */
    async moveOntoHoldIn(
      tx: Executor,
      actor: Actor,
      appointmentId: string,
      holdId: string,
      reason: string,
      now: Date,
    ) {
      const row = await moveOntoHold(tx, { caches, telehealth }, actor, appointmentId, holdId, reason, now);
      return { id: row.id, start: row.starts_at };
    },

    /** Gives an offer's hold back; a hold already booked, released or lapsed is left alone. */
    releaseHoldIn: (tx: Executor, actor: Actor, holdId: string) =>
      releaseHoldIn(tx, { caches }, actor, holdId),

    /** One appointment or hold as a schedule change sees it (any status), or undefined. */
    async get(tx: Executor, id: string): Promise<UpcomingAppointment | undefined> {
      const r = await appts.get(tx, id);
      return r
        ? {
            id: r.id,
            patientId: r.patient_id,
            physicianId: r.physician_id,
            locationId: r.location_id,
            appointmentTypeId: r.appointment_type_id,
            start: r.starts_at,
            end: r.ends_at,
            telehealth: r.telehealth,
            status: r.status,
          }
        : undefined;
    },
  };
}

export type Moves = ReturnType<typeof createMoves>;
