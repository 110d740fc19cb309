/**
 * Rescheduling when a physician's plans change: a "what if" that evaluates a proposed schedule
 * change without making it (the change is made inside a transaction that is rolled back, so the
 * search sees the facts as they would be), stored as a plan that expires with its option ids; and
 * applying the plan, which makes the change and moves, offers or hands over every affected
 * appointment in one transaction (`settle.ts`), so nothing is dropped and a plan whose facts moved
 * changes nothing. The reports list where every affected appointment ended.
 */
import { randomUUID } from "node:crypto";
import type { Actor } from "../../platform/access.js";
import { auditService } from "../../platform/audit/index.js";
import type { Executor } from "../../platform/db.js";
import { problems } from "../../platform/errors.js";
import { auditContextOf } from "../../platform/identity/index.js";
import type { ServiceDeps } from "../../platform/module.js";
import { locationTarget, physicianTarget } from "../../platform/policy.js";
import type { Page } from "../../platform/schemas.js";
import { toIso } from "../../platform/schemas.js";
import type { Locations } from "../locations/index.js";
import type { Physicians, PlannedBlock } from "../physicians/index.js";
import type { Scheduling, UpcomingAppointment } from "../scheduling/index.js";
import { toOutcome } from "./offers.js";
import { type OutcomeRow, type PlanRow, reschedulingRepository as repo } from "./repository.js";
import type {
  ApplyInput,
  Cause,
  Handover,
  HandoverQuery,
  LocationOutcome,
  OutcomeQuery,
  OutcomeState,
  PlanInput,
  PlanListQuery,
  PlanSummary,
  ReschedulePlan,
  RoomOutOfService,
  StoredChange,
  StoredItem,
} from "./schema.js";
import { createSettlement } from "./settle.js";

/** How long a plan may be applied: as long as the option ids it lists stay valid. */
export const PLAN_MINUTES = 30;
/** How far ahead a change is looked at for appointments it would make impossible. */
const HORIZON_DAYS = 180;

export interface ReschedulingDeps extends ServiceDeps {
  physicians: Physicians;
  scheduling: Scheduling;
  /** A room's plan reads the room and takes it out of service through the locations' own writes. */
  locations: Pick<Locations, "lookup">;
}

/** Whether a working block at the appointment's location holds the whole appointment. */
export const covered = (blocks: readonly PlannedBlock[], a: { locationId: string; start: Date; end: Date }) =>
  blocks.some(
    (b) =>
      b.locationId === a.locationId &&
      Date.parse(b.start) <= a.start.getTime() &&
      a.end.getTime() <= Date.parse(b.end),
  );

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Today's date at `now` in a time zone, as YYYY-MM-DD. */
const localDate = (now: number, zone: string) =>
  new Intl.DateTimeFormat("en-CA", {
    timeZone: zone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(now);

/**
 * "Unavailable for the rest of today" as time off: from now to the end of the last block of the
 * physician's local today (each block's own location zone), or an hour when nothing is left.
 */
export function restOfToday(
  blocks: readonly PlannedBlock[],
  now: number,
): { startsAt: string; endsAt: string } {
  const ends = blocks
    .filter((b) => Date.parse(b.end) > now && b.date === localDate(now, b.timeZone))
    .map((b) => Date.parse(b.end));
  const end = ends.length ? Math.max(...ends) : now + 3_600_000;
  return { startsAt: new Date(now).toISOString(), endsAt: new Date(end).toISOString() };
}

/** Thrown to roll the "what if" transaction back with its answer. */
class WhatIf extends Error {
  constructor(readonly answer: { stamp: string; affected: StoredItem[] }) {
    super("what if: rolled back");
  }
}

const stale = (room = false) =>
  problems.conflict(
    "plan_stale",
    room
      ? "The appointments in the room changed since this plan was made; make a new plan"
      : "The physician's schedule or appointments changed since this plan was made; make a new plan",
    "params.id",
  );

export function createRescheduling({
  db,
  clock,
  policies,
  physicians,
  scheduling,
  locations,
}: ReschedulingDeps) {
  const { moves } = scheduling;

  /** The physician's working blocks around `now` (yesterday to tomorrow, UTC). */
  const blocksAround = async (tx: Executor, physicianId: string, now: number) =>
    (await physicians.lookup.plans(tx, [physicianId], day(now - 86_400_000), day(now + 86_400_000))).get(
      physicianId,
    )?.assignments ?? [];

  /**
   * A physician as the policy sees them; an unknown one is a 404 on the field that named it. A
   * schedule change is the department's to manage; "unavailable today" may also be declared by the
   * physician or the staff of a location where they work today.
   */
  const authorizeSchedule = async (
    tx: Executor,
    actor: Actor,
    physicianId: string,
    field: string,
    cause: Cause = "schedule",
  ) => {
    const [found] = await physicians.lookup.forSearch(tx, { ids: [physicianId] });
    if (!found) throw problems.notFound("physician", field);
    const now = clock.now().getTime();
    await policies.authorize(
      tx,
      actor,
      cause === "unavailable_today" ? "declare_unavailable" : "manage_schedule",
      physicianTarget(
        physicianId,
        async () => (await physicians.lookup.get(tx, physicianId)).specialties,
        field,
        async () =>
          (await blocksAround(tx, physicianId, now))
            .filter((b) => b.date === localDate(now, b.timeZone))
            .map((b) => b.locationId),
      ),
    );
    return found.planStamp;
  };

  /**
   * A room as the policy sees it: its location's staff and administrators run it (`manage_resources`);
   * an unknown room, or one at another location, is a 404 on the field that named it.
   */
  const authorizeRoom = async (tx: Executor, actor: Actor, roomId: string, field: string) => {
    const room = await locations.lookup.room(tx, roomId);
    if (!room) throw problems.notFound("room", field);
    await policies.authorize(tx, actor, "manage_resources", {
      ...locationTarget(room.locationId, field),
      noun: "room",
    });
    return room;
  };

  /** Booked or held appointments still to come in the room (a room's plan affects them all). */
  const inRoom = (tx: Executor, roomId: string, now: number) =>
    moves.upcomingInRoom(tx, roomId, new Date(now), new Date(now + HORIZON_DAYS * 86_400_000));

  /** The appointments still to come that the change leaves without a working block, before → after. */
  const affectedBy = async (tx: Executor, change: StoredChange, now: number) => {
    const upcoming = await moves.upcomingOf(
      tx,
      change.physicianId,
      new Date(now),
      new Date(now + HORIZON_DAYS * 86_400_000),
    );
    const first = Math.min(...upcoming.map((a) => a.start.getTime()));
    const last = Math.max(...upcoming.map((a) => a.end.getTime()));
    const from = upcoming.length ? day(first - 86_400_000) : day(now);
    const to = upcoming.length ? day(last + 86_400_000) : day(now);
    const planOf = async () =>
      (await physicians.lookup.plans(tx, [change.physicianId], from, to)).get(change.physicianId)
        ?.assignments ?? [];
    const before = await planOf();
    await physicians.applyChangeIn(tx, change);
    const after = await planOf();
    return upcoming.filter((a) => covered(before, a) && !covered(after, a));
  };

  const toItem = (a: UpcomingAppointment): Omit<StoredItem, "alternatives"> => ({
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

  /**
   * The plan, authorized through its physician (another department's plan is a 404) or, for a
   * room's plan, through the room's location.
   */
  const requirePlan = async (tx: Executor, actor: Actor, id: string, forUpdate = false) => {
    const row = await repo.getPlan(tx, id, forUpdate);
    if (!row) throw problems.notFound("reschedule plan");
    if (row.room_id) {
      await authorizeRoom(tx, actor, row.room_id, "params.id");
      return { row, stamp: row.plan_stamp };
    }
    const stamp = await authorizeSchedule(tx, actor, row.physician_id!, "params.id", row.cause as Cause);
    return { row, stamp };
  };

  /**
   * A room's "what if": every appointment still to come in it, each with alternatives searched with
   * the room out of service (the same time in another room of the location first), then rolled back.
   */
  const proposeRoom = async (actor: Actor, input: RoomOutOfService): Promise<ReschedulePlan> => {
    const now = clock.now().getTime();
    let answer: WhatIf["answer"] | undefined;
    let locationId = "";
    try {
      await db.transaction().execute(async (tx) => {
        const room = await authorizeRoom(tx, actor, input.roomId, "params.id");
        if (!room.active)
          throw problems.conflict("room_inactive", "The room is already out of service", "params.id");
        locationId = room.locationId;
        const booked = await inRoom(tx, room.id, now);
        await locations.lookup.deactivateRoomIn(tx, room.id);
        const affected: StoredItem[] = [];
        for (const a of booked) {
          const specialty = (await physicians.lookup.get(tx, a.physicianId)).primarySpecialty;
          const alternatives = await moves.alternativesFor(tx, a, specialty, now, undefined, true);
          affected.push({ ...toItem(a), physicianId: a.physicianId, alternatives });
        }
        throw new WhatIf({ stamp: randomUUID(), affected });
      });
      throw new Error("unreachable: the what-if transaction always rolls back");
    } catch (err) {
      if (!(err instanceof WhatIf)) throw err;
      answer = err.answer;
    }
    const { stamp, affected } = answer;
    return db.transaction().execute(async (tx) => {
      const row = await repo.insertPlan(tx, {
        physician_id: null,
        room_id: input.roomId,
        change: input,
        plan_stamp: stamp,
        items: affected,
        created_by: actor.userId,
        expires_at: new Date(now + PLAN_MINUTES * 60_000),
        cause: "room_out_of_service",
      });
      await auditService.record(tx, auditContextOf(actor), {
        action: "reschedule.propose",
        resourceType: "room",
        resourceId: input.roomId,
        locationId,
        detail: { planId: row.id, change: input.change, cause: row.cause, affected: affected.length },
      });
      return toPlan(row);
    });
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
     * names where the physician's id came from (the body, or the path of "unavailable today").
     */
    async propose(
      actor: Actor,
      input: PlanInput | RoomOutOfService,
      field = "body.physicianId",
    ): Promise<ReschedulePlan> {
      if (input.change === "room_out_of_service") return proposeRoom(actor, input);
      const now = clock.now().getTime();
      const cause: Cause = input.change === "unavailable_today" ? "unavailable_today" : "schedule";
      let answer: WhatIf["answer"];
      let change: StoredChange;
      try {
        await db.transaction().execute(async (tx) => {
          const stamp = await authorizeSchedule(tx, actor, input.physicianId, field, cause);
          const specialty = (await physicians.lookup.get(tx, input.physicianId)).primarySpecialty;
          let sameDayUntil: number | undefined;
          if (input.change === "unavailable_today") {
            const span = restOfToday(await blocksAround(tx, input.physicianId, now), now);
            sameDayUntil = Date.parse(span.endsAt);
            change = {
              change: "time_off",
              physicianId: input.physicianId,
              ...span,
              reason: input.reason ?? "unavailable for the rest of the day",
            };
          } else change = input;
          const affected: StoredItem[] = [];
          for (const a of await affectedBy(tx, change, now)) {
            const alternatives = await moves.alternativesFor(tx, a, specialty, now, sameDayUntil);
            affected.push({ ...toItem(a), alternatives });
          }
          throw new WhatIf({ stamp, affected });
        });
        throw new Error("unreachable: the what-if transaction always rolls back");
      } catch (err) {
        if (!(err instanceof WhatIf)) throw err;
        answer = err.answer;
      }
      return db.transaction().execute(async (tx) => {
        const row = await repo.insertPlan(tx, {
          physician_id: input.physicianId,
          room_id: null,
          change,
          plan_stamp: answer.stamp,
          items: answer.affected,
          created_by: actor.userId,
          expires_at: new Date(now + PLAN_MINUTES * 60_000),
          cause,
        });
        await auditService.record(tx, auditContextOf(actor), {
          action: "reschedule.propose",
          resourceType: "physician",
          resourceId: input.physicianId,
          detail: { planId: row.id, change: input.change, cause, affected: answer.affected.length },
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
        const { row, stamp } = await requirePlan(tx, actor, id, true);
        if (row.status === "applied")
          throw problems.conflict("plan_applied", "This plan has already been applied", "params.id");
        const now = clock.now();
        if (row.expires_at.getTime() <= now.getTime())
          throw problems.conflict("plan_expired", "This plan has expired; make a new one", "params.id");
        if (stamp !== row.plan_stamp) throw stale();
        const items = row.items as StoredItem[];
        const known = new Set(items.map((i) => i.appointmentId));
        input.exceptions.forEach((e, n) => {
          if (!known.has(e.appointmentId))
            throw problems.invalid(
              `body.exceptions.${n}.appointmentId`,
              "not an appointment this plan affects",
            );
        });
        let affectedNow: Array<{ id: string }>;
        if (row.room_id) {
          affectedNow = await inRoom(tx, row.room_id, now.getTime());
          await locations.lookup.deactivateRoomIn(tx, row.room_id);
        } else affectedNow = await affectedBy(tx, row.change as StoredChange, now.getTime());
        if (affectedNow.length !== known.size || affectedNow.some((a) => !known.has(a.id)))
          throw stale(row.room_id !== null);

        const policyOf = new Map(input.exceptions.map((e) => [e.appointmentId, e.policy]));
        const outcomes: OutcomeRow[] = [];
        for (const item of items)
          outcomes.push(
            await settle(tx, actor, row, item, policyOf.get(item.appointmentId) ?? input.policy, now),
          );
        await repo.insertOutcomes(tx, outcomes);
        const applied = await repo.markApplied(tx, row.id, actor.userId, now);
        const by = counts(outcomes);
        await auditService.record(tx, auditContextOf(actor), {
          action: "reschedule.apply",
          ...(row.room_id
            ? {
                resourceType: "room",
                resourceId: row.room_id,
                locationId: (row.items as StoredItem[])[0]?.locationId,
              }
            : { resourceType: "physician", resourceId: row.physician_id! }),
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

    /** A physician's plans, newest first, each with how its appointments ended. */
    plans: (actor: Actor, query: PlanListQuery): Promise<Page<PlanSummary>> =>
      db.transaction().execute(async (tx) => {
        await authorizeSchedule(tx, actor, query.physicianId, "query.physicianId");
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
