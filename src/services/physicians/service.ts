import type { Actor } from "../../platform/access.js";
import type { Executor } from "../../platform/db.js";
import type { ServiceDeps } from "../../platform/module.js";
import { type ManagedAspect, physicianAccess } from "./access.js";
import { type PlacementQuery, physicianPlacements } from "./placements.js";
import { type PlanCache, plansBeforeTimeOff } from "./plans.js";
import type {
  AssignmentsQuery,
  OverrideInput,
  OverrideQuery,
  PhysicianInput,
  PhysicianQuery,
  PlannedAssignments,
  ScheduleChange,
  SpecialtyInput,
  SpecialtyQuery,
  TemplateInput,
  TemplateQuery,
} from "./schema.js";
import { profileRecords } from "./service.profiles.js";
import { type AppointmentTypeLookup, applyChange, scheduleRecords } from "./service.schedule.js";

export type { AppointmentTypeLookup } from "./service.schedule.js";

/**
 * The operations on the db or transaction they are given (profiles in service.profiles.ts,
 * schedules in service.schedule.ts); the factory below authorizes and owns the transaction.
 */
const records = { ...profileRecords, ...scheduleRecords };

/** Reads other modules make inside their own transactions (they take the db or transaction first). */
export const physicianService = {
  get: records.get,
  forSearch: records.forSearch,
  /**
   * Planned working blocks of several physicians over the local dates [from, to], from the
   * caller's plan cache when unchanged (see plans.ts). The returned plans are shared: callers must
   * not mutate them.
   */
  plans: records.plans,
  /** The same blocks before approved time off is cut out (reports: time off as blocked time). */
  plansBeforeTimeOff,
};

/** What the physicians service needs besides the platform: the catalogue's appointment types. */
export interface PhysicianDeps extends ServiceDeps {
  /** Checks the types a template or rotation names (scheduling owns the catalogue). */
  appointmentTypes: AppointmentTypeLookup;
  /** This server's expanded plans (shared with scheduling's search, which reads the same plans). */
  plans: PlanCache;
}

/**
 * Providers, their specialties, weekly templates, rotations and time off. Profile, schedule and
 * time-off changes are authorized through the policy (administrators; department heads for their
 * departments' specialties; a physician for their own time off), each in its own transaction.
 */
export function createPhysicians({ db, policies, appointmentTypes, plans }: PhysicianDeps) {
  const inTransaction = <T>(work: (tx: Executor) => Promise<T>): Promise<T> => db.transaction().execute(work);
  const access = physicianAccess(policies, records.get);
  /** Authorizes the change in its transaction, then makes it there. */
  const managed =
    <A extends unknown[], T>(
      aspect: ManagedAspect,
      work: (tx: Executor, physicianId: string, ...args: A) => Promise<T>,
    ) =>
    (actor: Actor, physicianId: string, ...args: A): Promise<T> =>
      inTransaction(async (tx) => {
        await access.authorize(tx, actor, physicianId, aspect);
        return work(tx, physicianId, ...args);
      });
  return {
    /** Reads for other services, inside their own transactions. */
    lookup: physicianService,
    /** A schedule change made inside another service's transaction, which authorized it. */
    applyChangeIn: (tx: Executor, change: ScheduleChange) => applyChange(tx, change, appointmentTypes),
    specialties: (query: SpecialtyQuery) => records.specialties(db, query),
    createSpecialty: (input: SpecialtyInput) => inTransaction((tx) => records.createSpecialty(tx, input)),
    list: (query: PhysicianQuery) => records.list(db, query),
    /** Each physician at each location they work at, in one query (public, as the directory is). */
    placements: (query: PlacementQuery) => physicianPlacements(db, query),
    get: (id: string) => records.get(db, id),
    create: (input: PhysicianInput) => inTransaction((tx) => records.create(tx, input)),
    update: managed("profile", records.update),

    templates: (physicianId: string, query: TemplateQuery) => records.templates(db, physicianId, query),
    createTemplate: managed("schedule", (tx, physicianId, input: TemplateInput) =>
      records.createTemplate(tx, physicianId, input, appointmentTypes),
    ),
    deleteTemplate: managed("schedule", records.deleteTemplate),
    overrides: (physicianId: string, query: OverrideQuery) => records.overrides(db, physicianId, query),
    createOverride: managed("schedule", (tx, physicianId, input: OverrideInput) =>
      records.createOverride(tx, physicianId, input, appointmentTypes),
    ),
    deleteOverride: managed("schedule", records.deleteOverride),
    timeOff: managed("time_off", records.timeOff),
    createTimeOff: managed("time_off", records.createTimeOff),
    deleteTimeOff: managed("time_off", records.deleteTimeOff),

    /** Planned blocks; time off (with its reason) only for those who manage it, others see the cut blocks. */
    async assignments(
      actor: Actor,
      physicianId: string,
      query: AssignmentsQuery,
    ): Promise<PlannedAssignments> {
      const planned = await records.assignments(db, physicianId, query, plans);
      return (await access.permits(db, actor, physicianId, "time_off"))
        ? planned
        : { ...planned, timeOff: [] };
    },
  };
}

/** The physicians service as the composition root wires it. */
export type Physicians = ReturnType<typeof createPhysicians>;
