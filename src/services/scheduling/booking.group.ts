/**
 * Several patients' appointments held or booked together (a family's trip): one transaction, all
 * or none. Each option goes through the booking path's own `place` (the same locks, facts, pure
 * check, room rounds and exclusion constraints), each appointment is published and audited as a
 * single booking is; the first refusal rolls every one back and names its member's field.
 */
import type { Actor } from "../../platform/access.js";
import { auditService } from "../../platform/audit/index.js";
import type { Db, Executor } from "../../platform/db.js";
import { ProblemError, problems } from "../../platform/errors.js";
import { auditContextOf } from "../../platform/identity/index.js";
import { type AppointmentRow, appointmentRepository as appts } from "./appointments.repository.js";
import type { ConflictReason } from "./appointments.schema.js";
import type { OptionRef } from "./availability/option-id.js";
import { reasonOf } from "./booking.explain.js";
import { BookingConflict, openOrFail } from "./booking.refusals.js";
import { type BookingDeps, eventOf, place, requireBookingFor } from "./booking.service.js";
import { publishChange } from "./caches.js";

/** One member's option, with the request fields a refusal names. */
export interface GroupOption {
  patientId: string;
  optionId: string;
  /** e.g. `body.members.1.patientId` */
  patientField: string;
  /** e.g. `body.members.1.optionId` */
  optionField: string;
}

/** One member's hold, to be booked with the others. */
export interface GroupHold {
  patientId: string;
  holdId: string;
  holdField: string;
}

const REASON_TEXT: Record<ConflictReason, string> = {
  physician: "the physician is already booked at that time",
  room: "no suitable room is free at that time",
  equipment: "the equipment needed is in use at that time",
  patient: "the patient already has an appointment at or too near that time",
  travel: "the physician could not travel between locations in time",
  unavailable: "that time is no longer offered",
  hold_expired: "the hold has expired",
};

/** A member's option or hold refused: nothing of the group was written. */
function memberConflict(reason: ConflictReason, member: number, patientId: string, field: string) {
  const message = `${REASON_TEXT[reason]}; nothing was ${reason === "hold_expired" ? "booked" : "held or booked"} for anyone`;
  return new ProblemError(
    409,
    `conflict_${reason}`,
    `Member ${member + 1}: ${message}`,
    [{ field, message }],
    {
      reason,
      member,
      patientId,
      alternatives: [],
    },
  );
}

/** What failed for which member, carried out of the rolled-back transaction. */
class MemberFailure extends Error {
  constructor(
    readonly member: number,
    readonly failure: unknown,
  ) {
    super("a member's booking failed");
  }
}

/** Runs the group's transaction, again after a deadlock, and names the member a conflict was about. */
async function together<T>(
  db: Db,
  fieldOf: (member: number) => { patientId: string; field: string; patientField: string },
  work: (tx: Executor) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(work);
    } catch (err) {
      const failure = err instanceof MemberFailure ? err.failure : err;
      // two bookings expiring the same lapsed holds in opposite orders: PostgreSQL cancels one,
      // which starts again from the beginning
      if ((failure as { code?: unknown }).code === "40P01" && attempt < 3) continue;
      if (!(err instanceof MemberFailure)) throw err;
      const { patientId, field, patientField } = fieldOf(err.member);
      // a patient id that names nobody (only an administrator gets this far with one)
      if (failure instanceof ProblemError && failure.status === 404)
        throw problems.notFound("patient", patientField);
      const reason = failure instanceof BookingConflict ? failure.reason : reasonOf(failure);
      if (!reason) throw failure;
      throw memberConflict(reason, err.member, patientId, field);
    }
  }
}

/**
 * The physicians' locks, sorted, then the patients', sorted: one order for every group, and the
 * order a single booking takes its two in (physician, then patient), so neither waits on the other
 * in a circle.
 */
const lockKeys = (items: ReadonlyArray<{ option: OptionRef; patientId: string }>) => [
  ...[...new Set(items.map((i) => `physician:${i.option.physicianId}`))].sort(),
  ...[...new Set(items.map((i) => `patient:${i.patientId}`))].sort(),
];

export const groupBooking = {
  /**
   * Holds (`status: "held"`) or books every member's option in one transaction, in the members'
   * order: the first refusal (409 `conflict_<reason>` naming that member's option field) leaves
   * nothing held or booked. Open holds are limited as for one hold: a user below the limit may
   * hold a whole trip.
   */
  async place(
    db: Db,
    deps: BookingDeps,
    actor: Actor,
    items: readonly GroupOption[],
    mode: { status: "held" | "booked"; reason?: string | undefined },
  ): Promise<AppointmentRow[]> {
    const opened = items.map((i) => ({
      ...i,
      option: openOrFail(deps.optionIds, i.optionId, i.optionField),
    }));
    for (const i of items)
      await requireBookingFor(deps.policies, db, actor, i.patientId, "book", i.patientField);
    return together(
      db,
      (m) => ({
        patientId: items[m]!.patientId,
        field: items[m]!.optionField,
        patientField: items[m]!.patientField,
      }),
      async (tx) => {
        if (
          mode.status === "held" &&
          (await appts.openHoldsBy(tx, actor.userId)) >= deps.rules.maxOpenHolds
        ) {
          throw new ProblemError(
            429,
            "too_many_holds",
            `You already hold ${deps.rules.maxOpenHolds} options; book or release one first`,
          );
        }
        await appts.lockInOrder(tx, lockKeys(opened));
        const rows: AppointmentRow[] = [];
        for (const [m, item] of opened.entries()) {
          let row: AppointmentRow;
          try {
            row = await place(tx, deps, actor, item.option, item.patientId, {
              status: mode.status,
              reason: mode.reason,
            });
          } catch (err) {
            throw new MemberFailure(m, err);
          }
          rows.push(row);
        }
        for (const row of rows) await announce(tx, deps, actor, row, mode.status, rows.length, mode.reason);
        return rows;
      },
    );
  },

  /** Books every member's hold (made by this user, for that patient) in one transaction, or none. */
  async bookHolds(
    db: Db,
    deps: BookingDeps,
    actor: Actor,
    items: readonly GroupHold[],
    reason: string | undefined,
  ): Promise<AppointmentRow[]> {
    const patientFieldOf = (i: GroupHold) => i.holdField.replace(/holdId$/, "patientId");
    for (const i of items)
      await requireBookingFor(deps.policies, db, actor, i.patientId, "book", patientFieldOf(i));
    return together(
      db,
      (m) => ({
        patientId: items[m]!.patientId,
        field: items[m]!.holdField,
        patientField: patientFieldOf(items[m]!),
      }),
      async (tx) => {
        // rows locked in id order, so two bookings of the same holds never wait on each other in a circle
        const byId = [...items.entries()].sort(([, a], [, b]) => (a.holdId < b.holdId ? -1 : 1));
        const holds = new Map<number, AppointmentRow>();
        for (const [m, item] of byId) {
          const hold = await appts.get(tx, item.holdId, true);
          if (!hold || hold.created_by !== actor.userId || hold.patient_id !== item.patientId)
            throw problems.notFound("hold", item.holdField);
          if (hold.status !== "held" || !hold.hold_expires_at || hold.hold_expires_at.getTime() <= Date.now())
            throw new MemberFailure(m, new BookingConflict("hold_expired"));
          holds.set(m, hold);
        }
        const rows: AppointmentRow[] = [];
        for (const m of items.keys()) {
          const hold = holds.get(m)!;
          rows.push(
            await appts.setStatus(tx, hold.id, "booked", {
              hold_expires_at: null,
              reason: reason ?? hold.reason,
            }),
          );
        }
        for (const row of rows) await announce(tx, deps, actor, row, "booked", rows.length, reason);
        return rows;
      },
    );
  },
};

/** The outbox event (and so the patient's message) and the audit event, as a single booking writes them. */
async function announce(
  tx: Executor,
  deps: Pick<BookingDeps, "caches">,
  actor: Actor,
  row: AppointmentRow,
  status: "held" | "booked",
  members: number,
  reason: string | undefined,
): Promise<void> {
  await publishChange(
    deps.caches,
    tx,
    status === "held"
      ? eventOf("appointment.held", row)
      : eventOf("appointment.booked", row, { reason: reason ?? null }),
  );
  await auditService.record(tx, auditContextOf(actor), {
    action: status === "held" ? "appointment.hold" : "appointment.book",
    resourceType: "appointment",
    resourceId: row.id,
    patientId: row.patient_id,
    locationId: row.location_id,
    actingFor: actor.role === "patient" && actor.patientId !== row.patient_id ? row.patient_id : null,
    detail: { together: members },
  });
}
