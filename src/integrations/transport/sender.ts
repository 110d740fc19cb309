/**
 * The transport adapter's background pass, safe on any number of replicas:
 * 1. follows the schedule: a cancelled appointment cancels its ride; a rescheduled one moves it
 *    (new pickup from the new start and place) — read from the schedule_events outbox under the
 *    cursor's lock, after the booking's transaction committed, never inside it;
 * 2. tells the transport service what it has not heard yet (claimed with SKIP LOCKED and a lease):
 *    a new ride (conditional creates: a resend after a lost answer is the same ride), a move, a
 *    cancellation — or asks for the ride Task's status; a failure is retried with back-off.
 */
import type { FastifyBaseLogger } from "fastify";
import type { Db, Executor } from "../../platform/db.js";
import type { ScheduleEvent } from "../../platform/events.js";
import { FarSideError, retryDelayMs } from "../../platform/fhir-http.js";
import { readAfter } from "../../platform/outbox.js";
import { auditWithheld, withheldReason } from "../../platform/residency/index.js";
import { locationService } from "../../services/locations/index.js";
import { patientService } from "../../services/patients/index.js";
import { appointmentFacts } from "../../services/scheduling/index.js";
import type { TransportService } from "./client.js";
import { rideTransaction, statusOfRideTask } from "./fhir.js";
import { localDate } from "./pickup.js";
import { addressLine, planRide } from "./planning.js";
import { type RideAction, type RideRow, transportRepository as repo } from "./repository.js";

export interface TransportSenderDeps {
  db: Db;
  service: TransportService;
  now: () => Date;
  pollMs: number;
  marginMinutes: number;
  log?: FastifyBaseLogger;
  leaseMs?: number;
  /** The regions whose rides the service may be sent (ROUNDS_TRANSPORT_REGIONS); undefined: every region. */
  regions?: readonly string[] | undefined;
}

export function createTransportSender(deps: TransportSenderDeps) {
  const leaseMs = deps.leaseMs ?? 120_000;

  async function follow(tx: Executor, e: ScheduleEvent): Promise<void> {
    const now = deps.now();
    if (e.type === "appointment.cancelled") {
      const ride = await repo.liveFor(tx, e.appointmentId);
      if (!ride) return;
      // never sent: nothing to tell the service
      if (!ride.remote_id && ride.pending === "create")
        await repo.plan(tx, ride.id, { pending: null, status: "cancelled" }, now);
      else await repo.plan(tx, ride.id, { pending: "cancel" }, now);
      return;
    }
    if (e.type !== "appointment.rescheduled" || typeof e.payload.previousAppointmentId !== "string") return;
    const ride = await repo.liveFor(tx, e.payload.previousAppointmentId);
    const moved = await appointmentFacts.get(tx, e.appointmentId);
    if (!ride || !moved) return;
    let notBefore: Date | undefined;
    if (ride.from_appointment_id) {
      const from = await appointmentFacts.get(tx, ride.from_appointment_id);
      const zone = (await locationService.get(tx, moved.locationId)).timeZone;
      if (from && localDate(from.end, zone) === localDate(moved.start, zone)) notBefore = from.end;
    }
    const plan = await planRide(
      tx,
      {
        patientId: moved.patientId,
        locationId: moved.locationId,
        start: moved.start,
        origin: ride.origin,
        fromLocationId: ride.from_location_id,
        notBefore,
      },
      deps.marginMinutes,
    );
    await repo.plan(
      tx,
      ride.id,
      {
        appointment_id: moved.id,
        location_id: moved.locationId,
        pickup_at: plan.pickup.at,
        travel_minutes: plan.travelMinutes,
        pending: ride.remote_id ? "update" : "create",
      },
      now,
    );
  }

  /** Reads schedule events after the cursor, one replica at a time; true while there may be more. */
  async function followSchedule(): Promise<void> {
    for (let i = 0; i < 20; i++) {
      const more = await deps.db.transaction().execute(async (tx) => {
        const cursor = await repo.lockCursor(tx);
        const read = await readAfter(tx, cursor, 200);
        for (const e of read.events) await follow(tx, e);
        if (read.through !== cursor) await repo.moveCursor(tx, read.through);
        return !read.settled || read.events.length === 200;
      });
      if (!more) return;
    }
  }

  async function factsOf(row: RideRow) {
    const { db } = deps;
    const [patient, to, from, appointment] = await Promise.all([
      patientService.get(db, row.patient_id),
      locationService.get(db, row.location_id),
      row.from_location_id ? locationService.get(db, row.from_location_id) : Promise.resolve(undefined),
      appointmentFacts.get(db, row.appointment_id),
    ]);
    const a = patient.address;
    return {
      id: row.id,
      pickupAt: row.pickup_at,
      appointmentStart: appointment?.start ?? row.pickup_at,
      patient: { mrn: patient.mrn, name: `${patient.givenName} ${patient.familyName}` },
      from: from
        ? addressLine([from.name, from.addressLine, from.city], from.name)
        : addressLine(
            [a?.line, a?.city, a?.postalCode],
            "the patient's home (address on file with the patient)",
          ),
      to: addressLine([to.name, to.addressLine, to.city], to.name),
      toName: to.name,
      requestedOn: row.created_at,
    };
  }

  /** A ride of a region the service may not receive: never sent, and the withholding audited. */
  async function withhold(row: RideRow, reason: string): Promise<void> {
    await deps.db.transaction().execute(async (tx) => {
      // cancelled before anything was sent: nothing to tell anyone
      if (row.pending === "cancel" && !row.remote_id)
        return repo.plan(tx, row.id, { pending: null, status: "cancelled" }, deps.now());
      await repo.withheld(tx, row.id, reason, deps.now());
      await auditWithheld(tx, {
        partner: "transport",
        region: row.region,
        reason,
        resourceType: "ride",
        resourceId: row.id,
        patientId: row.patient_id,
        locationId: row.location_id,
      });
    });
  }

  async function work(row: RideRow): Promise<void> {
    const withheld = withheldReason("transport", deps.regions, row.region);
    if (withheld) return withhold(row, withheld);
    const claimed = row.pending as RideAction;
    // a ride the service already holds is changed, never created twice
    const action: RideAction = claimed === "create" && row.remote_id && row.task_id ? "update" : claimed;
    try {
      const now = () => deps.now();
      if (action === "poll") {
        const status = statusOfRideTask(await deps.service.task(row.task_id!));
        const final = status === "completed" || status === "cancelled";
        await repo.answered(deps.db, row.id, claimed, {
          status,
          remoteId: null,
          taskId: null,
          nextAt: final ? null : new Date(now().getTime() + deps.pollMs),
          now: now(),
        });
        return;
      }
      const cancelled = action === "cancel";
      const ids =
        action === "create" ? undefined : { serviceRequestId: row.remote_id!, taskId: row.task_id! };
      const made = await deps.service.submit(
        rideTransaction(await factsOf(row), { cancelled, ...(ids ? { ids } : {}) }),
      );
      await repo.answered(deps.db, row.id, claimed, {
        status: cancelled ? "cancelled" : "requested",
        remoteId: made.serviceRequestId,
        taskId: made.taskId,
        nextAt: cancelled ? null : new Date(now().getTime() + deps.pollMs),
        now: now(),
      });
    } catch (err) {
      const now = deps.now();
      if (!(err instanceof FarSideError)) deps.log?.error({ err, ride: row.id }, "transport: sending failed");
      const reason = err instanceof FarSideError ? err.message : "could not be sent";
      await repo.failed(
        deps.db,
        row.id,
        claimed,
        reason,
        new Date(now.getTime() + retryDelayMs(row.attempts)),
        now,
      );
    }
  }

  return {
    followSchedule,
    async pass(): Promise<void> {
      await followSchedule();
      // what is due as the pass starts: a status asked for now is not asked again in the same pass
      const started = deps.now();
      for (let i = 0; i < 20; i++) {
        const claimed = await repo.claim(deps.db, started, leaseMs, 20);
        if (!claimed.length) return;
        await Promise.all(claimed.map(work));
      }
    },
  };
}
