/**
 * Booking the extra seat a location's overbooking rule offers: a second patient in the slot of a
 * booked appointment, when the rule is on at its location and the physician's session is expected
 * to miss more visits than the threshold (the no-show model's risks, fed by the composition root).
 * Staff of the location and administrators book it. Inside one transaction, under the booking
 * path's locks: the session's appointments and their risks decide the seat (`extraSeatOf`), the
 * booking's own facts decide the rest (`checkExtraSeat`), and the database holds the slot to two.
 */

import { sql } from "kysely";
import type { Actor } from "../../platform/access.js";
import { auditService } from "../../platform/audit/index.js";
import type { BookingConfig } from "../../platform/config.js";
import type { Executor } from "../../platform/db.js";
import { problems } from "../../platform/errors.js";
import { auditContextOf } from "../../platform/identity/index.js";
import type { ServiceDeps } from "../../platform/module.js";
import { locationTarget, patient } from "../../platform/policy.js";
import { type AppointmentRow, appointmentRepository as appts } from "./appointments.repository.js";
import { checkExtraSeat, extraSeatOf, type SessionAppointment } from "./availability/overbooking.js";
import { reasonOf } from "./booking.explain.js";
import { bookingFacts } from "./booking.facts.js";
import { BookingConflict, eventOf } from "./booking.service.js";
import { publishChange, type SchedulingCaches } from "./caches.js";
import { equipmentTransport } from "./equipment-transport.repository.js";
import { overbookingRepository } from "./overbooking.repository.js";
import type { NoShowRisk } from "./suggestions.schema.js";
import { visitRepository } from "./visits.repository.js";

export interface ExtraSeatDeps extends ServiceDeps {
  booking: BookingConfig;
  caches: SchedulingCaches;
  noShowRisk?: NoShowRisk | undefined;
}

export interface ExtraSeatBooking {
  appointmentId: string;
  doubles: string;
  expectedNoShows: number;
}

/** The physician's booked appointments at the location over [from, to), with their seats and rooms. */
async function sessionOf(
  tx: Executor,
  noShowRisk: NoShowRisk,
  row: AppointmentRow,
  block: { start: number; end: number },
): Promise<SessionAppointment[] | null> {
  const visits = await visitRepository.upcoming(tx, {
    from: new Date(block.start),
    to: new Date(block.end),
    locationIds: [row.location_id],
    physicianId: row.physician_id,
    limit: 500,
  });
  const risks = await noShowRisk(tx, visits);
  if (!risks) return null;
  const ids = visits.map((v) => v.id);
  const seats = await sql<{ id: string; room_id: string | null; ends_at: Date; extra_seat: boolean }>`
    SELECT id, room_id, ends_at, extra_seat FROM appointments WHERE id = ANY(${ids}::uuid[])`.execute(tx);
  const byId = new Map(seats.rows.map((r) => [r.id, r]));
  return visits.map((v, i) => ({
    id: v.id,
    locationId: v.locationId,
    roomId: byId.get(v.id)?.room_id ?? null,
    start: v.start.getTime(),
    end: byId.get(v.id)!.ends_at.getTime(),
    risk: risks[i]!,
    extraSeat: byId.get(v.id)?.extra_seat ?? false,
  }));
}

export function createExtraSeats({ db, policies, booking: rules, caches, noShowRisk }: ExtraSeatDeps) {
  return {
    /** Books `patientId` into the extra seat of appointment `appointmentId`'s slot. */
    async book(actor: Actor, appointmentId: string, patientId: string): Promise<ExtraSeatBooking> {
      try {
        return await bookIn(actor, appointmentId, patientId);
      } catch (err) {
        // the database's last guard (a slot holds two, equipment never overlaps) answers as a conflict
        const reason = reasonOf(err);
        if (reason) throw new BookingConflict(reason);
        throw err;
      }
    },
  };

  function bookIn(actor: Actor, appointmentId: string, patientId: string): Promise<ExtraSeatBooking> {
    return db.transaction().execute(async (tx) => {
      await policies.authorize(tx, actor, "book_extra_seat", patient(patientId, "body.patientId"));
      const doubled = await appts.get(tx, appointmentId);
      if (!doubled) throw problems.notFound("appointment", "params.id");
      await policies.authorize(
        tx,
        actor,
        "manage_overbooking",
        locationTarget(doubled.location_id, "params.id"),
      );
      if (!["booked", "checked_in"].includes(doubled.status)) throw new BookingConflict("unavailable");
      const rule = await overbookingRepository.get(tx, doubled.location_id);
      if (!rule?.enabled) throw new BookingConflict("unavailable");
      if (!noShowRisk) throw new BookingConflict("unavailable");
      const { facilitiesStamp } = await appts.lockForBooking(
        tx,
        { physicianId: doubled.physician_id, patientId, roomId: doubled.room_id, equipmentIds: [] },
        doubled.starts_at,
        doubled.ends_at,
      );
      const option = {
        physicianId: doubled.physician_id,
        locationId: doubled.location_id,
        roomId: doubled.room_id,
        equipmentIds: [],
        start: doubled.starts_at.getTime(),
        end: doubled.ends_at.getTime(),
        appointmentTypeId: doubled.appointment_type_id,
        telehealth: false,
      };
      const facts = await bookingFacts(
        tx,
        {
          option,
          patientId,
          rules: { minNoticeMinutes: rules.minNoticeMinutes, horizonDays: rules.horizonDays },
          facilitiesStamp,
          // the slot is the doubled appointment's physician: continuity chose them already
          ignoreContinuity: true,
          now: Date.now(),
        },
        caches,
      );
      if (facts === "withdrawn") throw new BookingConflict("unavailable");
      const block = facts.blocks.find(
        (b) => b.locationId === option.locationId && b.start <= option.start && b.end >= option.end,
      );
      if (!block || doubled.telehealth) throw new BookingConflict("unavailable");
      const session = await sessionOf(tx, noShowRisk, doubled, block);
      const seat = session && extraSeatOf(session, rule);
      if (!seat || seat.appointmentId !== doubled.id) throw new BookingConflict("unavailable");
      const check = checkExtraSeat(facts, option, seat);
      if (!check.ok) throw new BookingConflict(check.reason);
      if (facts.equipment.some((e) => e.travels && check.equipmentIds.includes(e.id)))
        // equipment that travels needs its transport planned: not for an extra seat
        throw new BookingConflict("equipment");
      const inserted = await sql<AppointmentRow>`
          INSERT INTO appointments (patient_id, physician_id, location_id, room_id, appointment_type_id,
            starts_at, ends_at, status, telehealth, created_by, extra_seat)
          VALUES (${patientId}, ${doubled.physician_id}, ${doubled.location_id}, ${check.roomId},
            ${doubled.appointment_type_id}, ${doubled.starts_at}, ${new Date(check.end)}, 'booked', false,
            ${actor.userId}, true)
          RETURNING *`.execute(tx);
      const row = inserted.rows[0]!;
      await equipmentTransport.reserve(
        tx,
        { appointmentId: row.id, start: row.starts_at, end: row.ends_at, locationId: row.location_id },
        check.equipmentIds,
        [],
        facts.travelMinutes,
      );
      await auditService.record(tx, auditContextOf(actor), {
        action: "appointment.book_extra_seat",
        resourceType: "appointment",
        resourceId: row.id,
        patientId,
        locationId: row.location_id,
        detail: { doubles: doubled.id, expectedNoShows: seat.expectedNoShows, threshold: rule.threshold },
      });
      await publishChange(caches, tx, eventOf("appointment.booked", row, { extraSeat: true }));
      return { appointmentId: row.id, doubles: doubled.id, expectedNoShows: seat.expectedNoShows };
    });
  }
}

export type ExtraSeats = ReturnType<typeof createExtraSeats>;
