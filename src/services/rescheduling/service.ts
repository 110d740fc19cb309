/**
 * Rescheduling when plans change: a "what if" that evaluates a proposed change without making it
 * (the change is made inside a transaction that is rolled back, so the search sees the facts as
 * they would be), stored as a plan that expires with its option ids; and applying the plan, which
 * makes the change and moves, offers or hands over every affected appointment in one transaction
 * (`settle.ts`), so nothing is dropped and a plan whose facts moved changes nothing. One path for
 * every subject (`subjects.ts`): a physician's schedule, a room or an item of equipment out of
 * service. The reports list where every affected appointment ended.
 */
import { randomUUID } from "node:crypto";
import type { Actor } from "../../platform/access.js";
import { auditService } from "../../platform/audit/index.js";
import type { Executor } from "../../platform/db.js";
import { problems } from "../../platform/errors.js";
import { auditContextOf } from "../../platform/identity/index.js";
import type { ServiceDeps } from "../../platform/module.js";
import { locationTarget } from "../../platform/policy.js";
import type { Page } from "../../platform/schemas.js";
import { toIso } from "../../platform/schemas.js";
import type { UpcomingAppointment } from "../scheduling/index.js";
import { toOutcome } from "./offers.js";
import { type OutcomeRow, type PlanRow, reschedulingRepository as repo } from "./repository.js";
import type {
  ApplyInput,
  Cause,
  FacilityOutOfService,
  Handover,
  HandoverQuery,
  LocationOutcome,
  OutcomeQuery,
  OutcomeState,
  PlanInput,
  PlanListQuery,
  PlanSummary,
  Policy,
  ReschedulePlan,
  StoredChange,
  StoredItem,
} from "./schema.js";
import { createSettlement } from "./settle.js";
import { createSubjects, type Subject, type SubjectDeps } from "./subjects.js";

export { covered, restOfToday } from "./subjects.js";

/** How long a plan may be applied: as long as the option ids it lists stay valid. */
export const PLAN_MINUTES = 30;

export interface ReschedulingDeps extends ServiceDeps, Omit<SubjectDeps, "clock" | "policies"> {}

/** Thrown to roll the "what if" transaction back with its answer. */
class WhatIf extends Error {
  constructor(readonly answer: { stamp: string; affected: StoredItem[]; locationId?: string | undefined }) {
    super("what if: rolled back");
  }
}

const stale = (subject: Subject) =>
  problems.conflict(
    "plan_stale",
    subject.ref.physician_id
      ? "The physician's schedule or appointments changed since this plan was made; make a new plan"
      : `The appointments using the ${subject.ref.room_id ? "room" : "equipment"} changed since this plan was made; make a new plan`,
    "params.id",
  );

/** A room or item already out of service (or with a period planned) is not taken out again. */
const alreadyOut = (subject: Subject) => {
  const kind = subject.ref.room_id ? "room" : "equipment";
  return problems.conflict(
    `${kind}_inactive`,
    `The ${kind} is already out of service or has a period out of service planned; put it back in service first`,
    "params.id",
  );
};

/** Where the audit trail files a plan: its physician, room or item of equipment. */
const auditSubject = (subject: Subject, locationId: string | undefined) =>
  subject.ref.physician_id
    ? { resourceType: "physician", resourceId: subject.ref.physician_id }
    : {
        resourceType: subject.ref.room_id ? "room" : "equipment",
        resourceId: (subject.ref.room_id ?? subject.ref.equipment_id)!,
        locationId,
      };

export function createRescheduling(deps: ReschedulingDeps) {
  const { db, clock, policies, scheduling } = deps;
  const { moves } = scheduling;
  const subjects = createSubjects(deps);

  const toItem = (
    a: Awaited<ReturnType<typeof moves.upcomingOf>>[number],
  ): Omit<StoredItem, "alternatives"> => ({
    appointmentId: a.id,
    patientId: a.patientId,
    locationId: a.locationId,
    appointmentTypeId: a.appointmentTypeId,
    start: toIso(a.start),
    end: toIso(a.end),
  });

  const toPlan = (row: PlanRow, outcomes: OutcomeRow[] = []): ReschedulePlan => {
    const byAppointment = new Map(outcomes.map((o) => [o.appointment_id, o]));
    const items = row.items as StoredItem[];
    return {
      id: row.id,
      physicianId: row.physician_id,
      roomId: row.room_id,
      equipmentId: row.equipment_id,
      cause: row.cause as Cause,
      change: row.change as Record<string, unknown>,
      status: row.status as ReschedulePlan["status"],
      createdAt: toIso(row.created_at),
      expiresAt: toIso(row.expires_at),
      appliedAt: row.applied_at ? toIso(row.applied_at) : null,
      affected: items.map(({ patientId: _, physicianId: __, ...i }) => {
        const o = byAppointment.get(i.appointmentId);
        return {
          ...i,
          // the distance is from the patient's home, which is not the department head's to know
          // (a plan stored before options named their equipment lists none)
          alternatives: i.alternatives.map((alt) => ({
            ...alt,
            equipment: alt.equipment ?? [],
            distanceKm: null,
          })),
          outcome: o ? toOutcome(o) : null,
        };
      }),
    };
  };

  /** The plan and its subject, authorized through it (another department's or location's plan is a 404). */
  const requirePlan = async (tx: Executor, actor: Actor, id: string, forUpdate = false) => {
    const row = await repo.getPlan(tx, id, forUpdate);
    if (!row) throw problems.notFound("reschedule plan");
    const subject = subjects.fromRow(row);
    const seen = await subject.authorize(tx, actor, "params.id");
    return { row, subject, seen };
  };

  const settle = createSettlement(moves);

  const counts = (outcomes: readonly OutcomeRow[]) => {
    const by = { moved: 0, offered: 0, accepted: 0, needs_attention: 0 } as Record<OutcomeState, number>;
    for (const o of outcomes) by[o.state as OutcomeState] += 1;
    return by;
  };

  return {
    /**
     * Evaluates the change without making it, and keeps the answer as a plan to apply. `field`
     * names where the subject's id came from (the body, or the path of "unavailable today" and of
     * out of service).
     */
    async propose(
      actor: Actor,
      input: PlanInput | FacilityOutOfService,
      field = "body.physicianId",
    ): Promise<ReschedulePlan> {
      const now = clock.now().getTime();
      let answer: WhatIf["answer"];
      let subject: Subject | undefined;
      try {
        await db.transaction().execute(async (tx) => {
          // the caller is authorized before the request's own facts are read (the physician's day)
          const ask = await subjects.fromInput(tx, input, now);
          const seen = await ask.authorize(tx, actor, field);
          if (seen.outOfService) throw alreadyOut(ask);
          subject = ask;
          const affected: StoredItem[] = [];
          for (const a of await ask.makeIn(tx, now)) {
            const alternatives = await ask.alternativesIn(tx, a, now);
            // a facility's plan names no physician: each item keeps its own
            affected.push({
              ...toItem(a),
              ...(ask.ref.physician_id ? {} : { physicianId: a.physicianId }),
              alternatives,
            });
          }
          throw new WhatIf({ stamp: seen.stamp ?? randomUUID(), affected, locationId: seen.locationId });
        });
        throw new Error("unreachable: the what-if transaction always rolls back");
      } catch (err) {
        if (!(err instanceof WhatIf)) throw err;
        answer = err.answer;
      }
      const made = subject!;
      return db.transaction().execute(async (tx) => {
        const row = await repo.insertPlan(tx, {
          ...made.ref,
          change: made.change,
          plan_stamp: answer.stamp,
          items: answer.affected,
          created_by: actor.userId,
          expires_at: new Date(now + PLAN_MINUTES * 60_000),
          cause: made.cause,
        });
        await auditService.record(tx, auditContextOf(actor), {
          action: "reschedule.propose",
          ...auditSubject(made, answer.locationId),
          detail: {
            planId: row.id,
            change: input.change,
            cause: made.cause,
            affected: answer.affected.length,
          },
        });
        return toPlan(row);
      });
    },

    get: (actor: Actor, id: string): Promise<ReschedulePlan> =>
      db.transaction().execute(async (tx) => {
        const { row } = await requirePlan(tx, actor, id);
        return toPlan(row, await repo.outcomesOf(tx, id));
      }),

    /**
     * Makes the change and settles every affected appointment by its policy, in one transaction:
     * a plan applied before, expired, or whose facts moved since (the physician's plan, or which
     * appointments the change affects) is a 409 and nothing changes.
     */
    async apply(actor: Actor, id: string, input: ApplyInput): Promise<ReschedulePlan> {
      return db.transaction().execute(async (tx) => {
        const { row, subject, seen } = await requirePlan(tx, actor, id, true);
        if (row.status === "applied")
          throw problems.conflict("plan_applied", "This plan has already been applied", "params.id");
        const now = clock.now();
        if (row.expires_at.getTime() <= now.getTime())
          throw problems.conflict("plan_expired", "This plan has expired; make a new one", "params.id");
        if (seen.outOfService) throw alreadyOut(subject);
        if (seen.stamp !== null && seen.stamp !== row.plan_stamp) throw stale(subject);
        const items = row.items as StoredItem[];
        const known = new Set(items.map((i) => i.appointmentId));
        input.exceptions.forEach((e, n) => {
          if (!known.has(e.appointmentId))
            throw problems.invalid(
              `body.exceptions.${n}.appointmentId`,
              "not an appointment this plan affects",
            );
        });
        const affectedNow = await subject.makeIn(tx, now.getTime());
        if (affectedNow.length !== known.size || affectedNow.some((a) => !known.has(a.id)))
          throw stale(subject);

        const policyOf = new Map(input.exceptions.map((e) => [e.appointmentId, e.policy]));
        const outcomes: OutcomeRow[] = [];
        for (const item of items)
          outcomes.push(
            await settle(
              tx,
              actor,
              row,
              item,
              policyOf.get(item.appointmentId) ?? input.policy,
              now,
              subject.moveReason,
            ),
          );
        await repo.insertOutcomes(tx, outcomes);
        const applied = await repo.markApplied(tx, row.id, actor.userId, now);
        const by = counts(outcomes);
        await auditService.record(tx, auditContextOf(actor), {
          action: "reschedule.apply",
          ...auditSubject(subject, seen.locationId),
          detail: {
            planId: row.id,
            moved: by.moved,
            offered: by.offered,
            needsAttention: by.needs_attention,
          },
        });
        return toPlan(applied, outcomes);
      });
    },

    /**
     * Several schedule changes made and settled inside the caller's transaction (capacity planning
     * applies a proposal with it, all or nothing): every change is authorized (out of scope: a
     * 404 on `field`) and made first, then each affected appointment gets its alternatives on the
     * facts as all the changes left them and is settled by `policy`. One applied plan per change;
     * returns their ids in the changes' order.
     */
    async applyChangesIn(
      tx: Executor,
      actor: Actor,
      changes: readonly StoredChange[],
      policy: Policy,
      field: string,
    ): Promise<string[]> {
      const now = clock.now();
      const made: Array<{ subject: Subject; stamp: string; affected: UpcomingAppointment[] }> = [];
      for (const change of changes) {
        const subject = await subjects.fromInput(tx, change, now.getTime());
        const seen = await subject.authorize(tx, actor, field);
        made.push({
          subject,
          stamp: seen.stamp ?? randomUUID(),
          affected: await subject.makeIn(tx, now.getTime()),
        });
      }
      const ids: string[] = [];
      for (const { subject, stamp, affected } of made) {
        const items: StoredItem[] = [];
        for (const a of affected)
          items.push({ ...toItem(a), alternatives: await subject.alternativesIn(tx, a, now.getTime()) });
        const row = await repo.insertPlan(tx, {
          ...subject.ref,
          change: subject.change,
          plan_stamp: stamp,
          items,
          created_by: actor.userId,
          expires_at: now,
          cause: subject.cause,
        });
        const outcomes: OutcomeRow[] = [];
        for (const item of items)
          outcomes.push(await settle(tx, actor, row, item, policy, now, subject.moveReason));
        await repo.insertOutcomes(tx, outcomes);
        await repo.markApplied(tx, row.id, actor.userId, now);
        const by = counts(outcomes);
        await auditService.record(tx, auditContextOf(actor), {
          action: "reschedule.apply",
          ...auditSubject(subject, undefined),
          detail: {
            planId: row.id,
            change: subject.change.change,
            moved: by.moved,
            offered: by.offered,
            needsAttention: by.needs_attention,
          },
        });
        ids.push(row.id);
      }
      return ids;
    },

    /** A physician's plans, newest first, each with how its appointments ended. */
    plans: (actor: Actor, query: PlanListQuery): Promise<Page<PlanSummary>> =>
      db.transaction().execute(async (tx) => {
        await subjects.authorizePhysician(tx, actor, query.physicianId, "query.physicianId");
        const { rows, total } = await repo.plansOf(tx, query.physicianId, query);
        const outcomes = await repo.outcomesOfPlans(
          tx,
          rows.map((r) => r.id),
        );
        return {
          items: rows.map((r) => ({
            id: r.id,
            physicianId: query.physicianId,
            cause: r.cause as Cause,
            change: r.change as Record<string, unknown>,
            status: r.status as PlanSummary["status"],
            createdAt: toIso(r.created_at),
            appliedAt: r.applied_at ? toIso(r.applied_at) : null,
            affected: (r.items as StoredItem[]).length,
            states: counts(outcomes.filter((o) => o.plan_id === r.id)),
          })),
          total,
          limit: query.limit,
          offset: query.offset,
        };
      }),

    /** The report at a location: every appointment plans affected there and where each ended. */
    outcomes: (actor: Actor, query: OutcomeQuery): Promise<Page<LocationOutcome>> =>
      db.transaction().execute(async (tx) => {
        await policies.authorize(
          tx,
          actor,
          "handle_handovers",
          locationTarget(query.locationId, "query.locationId"),
        );
        const { rows, total } = await repo.outcomesAt(tx, query.locationId, query);
        await auditService.record(tx, auditContextOf(actor), {
          action: "reschedule.report",
          resourceType: "location",
          resourceId: query.locationId,
          locationId: query.locationId,
          detail: { count: rows.length, appointmentIds: rows.map((r) => r.appointment_id) },
        });
        return {
          items: rows.map((r) => ({
            ...toOutcome(r),
            planId: r.plan_id,
            appointmentId: r.appointment_id,
            patientId: r.patient_id,
            locationId: r.location_id,
            start: toIso(r.starts_at),
            resolvedAt: r.resolved_at ? toIso(r.resolved_at) : null,
          })),
          total,
          limit: query.limit,
          offset: query.offset,
        };
      }),

    /** Appointments a plan handed to a location's staff, still to be rebooked, earliest first. */
    handovers: (actor: Actor, query: HandoverQuery): Promise<Page<Handover>> =>
      db.transaction().execute(async (tx) => {
        await policies.authorize(
          tx,
          actor,
          "handle_handovers",
          locationTarget(query.locationId, "query.locationId"),
        );
        const { rows, total } = await repo.handovers(tx, query.locationId, query);
        await auditService.record(tx, auditContextOf(actor), {
          action: "reschedule.handovers",
          resourceType: "location",
          resourceId: query.locationId,
          locationId: query.locationId,
          detail: { count: rows.length, appointmentIds: rows.map((r) => r.appointment_id) },
        });
        return {
          items: rows.map((r) => ({
            planId: r.plan_id,
            appointmentId: r.appointment_id,
            patientId: r.patient_id,
            locationId: r.location_id,
            start: toIso(r.starts_at),
            note: r.note,
          })),
          total,
          limit: query.limit,
          offset: query.offset,
        };
      }),
  };
}

export type Rescheduling = ReturnType<typeof createRescheduling>;
