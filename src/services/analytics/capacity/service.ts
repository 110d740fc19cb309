/**
 * Capacity planning: physicians' contracts, proposals solved by HiGHS and shown beside today's
 * plan (coverage, travel, expected wait), and their application through the rescheduling
 * service's plan flow (a temporary assignment per physician and location whose week changes,
 * each settled by rescheduling's policy for the appointments it displaces).
 */
import { createHash } from "node:crypto";
import type { Actor } from "../../../platform/access.js";
import { auditService } from "../../../platform/audit/index.js";
import type { Executor } from "../../../platform/db.js";
import { ProblemError, problems } from "../../../platform/errors.js";
import { auditContextOf } from "../../../platform/identity/index.js";
import type { ServiceDeps } from "../../../platform/module.js";
import { physicianTarget, specialtyTarget } from "../../../platform/policy.js";
import { type Page, toIso } from "../../../platform/schemas.js";
import { createForecast, type DemandSources } from "./forecast.js";
import { type Assignment, type CapacityProblem, type Contract, measure } from "./model.js";
import { type PlanRow, capacityRepository as repo, type StoredProposal } from "./repository.js";
import type { CapacityPlanDto, ContractDto, ContractInput, PlanQuery, ProposalInput } from "./schema.js";
import type { Solve } from "./solver.js";

const DAY = 86_400_000;
/** The session a proposed assignment day covers (DAY_HOURS long). */
const SESSION = { startTime: "08:00", endTime: "16:00" } as const;

export interface CapacityDeps extends ServiceDeps, DemandSources {
  solve: Solve;
  /** The physician's primary specialty, or a 404 naming `field`. */
  specialtyOf(db: Executor, physicianId: string, field: string): Promise<string>;
  /** Active rooms of a location. */
  roomsAt(db: Executor, locationId: string): Promise<number>;
  /** Whether these locations exist (the ones that do not are returned). */
  missingLocations(db: Executor, ids: readonly string[]): Promise<string[]>;
  /** One-way travel minutes between locations (configured or estimated). */
  travel(): Promise<Array<{ fromLocationId: string; toLocationId: string; minutes: number }>>;
  /** The days a physician is planned to work over local dates [from, to], and where. */
  plannedDays(
    db: Executor,
    physicianId: string,
    from: string,
    to: string,
  ): Promise<Array<{ locationId: string; date: string }>>;
  /** Physicians' plan stamps (a new one whenever their templates, overrides or time off change). */
  planStamps(db: Executor, physicianIds: readonly string[]): Promise<Map<string, string>>;
  /** The rescheduling service: several schedule changes made and settled in the caller's transaction. */
  rescheduling: {
    applyChangesIn(
      tx: Executor,
      actor: Actor,
      changes: readonly TemporaryAssignment[],
      policy: "auto_move" | "offer" | "staff",
      field: string,
    ): Promise<string[]>;
  };
}

export interface TemporaryAssignment {
  change: "add_override";
  physicianId: string;
  locationId: string;
  kind: "temporary";
  rotationName: null;
  startDate: string;
  endDate: string;
  weekdays: number[];
  startTime: string;
  endTime: string;
  appointmentTypeIds: string[];
  reason: string;
  onSite: boolean;
}

const addDays = (date: string, n: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
const isoWeekday = (date: string) => ((new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7) + 1;
const key = (a: Assignment) => `${a.locationId}/${a.weekday}`;

/** A proposal stored before the waiting list counted shows none waiting. */
const withWaitlist = (side: StoredProposal["proposed"]): StoredProposal["proposed"] => ({
  assignments: side.assignments,
  figures: {
    ...side.figures,
    waitlistHours: side.figures.waitlistHours ?? 0,
    waitlistShortHours: side.figures.waitlistShortHours ?? 0,
    locations: side.figures.locations.map((l) => ({
      ...l,
      waitlistHours: l.waitlistHours ?? 0,
      waitlistShortHours: l.waitlistShortHours ?? 0,
    })),
  },
});

/** What a proposal is checked against when applied: each physician's plan stamp and contract. */
export const stampOf = (planStamp: string | undefined, c: Contract | undefined): string =>
  createHash("sha256")
    .update(
      JSON.stringify([
        planStamp ?? null,
        c ? [c.homeLocationId, [...c.locationIds].sort(), c.hoursPerWeek, [...c.weekdays].sort()] : null,
      ]),
    )
    .digest("base64url");

const planDto = (r: PlanRow): CapacityPlanDto => ({
  id: r.id,
  specialty: r.specialty,
  startDate: typeof r.start_date === "string" ? r.start_date.slice(0, 10) : toIso(r.start_date).slice(0, 10),
  weeks: r.weeks,
  status: r.status,
  solveMs: r.solve_ms,
  createdAt: toIso(r.created_at),
  appliedAt: r.applied_at ? toIso(r.applied_at) : null,
  proposed: withWaitlist(r.proposal.proposed),
  today: withWaitlist(r.proposal.today),
  reschedulePlanIds: r.proposal.reschedulePlanIds,
});

export function createCapacityService(deps: CapacityDeps) {
  const { db, clock, policies } = deps;

  const authorizePhysician = (tx: Executor, actor: Actor, physicianId: string, field: string) =>
    policies.authorize(
      tx,
      actor,
      "manage_schedule",
      physicianTarget(physicianId, async () => [await deps.specialtyOf(tx, physicianId, field)], field),
    );

  const forecast = createForecast(deps, () => clock.now());

  /** The stamps of the physicians' plans and contracts, as a proposal keeps them. */
  const stampsOf = async (tx: Executor, physicianIds: readonly string[]) => {
    const [plans, contracts] = await Promise.all([deps.planStamps(tx, physicianIds), repo.contracts(tx)]);
    const byId = new Map(contracts.map((c) => [c.physicianId, c]));
    return Object.fromEntries(physicianIds.map((p) => [p, stampOf(plans.get(p), byId.get(p))]));
  };

  return {
    async putContract(actor: Actor, physicianId: string, input: ContractInput): Promise<ContractDto> {
      return db.transaction().execute(async (tx) => {
        await authorizePhysician(tx, actor, physicianId, "params.physicianId");
        const named = [...new Set([input.homeLocationId, ...input.locationIds])];
        const missing = await deps.missingLocations(tx, named);
        if (missing.length)
          throw problems.notFound(
            "location",
            missing.includes(input.homeLocationId)
              ? "body.homeLocationId"
              : `body.locationIds.${input.locationIds.indexOf(missing[0]!)}`,
          );
        if (!input.locationIds.includes(input.homeLocationId))
          throw problems.invalid("body.locationIds", "must include the home location");
        const c = { physicianId, ...input, weekdays: [...input.weekdays].sort((a, b) => a - b) };
        await repo.putContract(tx, c, clock.now());
        await auditService.record(tx, auditContextOf(actor), {
          action: "capacity.contract_set",
          resourceType: "physician",
          resourceId: physicianId,
          detail: { hoursPerWeek: c.hoursPerWeek, locations: c.locationIds.length, weekdays: c.weekdays },
        });
        return c;
      });
    },

    async contract(actor: Actor, physicianId: string): Promise<ContractDto> {
      return db.transaction().execute(async (tx) => {
        await authorizePhysician(tx, actor, physicianId, "params.physicianId");
        const c = await repo.contract(tx, physicianId);
        if (!c) throw problems.notFound("contract", "params.physicianId");
        return { ...c, locationIds: [...c.locationIds], weekdays: [...c.weekdays] };
      });
    },

    /** Solves the specialty's next weeks and keeps the proposal beside today's plan. */
    async propose(actor: Actor, input: ProposalInput): Promise<CapacityPlanDto> {
      // read before the transaction: the travel matrix is read on its own connection
      const travelTimes = await deps.travel();
      const { problem, today, stamps } = await db.transaction().execute(async (tx) => {
        await policies.authorize(
          tx,
          actor,
          "plan_capacity",
          specialtyTarget(input.specialty, "body.specialty"),
        );
        const contracts = [];
        for (const c of await repo.contracts(tx))
          if ((await deps.specialtyOf(tx, c.physicianId, "body.specialty")) === input.specialty)
            contracts.push(c);
        const locationIds = [...new Set(contracts.flatMap((c) => c.locationIds))].sort();
        if (input.demand) {
          const missing = await deps.missingLocations(
            tx,
            input.demand.map((d) => d.locationId),
          );
          const at = input.demand.findIndex((d) => missing.includes(d.locationId));
          if (at >= 0) throw problems.notFound("location", `body.demand.${at}.locationId`);
          for (const d of input.demand)
            if (!locationIds.includes(d.locationId)) locationIds.push(d.locationId);
        }
        const rooms: Record<string, number> = {};
        for (const l of locationIds) rooms[l] = await deps.roomsAt(tx, l);
        // the waiting list is unmet demand: added to the booked estimate, or to the demand given
        const booked: Record<string, number> = input.demand
          ? Object.fromEntries(input.demand.map((d) => [d.locationId, d.hoursPerWeek]))
          : await forecast.booked(tx, input.specialty, locationIds);
        const waitlist = await forecast.waitlist(
          tx,
          input.specialty,
          contracts.map((c) => c.physicianId),
          locationIds,
          input.weeks,
        );
        const demand = Object.fromEntries(
          locationIds.map((l) => [l, Math.round(((booked[l] ?? 0) + (waitlist[l] ?? 0)) * 10) / 10]),
        );
        const travel: Record<string, Record<string, number>> = {};
        const wanted = new Set(locationIds);
        for (const t of travelTimes)
          if (wanted.has(t.fromLocationId) && wanted.has(t.toLocationId)) {
            const row = travel[t.fromLocationId] ?? {};
            row[t.toLocationId] = t.minutes;
            travel[t.fromLocationId] = row;
          }
        const problem: CapacityProblem = {
          weekdays: input.weekdays,
          contracts,
          rooms,
          demand,
          waitlist,
          travel,
        };
        // today's plan: where each physician is planned in the first week
        const today: Assignment[] = [];
        for (const c of contracts) {
          const seen = new Set<string>();
          for (const d of await deps.plannedDays(
            tx,
            c.physicianId,
            input.startDate,
            addDays(input.startDate, 6),
          )) {
            const a = { physicianId: c.physicianId, locationId: d.locationId, weekday: isoWeekday(d.date) };
            if (!wanted.has(a.locationId) || !input.weekdays.includes(a.weekday) || seen.has(`${a.weekday}`))
              continue;
            seen.add(`${a.weekday}`);
            today.push(a);
          }
        }
        const stamps = await stampsOf(
          tx,
          contracts.map((c) => c.physicianId),
        );
        return { problem, today, stamps };
      });
      const { assignments, solveMs } = await deps.solve(problem);
      const proposal: StoredProposal = {
        proposed: { assignments, figures: measure(problem, assignments) },
        today: { assignments: today, figures: measure(problem, today) },
        reschedulePlanIds: [],
        stamps,
      };
      return db.transaction().execute(async (tx) => {
        const row = await repo.insertPlan(tx, {
          specialty: input.specialty,
          startDate: input.startDate,
          weeks: input.weeks,
          proposal,
          solveMs,
          by: actor.userId,
          at: clock.now(),
        });
        await auditService.record(tx, auditContextOf(actor), {
          action: "capacity.propose",
          resourceType: "capacity_plan",
          resourceId: row.id,
          detail: {
            specialty: input.specialty,
            physicians: problem.contracts.length,
            assignments: assignments.length,
            solveMs,
          },
        });
        return planDto(row);
      });
    },

    async get(actor: Actor, id: string): Promise<CapacityPlanDto> {
      return db.transaction().execute(async (tx) => {
        const row = await repo.plan(tx, id);
        if (!row) throw problems.notFound("capacity plan");
        await policies.authorize(tx, actor, "plan_capacity", {
          ...specialtyTarget(row.specialty, "params.id"),
          noun: "capacity plan",
        });
        return planDto(row);
      });
    },

    async list(actor: Actor, query: PlanQuery): Promise<Page<CapacityPlanDto>> {
      return db.transaction().execute(async (tx) => {
        await policies.authorize(
          tx,
          actor,
          "plan_capacity",
          specialtyTarget(query.specialty, "query.specialty"),
        );
        const { rows, total } = await repo.plans(tx, query);
        return { items: rows.map(planDto), total, limit: query.limit, offset: query.offset };
      });
    },

    /**
     * Applies a proposal, all or nothing, in one transaction: for each physician whose week
     * changes, a temporary assignment per location for the plan's weeks, made and settled through
     * rescheduling. A proposal whose physicians' plans or contracts changed since it was made is a
     * 409; one applied before is returned as it is (a retry changes nothing); of two at once, the
     * second waits on the proposal's row and finds it applied.
     */
    async apply(actor: Actor, id: string, policy: "auto_move" | "offer" | "staff"): Promise<CapacityPlanDto> {
      return db.transaction().execute(async (tx) => {
        const row = await repo.plan(tx, id, true);
        if (!row) throw problems.notFound("capacity plan");
        await policies.authorize(tx, actor, "plan_capacity", {
          ...specialtyTarget(row.specialty, "params.id"),
          noun: "capacity plan",
        });
        if (row.status === "applied") return planDto(row);
        const kept = row.proposal.stamps;
        const current = kept ? await stampsOf(tx, Object.keys(kept)) : {};
        if (!kept || Object.entries(kept).some(([p, stamp]) => current[p] !== stamp))
          throw problems.conflict(
            "plan_stale",
            "The physicians' plans or contracts changed since this proposal was made; make a new proposal",
            "params.id",
          );
        const dto = planDto(row);
        const reschedulePlanIds = await deps.rescheduling
          .applyChangesIn(tx, actor, changesOf(dto), policy, "params.id")
          .catch((err: unknown) => {
            // a change refused (an assignment already planned then): the whole proposal is, on its id
            if (err instanceof ProblemError && err.status === 409)
              throw problems.conflict(
                "plan_clash",
                "A physician's schedule already has an assignment on a day this proposal changes; change the schedule or make a new proposal",
                "params.id",
              );
            throw err;
          });
        const applied = await repo.markApplied(
          tx,
          id,
          { ...row.proposal, reschedulePlanIds },
          actor.userId,
          clock.now(),
        );
        await auditService.record(tx, auditContextOf(actor), {
          action: "capacity.apply",
          resourceType: "capacity_plan",
          resourceId: id,
          detail: { specialty: row.specialty, reschedulePlans: reschedulePlanIds.length, policy },
        });
        return planDto(applied);
      });
    },
  };
}

/** The temporary assignments a proposal amounts to: per physician whose week changes, one per location. */
function changesOf(plan: CapacityPlanDto): TemporaryAssignment[] {
  const endDate = addDays(plan.startDate, plan.weeks * 7 - 1);
  const changes: TemporaryAssignment[] = [];
  for (const p of [...new Set(plan.proposed.assignments.map((a) => a.physicianId))]) {
    const proposed = plan.proposed.assignments.filter((a) => a.physicianId === p);
    const today = new Set(plan.today.assignments.filter((a) => a.physicianId === p).map(key));
    if (proposed.length === today.size && proposed.every((a) => today.has(key(a)))) continue;
    const byLocation = new Map<string, number[]>();
    for (const a of proposed)
      byLocation.set(a.locationId, [...(byLocation.get(a.locationId) ?? []), a.weekday]);
    for (const [locationId, weekdays] of byLocation)
      changes.push({
        change: "add_override",
        physicianId: p,
        locationId,
        kind: "temporary",
        rotationName: null,
        startDate: plan.startDate,
        endDate,
        weekdays,
        ...SESSION,
        appointmentTypeIds: [],
        reason: `capacity plan ${plan.id}`,
        onSite: false,
      });
  }
  return changes;
}

export type CapacityService = ReturnType<typeof createCapacityService>;
