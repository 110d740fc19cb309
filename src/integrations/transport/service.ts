/**
 * Transport for patients who need it (their own preference, or a flag set by a location's staff):
 * a ride to a booked appointment, from home or from an earlier visit the same day at another
 * network location, stored at once with its pickup time and sent to the transport service after
 * the transaction commits (sender.ts). The service being down never fails the booking or the
 * request: the ride shows "not sent" and Rounds retries.
 */
import type { Actor } from "../../platform/access.js";
import { auditService } from "../../platform/audit/index.js";
import type { Executor } from "../../platform/db.js";
import { problems, registerConstraint } from "../../platform/errors.js";
import { auditContextOf } from "../../platform/identity/index.js";
import type { ServiceDeps } from "../../platform/module.js";
import { locationTarget, patient as patientTarget } from "../../platform/policy.js";
import { locationService } from "../../services/locations/index.js";
import { appointmentFacts } from "../../services/scheduling/index.js";
import { dayBounds, localDate, pickupTime } from "./pickup.js";
import { planRide } from "./planning.js";
import { type RideView, transportRepository as repo } from "./repository.js";
import type { Ride, RideRequest, TransportNeed } from "./schema.js";

registerConstraint("rides_one_per_appointment", "params.id", "this appointment already has a ride");

export interface TransportDeps extends ServiceDeps {
  marginMinutes: number;
  wake: () => void;
}

export const toRide = (r: RideView): Ride => {
  const zone = r.from_time_zone ?? r.time_zone;
  return {
    id: r.id,
    appointmentId: r.appointment_id,
    patientId: r.patient_id,
    patientName: r.patient_name,
    locationId: r.location_id,
    locationName: r.location_name,
    origin: r.origin,
    fromLocationId: r.from_location_id,
    fromLocationName: r.from_location_name,
    pickupAt: r.pickup_at.toISOString(),
    pickupLocal: pickupTime({
      appointmentStart: r.pickup_at,
      travelMinutes: 0,
      marginMinutes: 0,
      timeZone: zone,
    }).local,
    appointmentStart: r.starts_at.toISOString(),
    travelMinutes: r.travel_minutes,
    status: r.status,
    lastError: r.last_error,
    nextAttemptAt: r.pending && r.pending !== "poll" ? r.next_attempt_at.toISOString() : null,
    updatedAt: r.updated_at.toISOString(),
  };
};

export function createTransport({ db, clock, policies, marginMinutes, wake }: TransportDeps) {
  const inTransaction = <T>(work: (tx: Executor) => Promise<T>): Promise<T> => db.transaction().execute(work);
  const needOf = async (ex: Executor, patientId: string): Promise<TransportNeed> => {
    const n = await repo.need(ex, patientId);
    return n
      ? { needed: n.needed, source: n.source, note: n.note }
      : { needed: false, source: null, note: null };
  };

  return {
    /** The patient says they need transport (or not); staff and administrators flag it. */
    setNeed: (
      actor: Actor,
      patientId: string,
      input: { needed: boolean; note: string | null },
    ): Promise<TransportNeed> =>
      inTransaction(async (tx) => {
        const access = await policies.authorize(tx, actor, "set_transport_need", patientTarget(patientId));
        const source = actor.role === "patient" ? "patient" : "staff";
        await repo.setNeed(tx, { patientId, ...input, source, by: actor.userId, now: clock.now() });
        await auditService.record(tx, auditContextOf(actor), {
          action: "patient.transport_need.set",
          resourceType: "patient",
          resourceId: patientId,
          patientId,
          detail: { access, needed: input.needed, source },
        });
        return { needed: input.needed, source, note: input.note };
      }),

    /** Books a ride to an appointment; stored "not sent" and sent after commit. */
    async request(actor: Actor, appointmentId: string, input: RideRequest): Promise<Ride> {
      const made = await inTransaction(async (tx) => {
        const a = await appointmentFacts.get(tx, appointmentId);
        if (!a) throw problems.notFound("appointment");
        const ground = await policies.authorize(tx, actor, "request_transport", {
          kind: "appointment",
          id: a.id,
          patientId: a.patientId,
          physicianId: a.physicianId,
          locationId: a.locationId,
        });
        if (a.status !== "booked")
          throw problems.conflict("not_booked", `A ${a.status} appointment needs no ride`, "params.id");
        if (a.telehealth) throw problems.conflict("telehealth", "A video visit needs no ride", "params.id");
        if (a.start.getTime() <= clock.now().getTime())
          throw problems.conflict("started", "The appointment has already started", "params.id");
        if (!(await needOf(tx, a.patientId)).needed)
          throw problems.conflict(
            "transport_not_needed",
            "The patient has not said they need transport, and no staff member has flagged them",
            "params.id",
          );
        let fromLocationId: string | null = null;
        let notBefore: Date | undefined;
        if (input.origin === "location") {
          const from = await appointmentFacts.get(tx, input.fromAppointmentId!);
          const zone = (await locationService.get(tx, a.locationId)).timeZone;
          if (
            !from ||
            from.patientId !== a.patientId ||
            from.status !== "booked" ||
            from.locationId === a.locationId ||
            from.end.getTime() > a.start.getTime() ||
            localDate(from.end, zone) !== localDate(a.start, zone)
          )
            throw problems.invalid(
              "body.fromAppointmentId",
              "must be the patient's booked appointment at another location earlier the same day",
            );
          fromLocationId = from.locationId;
          notBefore = from.end;
        }
        const plan = await planRide(
          tx,
          {
            patientId: a.patientId,
            locationId: a.locationId,
            start: a.start,
            origin: input.origin,
            fromLocationId,
            notBefore,
          },
          marginMinutes,
        );
        const id = await repo.insert(
          tx,
          {
            appointment_id: a.id,
            patient_id: a.patientId,
            location_id: a.locationId,
            origin: input.origin,
            from_location_id: fromLocationId,
            from_appointment_id: input.fromAppointmentId ?? null,
            pickup_at: plan.pickup.at,
            travel_minutes: plan.travelMinutes,
            requested_by: actor.userId,
          },
          clock.now(),
        );
        await auditService.record(tx, auditContextOf(actor), {
          action: "ride.request",
          resourceType: "ride",
          resourceId: id,
          patientId: a.patientId,
          locationId: a.locationId,
          detail: {
            access: ground,
            appointmentId: a.id,
            origin: input.origin,
            pickupAt: plan.pickup.at.toISOString(),
          },
        });
        return (await repo.view(tx, id))!;
      });
      wake();
      return toRide(made);
    },

    /** The patient's transport need and rides, newest first. */
    ofPatient: (actor: Actor, patientId: string): Promise<{ need: TransportNeed; rides: Ride[] }> =>
      inTransaction(async (tx) => {
        const access = await policies.authorize(tx, actor, "read", patientTarget(patientId));
        const [need, rows] = await Promise.all([needOf(tx, patientId), repo.ofPatient(tx, patientId)]);
        await auditService.record(tx, auditContextOf(actor), {
          action: "patient.rides.read",
          resourceType: "patient",
          resourceId: patientId,
          patientId,
          detail: { access, rides: rows.length },
        });
        return { need, rides: rows.map(toRide) };
      }),

    /** The rides picking up on a local day that go to or leave from the location. */
    atLocation: (actor: Actor, locationId: string, date: string): Promise<Ride[]> =>
      inTransaction(async (tx) => {
        const access = await policies.authorize(tx, actor, "read_rides", locationTarget(locationId));
        const location = await locationService.get(tx, locationId);
        const { from, to } = dayBounds(date, location.timeZone);
        const rows = await repo.atLocation(tx, locationId, from, to);
        await auditService.record(tx, auditContextOf(actor), {
          action: "location.rides.read",
          resourceType: "location",
          resourceId: locationId,
          locationId,
          detail: { access, date, rides: rows.length, patients: [...new Set(rows.map((r) => r.patient_id))] },
        });
        return rows.map(toRide);
      }),
  };
}
export type TransportOperations = ReturnType<typeof createTransport>;
