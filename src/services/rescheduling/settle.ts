/**
 * Settling one affected appointment when a plan is applied, by its policy: moved to the first
 * alternative that still fits (`auto_move`), the first that fits held for the patient and offered
 * to them with a message (`offer`), or handed to the location's staff (`staff`, and whatever fits
 * nowhere). Each try runs in a savepoint of the apply's transaction, so a refused one leaves
 * nothing behind; the outcome row says where the appointment ended.
 */
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import type { Actor } from "../../platform/access.js";
import type { Executor } from "../../platform/db.js";
import { ProblemError } from "../../platform/errors.js";
import { publish } from "../../platform/events.js";
import { toIso } from "../../platform/schemas.js";
import type { Moves } from "../scheduling/index.js";
import { offerExpiry } from "./offers.js";
import type { OutcomeRow, PlanRow } from "./repository.js";
import type { Policy, StoredItem } from "./schema.js";

export function createSettlement(moves: Moves) {
  /** Tries the alternatives in order, each in a savepoint; the first that still fits is taken. */
  const moveToFirstFitting = async (tx: Executor, actor: Actor, item: StoredItem, reason: string) => {
    for (const alt of item.alternatives) {
      await sql`SAVEPOINT reschedule_move`.execute(tx);
      try {
        const moved = await moves.moveIn(tx, actor, item.appointmentId, alt.id, reason);
        await sql`RELEASE SAVEPOINT reschedule_move`.execute(tx);
        return moved.id;
      } catch (err) {
        await sql`ROLLBACK TO SAVEPOINT reschedule_move`.execute(tx);
        if (!(err instanceof ProblemError) || err.status >= 500) throw err;
      }
    }
    return null;
  };

  /**
   * Holds the first alternative that still fits for the patient, until the offer's expiry (48 hours,
   * or the day before, or a shorter while on the day itself), each try in a savepoint.
   */
  const holdFirstFitting = async (tx: Executor, actor: Actor, item: StoredItem, now: number) => {
    for (const alt of item.alternatives) {
      const until = offerExpiry(now, Date.parse(alt.start), Date.parse(item.start));
      if (!until) continue;
      await sql`SAVEPOINT reschedule_offer`.execute(tx);
      try {
        const hold = await moves.holdIn(tx, actor, item.appointmentId, alt.id, until);
        await sql`RELEASE SAVEPOINT reschedule_offer`.execute(tx);
        return { holdId: hold.id, start: hold.start, until };
      } catch (err) {
        await sql`ROLLBACK TO SAVEPOINT reschedule_offer`.execute(tx);
        if (!(err instanceof ProblemError) || err.status >= 500) throw err;
      }
    }
    return null;
  };

  /** Settles one affected appointment by its policy: the outcome row, and the offer's message. */
  return async function settle(
    tx: Executor,
    actor: Actor,
    plan: PlanRow,
    item: StoredItem,
    policy: Policy,
    now: Date,
    moveReason: string,
  ): Promise<OutcomeRow> {
    const base = {
      id: randomUUID(),
      plan_id: plan.id,
      appointment_id: item.appointmentId,
      location_id: item.locationId,
      patient_id: item.patientId,
      starts_at: new Date(item.start),
      policy,
      resolved_at: null,
      answer: null,
      answered_at: null,
    };
    const none = { new_appointment_id: null, hold_id: null, offer_expires_at: null };
    if (policy === "auto_move") {
      const movedTo = await moveToFirstFitting(tx, actor, item, moveReason);
      return movedTo
        ? { ...base, ...none, state: "moved", new_appointment_id: movedTo, note: null }
        : {
            ...base,
            ...none,
            state: "needs_attention",
            note: "no alternative fits any more: the location's staff rebook it",
          };
    }
    if (policy === "offer") {
      const held = await holdFirstFitting(tx, actor, item, now.getTime());
      if (held) {
        await publish(tx, {
          type: "reschedule.offered",
          appointmentId: item.appointmentId,
          patientId: item.patientId,
          physicianId: item.physicianId ?? plan.physician_id!,
          locationId: item.locationId,
          // start and end name the appointment's own time (nothing there changed yet: no room to forget)
          payload: {
            start: item.start,
            end: item.end,
            roomId: null,
            offerId: base.id,
            offeredStart: toIso(held.start),
            expiresAt: toIso(held.until),
          },
        });
        return {
          ...base,
          ...none,
          state: "offered",
          hold_id: held.holdId,
          offer_expires_at: held.until,
          note: null,
        };
      }
      return {
        ...base,
        ...none,
        state: "needs_attention",
        note: "no alternative could be held for the patient: the location's staff rebook it",
      };
    }
    return {
      ...base,
      ...none,
      state: "needs_attention",
      note: "handed to the location's staff by the plan's policy",
    };
  };
}
