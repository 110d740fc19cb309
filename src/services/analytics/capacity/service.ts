/**
 * Capacity planning: physicians' contracts, proposals solved by HiGHS and shown beside today's
 * plan (coverage, travel, expected wait), and their application through the rescheduling
 * service's plan flow (a temporary assignment per physician and location whose week changes,
 * each settled by rescheduling's policy for the appointments it displaces).
 */
import type { Actor } from "../../../platform/access.js";
import { auditService } from "../../../platform/audit/index.js";
import type { Executor } from "../../../platform/db.js";
import { problems } from "../../../platform/errors.js";
import { auditContextOf } from "../../../platform/identity/index.js";
import type { ServiceDeps } from "../../../platform/module.js";
import { physicianTarget, specialtyTarget } from "../../../platform/policy.js";
import { type Page, toIso } from "../../../platform/schemas.js";
import type { VisitFacts } from "../../scheduling/index.js";
import { type Assignment, type CapacityProblem, measure } from "./model.js";
import { type PlanRow, capacityRepository as repo, type StoredProposal } from "./repository.js";
import type { CapacityPlanDto, ContractDto, ContractInput, PlanQuery, ProposalInput } from "./schema.js";
import type { Solve } from "./solver.js";

const DAY = 86_400_000;
/** The weeks of history and of bookings ahead that estimate demand when none is given. */
const DEMAND_WEEKS = 4;
/** The session a proposed assignment day covers (DAY_HOURS long). */
const SESSION = { startTime: "08:00", endTime: "16:00" } as const;

export interface CapacityDeps extends ServiceDeps {
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
  /** Appointments as history and bookings (scheduling's visit history). */
  visits: {
    outcomes(db: Executor, range: { from: Date; to: Date; limit: number }): Promise<VisitFacts[]>;
    upcoming(
      db: Executor,
      filter: { from: Date; to: Date; locationIds?: readonly string[]; limit: number },
    ): Promise<VisitFacts[]>;
  };
  appointmentType(db: Executor, id: string): Promise<{ specialty: string; durationMinutes: number }>;
  /** The rescheduling service's plan flow. */
  rescheduling: {
    propose(actor: Actor, input: TemporaryAssignment): Promise<{ id: string }>;
    apply(
      actor: Actor,
      id: string,
      input: { policy: "auto_move" | "offer" | "staff"; exceptions: [] },
    ): Promise<unknown>;
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

const planDto = (r: PlanRow): CapacityPlanDto => ({
  id: r.id,
  specialty: r.specialty,
  startDate: typeof r.start_date === "string" ? r.start_date.slice(0, 10) : toIso(r.start_date).slice(0, 10),
  weeks: r.weeks,
  status: r.status,
  solveMs: r.solve_ms,
  createdAt: toIso(r.created_at),
  appliedAt: r.applied_at ? toIso(r.applied_at) : null,
  proposed: r.proposal.proposed,
  today: r.proposal.today,
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

  /** Weekly demanded hours per location for the specialty: history behind and bookings ahead. */
  const demandOf = async (tx: Executor, specialty: string, locationIds: readonly string[]) => {
    const now = clock.now().getTime();
    const span = DEMAND_WEEKS * 7 * DAY;
    const [past, ahead] = await Promise.all([
      deps.visits.outcomes(tx, { from: new Date(now - span), to: new Date(now), limit: 100_000 }),
      deps.visits.upcoming(tx, {
        from: new Date(now),
        to: new Date(now + span),
        locationIds,
        limit: 100_000,
      }),
    ]);
    const minutes: Record<string, number> = Object.fromEntries(locationIds.map((l) => [l, 0]));
    const types = new Map<string, { specialty: string; durationMinutes: number }>();
    for (const v of [...past, ...ahead]) {
      if (!(v.locationId in minutes)) continue;
      const t = types.get(v.appointmentTypeId) ?? (await deps.appointmentType(tx, v.appointmentTypeId));
      types.set(v.appointmentTypeId, t);
      if (t.specialty === specialty) minutes[v.locationId]! += t.durationMinutes;
    }
    // two spans of DEMAND_WEEKS weeks, in hours per week
    return Object.fromEntries(
      Object.entries(minutes).map(([l, m]) => [l, Math.round((m / 60 / (2 * DEMAND_WEEKS)) * 10) / 10]),
    );
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
      const { problem, today } = await db.transaction().execute(async (tx) => {
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
        const demand = input.demand
          ? Object.fromEntries(input.demand.map((d) => [d.locationId, d.hoursPerWeek]))
          : await demandOf(tx, input.specialty, locationIds);
        const travel: Record<string, Record<string, number>> = {};
        const wanted = new Set(locationIds);
        for (const t of travelTimes)
          if (wanted.has(t.fromLocationId) && wanted.has(t.toLocationId)) {
            const row = travel[t.fromLocationId] ?? {};
            row[t.toLocationId] = t.minutes;
            travel[t.fromLocationId] = row;
          }
        const problem: CapacityProblem = { weekdays: input.weekdays, contracts, rooms, demand, travel };
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
        return { problem, today };
      });
      const { assignments, solveMs } = await deps.solve(problem);
      const proposal: StoredProposal = {
        proposed: { assignments, figures: measure(problem, assignments) },
        today: { assignments: today, figures: measure(problem, today) },
        reschedulePlanIds: [],
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
     * Applies a proposal: for each physician whose week changes, a temporary assignment per
     * location for the plan's weeks, each proposed and applied through rescheduling.
     */
    async apply(actor: Actor, id: string, policy: "auto_move" | "offer" | "staff"): Promise<CapacityPlanDto> {
      const row = await db.transaction().execute(async (tx) => {
        const r = await repo.plan(tx, id, true);
        if (!r) throw problems.notFound("capacity plan");
        await policies.authorize(tx, actor, "plan_capacity", {
          ...specialtyTarget(r.specialty, "params.id"),
          noun: "capacity plan",
        });
        if (r.status === "applied")
          throw problems.conflict("plan_applied", "This capacity plan has already been applied", "params.id");
        return r;
      });
      const dto = planDto(row);
      const endDate = addDays(dto.startDate, dto.weeks * 7 - 1);
      const reschedulePlanIds: string[] = [];
      const physicians = [...new Set(dto.proposed.assignments.map((a) => a.physicianId))];
      for (const p of physicians) {
        const proposed = dto.proposed.assignments.filter((a) => a.physicianId === p);
        const today = new Set(dto.today.assignments.filter((a) => a.physicianId === p).map(key));
        if (proposed.length === today.size && proposed.every((a) => today.has(key(a)))) continue;
        const byLocation = new Map<string, number[]>();
        for (const a of proposed)
          byLocation.set(a.locationId, [...(byLocation.get(a.locationId) ?? []), a.weekday]);
        for (const [locationId, weekdays] of byLocation) {
          const plan = await deps.rescheduling.propose(actor, {
            change: "add_override",
            physicianId: p,
            locationId,
            kind: "temporary",
            rotationName: null,
            startDate: dto.startDate,
            endDate,
            weekdays,
            ...SESSION,
            appointmentTypeIds: [],
            reason: `capacity plan ${dto.id}`,
            onSite: false,
          });
          await deps.rescheduling.apply(actor, plan.id, { policy, exceptions: [] });
          reschedulePlanIds.push(plan.id);
        }
      }
      return db.transaction().execute(async (tx) => {
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

export type CapacityService = ReturnType<typeof createCapacityService>;
