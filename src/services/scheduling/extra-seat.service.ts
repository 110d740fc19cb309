/**
 * Booking the extra seat a location's overbooking rule offers by the appointment it doubles: a
 * second patient in the slot of a booked appointment, when the rule is on at its location and the
 * physician's session is expected to miss more visits than the threshold (the no-show model's
 * risks, fed by the composition root). Staff of the location and administrators book it. It goes
 * through the booking path (`place`) as an extra-seat option of that slot, so a search's extra-seat
 * option and this call decide alike: under the booking's locks, `checkAsExtraSeat`.
 */

import type { TelehealthLinks } from "../../integrations/telehealth/index.js";
import type { Actor } from "../../platform/access.js";
import { auditService } from "../../platform/audit/index.js";
import type { BookingConfig } from "../../platform/config.js";
import { problems } from "../../platform/errors.js";
import { auditContextOf } from "../../platform/identity/index.js";
import type { ServiceDeps } from "../../platform/module.js";
import { locationTarget, patient } from "../../platform/policy.js";
import { toIso } from "../../platform/schemas.js";
import { appointmentRepository as appts } from "./appointments.repository.js";
import type { OptionRef } from "./availability/option-id.js";
import { facilities } from "./availability.service.js";
import { reasonOf } from "./booking.explain.js";
import { BookingConflict, eventOf, place } from "./booking.service.js";
import { publishChange, type SchedulingCaches } from "./caches.js";
import { openSeats } from "./extra-seat.offers.js";
import { overbookingRepository } from "./overbooking.repository.js";
import { type OpenSeatsDto, OVERBOOKING_EXPLANATION } from "./overbooking.schema.js";
import type { NoShowRisk } from "./suggestions.schema.js";

export interface ExtraSeatDeps extends ServiceDeps {
  booking: BookingConfig;
  caches: SchedulingCaches;
  telehealth: TelehealthLinks;
  noShowRisk?: NoShowRisk | undefined;
}

export interface ExtraSeatBooking {
  appointmentId: string;
  doubles: string;
  expectedNoShows: number;
}

export function createExtraSeats({
  db,
  policies,
  booking: rules,
  caches,
  telehealth,
  noShowRisk,
}: ExtraSeatDeps) {
  return {
    /**
     * The extra seats open at the location over [from, to) (a desk's day view): what the rule
     * offers right now, each by the appointment it doubles.
     */
    async open(
      actor: Actor,
      locationId: string,
      window: { from: string; to: string },
    ): Promise<OpenSeatsDto> {
      const from = Date.parse(window.from);
      const to = Date.parse(window.to);
      if (!(to > from)) throw problems.invalid("query.to", "must be after from");
      if (to - from > 7 * 86_400_000)
        throw problems.invalid("query.to", "the window may span at most 7 days");
      return db.transaction().execute(async (tx) => {
        await policies.authorize(tx, actor, "manage_overbooking", locationTarget(locationId, "params.id"));
        const snapshot = await facilities(tx, { inTransaction: true, cache: caches.facilities });
        if (!snapshot.locations.some((l) => l.id === locationId))
          throw problems.notFound("location", "params.id");
        const rule = await overbookingRepository.get(tx, locationId);
        const seats = rule?.enabled
          ? await openSeats(tx, caches, noShowRisk, new Map([[locationId, rule]]), {
              physicianIds: null,
              locationIds: [locationId],
              from: Math.max(from, Date.now()),
              to,
            })
          : [];
        return {
          seats: seats.map(({ seat, physicianId, threshold }) => ({
            doubles: seat.appointmentId,
            physicianId,
            roomId: seat.roomId,
            start: toIso(new Date(seat.start)),
            end: toIso(new Date(seat.end)),
            expectedNoShows: seat.expectedNoShows,
            threshold,
          })),
          explanation: OVERBOOKING_EXPLANATION,
        };
      });
    },
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
      if (!["booked", "checked_in"].includes(doubled.status) || doubled.telehealth || doubled.extra_seat)
        throw new BookingConflict("unavailable");
      const rule = await overbookingRepository.get(tx, doubled.location_id);
      if (!rule?.enabled) throw new BookingConflict("unavailable");
      const option: OptionRef = {
        physicianId: doubled.physician_id,
        locationId: doubled.location_id,
        roomId: doubled.room_id,
        equipmentIds: [],
        start: doubled.starts_at.getTime(),
        end: doubled.ends_at.getTime(),
        appointmentTypeId: doubled.appointment_type_id,
        telehealth: false,
        extraSeat: true,
      };
      const row = await place(tx, { rules, caches, telehealth, noShowRisk }, actor, option, patientId, {
        status: "booked",
        // the slot is the doubled appointment's physician: continuity chose them already
        overrideReason: "extra seat beside a booked appointment",
      });
      if (row.seat?.appointmentId !== doubled.id) throw new BookingConflict("unavailable");
      await auditService.record(tx, auditContextOf(actor), {
        action: "appointment.book_extra_seat",
        resourceType: "appointment",
        resourceId: row.id,
        patientId,
        locationId: row.location_id,
        detail: { doubles: doubled.id, expectedNoShows: row.seat.expectedNoShows, threshold: rule.threshold },
      });
      await publishChange(caches, tx, eventOf("appointment.booked", row, { extraSeat: true }));
      return { appointmentId: row.id, doubles: doubled.id, expectedNoShows: row.seat.expectedNoShows };
    });
  }
}

export type ExtraSeats = ReturnType<typeof createExtraSeats>;
