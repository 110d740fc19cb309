/** Reading appointments within the caller's scope, and moving them through their lifecycle. */

import type { TelehealthLinks } from "../../integrations/telehealth/index.js";
import type { Actor } from "../../platform/access.js";
import { auditService } from "../../platform/audit/index.js";
import type { Clock } from "../../platform/clock.js";
import type { Db, Executor } from "../../platform/db.js";
import { problems } from "../../platform/errors.js";
import { type IdempotentRequest, once } from "../../platform/idempotency.js";
import { auditContextOf } from "../../platform/identity/index.js";
import { type Policies, patient } from "../../platform/policy.js";
import type { Page } from "../../platform/schemas.js";
import {
  type AppointmentRow,
  appointmentRepository as appts,
  type PlacedRow,
} from "./appointments.repository.js";
import type { Appointment, AppointmentQuery } from "./appointments.schema.js";
import { requireAppointment, seenBy, view } from "./appointments.view.js";
import { facilities } from "./availability.service.js";
import { eventOf } from "./booking.service.js";
import { publishChange, type SchedulingCaches } from "./caches.js";

/** Allowed lifecycle moves: booked → checked_in → in_progress → completed, or cancelled / no_show. */
const TRANSITIONS: Record<string, readonly string[]> = {
  held: ["booked", "cancelled"],
  booked: ["checked_in", "cancelled", "no_show"],
  checked_in: ["in_progress", "no_show", "cancelled"],
  in_progress: ["completed"],
  completed: [],
  cancelled: [],
  no_show: [],
  expired: [],
};

/**
 * How a change may be sent: with the version it was based on (a stale one is refused with the
 * current state) and an idempotency key (a replay answers the first answer).
 */
export interface Change {
  expectedVersion?: number | undefined;
  idempotency?: IdempotentRequest | undefined;
}
/** A change's answer, and whether it is the stored answer of an earlier copy of the request. */
export interface Changed {
  appointment: Appointment;
  replayed: boolean;
}

const ctxFor = auditContextOf;

/** Reading appointments and moving them through their lifecycle, each in its own transaction. */
export const appointmentLifecycle = (
  policies: Policies,
  clock: Clock,
  caches: SchedulingCaches,
  telehealth: TelehealthLinks,
) => {
  const toAppointment = (ex: Executor, r: PlacedRow) => view(ex, r, caches);
  /** A change based on an older copy is refused with the current state, never applied blindly. */
  const requireVersion = async (tx: Executor, row: AppointmentRow, change: Change) => {
    if (change.expectedVersion === undefined || change.expectedVersion === row.version) return;
    throw problems.conflict(
      "stale_version",
      "The appointment changed since this copy was read; look at its current state and decide again",
      "headers.if-match",
      { current: await toAppointment(tx, row) },
    );
  };
  /** The change's transaction; with an idempotency key, the first answer is kept and replayed. */
  const changeOnce = (
    db: Db,
    actor: Actor,
    change: Change,
    run: (tx: Executor) => Promise<Appointment>,
  ): Promise<Changed> =>
    db.transaction().execute(async (tx) => {
      const { value, replayed } = await once(tx, actor, change.idempotency, () => run(tx));
      return { appointment: value, replayed };
    });
  return {
    async get(db: Db, actor: Actor, id: string): Promise<Appointment> {
      return db.transaction().execute(async (tx) => {
        const row = await requireAppointment(policies, tx, actor, id);
        await auditService.record(tx, ctxFor(actor), {
          action: "appointment.read",
          resourceType: "appointment",
          resourceId: id,
          patientId: row.patient_id,
          locationId: row.location_id,
        });
        return seenBy(actor, await toAppointment(tx, row));
      });
    },

    async list(db: Db, actor: Actor, q: AppointmentQuery): Promise<Page<Appointment>> {
      // the caller's scope is applied first; filters can only narrow it
      const scope = policies.appointmentScope(actor);
      if (!scope) throw problems.forbidden();
      /** A filter within the caller's scope; one outside it answers 404 on its field. */
      const narrow = (
        wanted: string | undefined,
        allowed: string[] | undefined,
        what: string,
        field: string,
      ) => {
        if (wanted === undefined) return allowed;
        if (allowed && !allowed.includes(wanted)) throw problems.notFound(what, field);
        return [wanted];
      };
      const locationIds = narrow(q.locationId, scope.locationIds, "location", "query.locationId");
      const physicianIds = narrow(q.physicianId, scope.physicianIds, "physician", "query.physicianId");
      const patientIds = q.patientId ? [q.patientId] : scope.patientIds;
      // a patient named in the query must be one the caller reaches, whatever else narrows the list
      if (q.patientId) await policies.authorize(db, actor, "read", patient(q.patientId, "query.patientId"));
      let from = q.from ? new Date(q.from) : undefined;
      let to = q.to ? new Date(q.to) : undefined;
      if (q.date) {
        const zone = q.locationId
          ? (await facilities(db, { labelsOnly: true, cache: caches.facilities })).locations.find(
              (l) => l.id === q.locationId,
            )?.timeZone
          : undefined;
        const { Temporal } = await import("temporal-polyfill");
        const day = Temporal.PlainDate.from(q.date);
        from = new Date(day.toZonedDateTime(zone ?? "UTC").epochMilliseconds);
        to = new Date(day.add({ days: 1 }).toZonedDateTime(zone ?? "UTC").epochMilliseconds);
      }
      return db.transaction().execute(async (tx) => {
        const { rows, total } = await appts.list(tx, {
          locationIds,
          physicianIds,
          patientIds,
          status: q.status,
          from,
          to,
          limit: q.limit,
          offset: q.offset,
        });
        await auditService.record(tx, ctxFor(actor), {
          action: "appointment.list",
          resourceType: "appointment",
          patientId: patientIds?.length === 1 ? patientIds[0] : null,
          locationId: locationIds?.length === 1 ? locationIds[0] : null,
          detail: { count: rows.length, ids: rows.map((r) => r.id) },
        });
        return {
          items: await Promise.all(rows.map(async (r) => seenBy(actor, await toAppointment(tx, r)))),
          total,
          limit: q.limit,
          offset: q.offset,
        };
      });
    },

    async transition(
      db: Db,
      actor: Actor,
      id: string,
      status: "checked_in" | "in_progress" | "completed" | "no_show",
      change: Change = {},
    ): Promise<Changed> {
      return changeOnce(db, actor, change, async (tx) => {
        const row = await requireAppointment(policies, tx, actor, id, true, "change_status");
        await requireVersion(tx, row, change);
        if (!TRANSITIONS[row.status]?.includes(status)) {
          throw problems.conflict(
            "invalid_transition",
            `An appointment that is ${row.status} cannot become ${status}`,
            "body.status",
            {
              from: row.status,
              allowed: TRANSITIONS[row.status] ?? [],
            },
          );
        }
        const now = clock.now();
        const updated = await appts.setStatus(tx, id, status, {
          ...(status === "checked_in" ? { checked_in_at: now } : {}),
          ...(status === "in_progress" ? { started_at: now } : {}),
          ...(status === "completed" ? { completed_at: now } : {}),
        });
        await publishChange(caches, tx, eventOf("appointment.status_changed", updated, { from: row.status }));
        await auditService.record(tx, ctxFor(actor), {
          action: `appointment.${status}`,
          resourceType: "appointment",
          resourceId: id,
          patientId: row.patient_id,
          locationId: row.location_id,
          detail: { from: row.status },
        });
        return toAppointment(tx, updated);
      });
    },

    /** Gives a hold back before it runs out: only holds, by anyone who may see the appointment. */
    async releaseHold(db: Db, actor: Actor, id: string): Promise<void> {
      await db.transaction().execute(async (tx) => {
        const row = await requireAppointment(policies, tx, actor, id, true, "release_hold");
        if (row.status !== "held") throw problems.notFound("hold");
        const released = await appts.setStatus(tx, id, "expired", { hold_expires_at: null });
        await publishChange(
          caches,
          tx,
          eventOf("appointment.cancelled", released, {
            reason: "hold released",
            from: "held",
            byHospital: false,
          }),
        );
        await auditService.record(tx, ctxFor(actor), {
          action: "appointment.hold_release",
          resourceType: "appointment",
          resourceId: id,
          patientId: row.patient_id,
          locationId: row.location_id,
        });
      });
    },

    async cancel(db: Db, actor: Actor, id: string, reason: string, change: Change = {}): Promise<Changed> {
      return changeOnce(db, actor, change, async (tx) => {
        const row = await requireAppointment(policies, tx, actor, id, true, "cancel");
        await requireVersion(tx, row, change);
        if (!TRANSITIONS[row.status]?.includes("cancelled")) {
          throw problems.conflict(
            "invalid_transition",
            `An appointment that is ${row.status} cannot be cancelled`,
            "params.id",
            { from: row.status },
          );
        }
        const updated = await appts.setStatus(tx, id, "cancelled", {
          cancel_reason: reason,
          cancelled_by: actor.userId,
          hold_expires_at: null,
        });
        // the link stops working in the same transaction; the visit's page then says it was cancelled
        if (row.telehealth) await telehealth.revoke(tx, id);
        // open screens and the patient's messages hear of it (with the reason when the hospital cancels)
        await publishChange(
          caches,
          tx,
          eventOf("appointment.cancelled", updated, {
            reason,
            from: row.status,
            byHospital: actor.role !== "patient",
          }),
        );
        await auditService.record(tx, ctxFor(actor), {
          action: "appointment.cancel",
          resourceType: "appointment",
          resourceId: id,
          patientId: row.patient_id,
          locationId: row.location_id,
          detail: { reason, from: row.status },
        });
        return seenBy(actor, await toAppointment(tx, updated));
      });
    },
    /** Writes the care team's notes on a visit (replacing them; empty clears them). */
    async setNotes(db: Db, actor: Actor, id: string, notes: string, change: Change = {}): Promise<Changed> {
      return changeOnce(db, actor, change, async (tx) => {
        const row = await requireAppointment(policies, tx, actor, id, true, "annotate");
        await requireVersion(tx, row, change);
        const updated = await appts.setNotes(tx, id, notes === "" ? null : notes);
        await auditService.record(tx, ctxFor(actor), {
          action: "appointment.notes",
          resourceType: "appointment",
          resourceId: id,
          patientId: row.patient_id,
          locationId: row.location_id,
          detail: { length: notes.length, version: updated.version },
        });
        return toAppointment(tx, updated);
      });
    },
  };
};

export const TRANSITION_TABLE = TRANSITIONS;
