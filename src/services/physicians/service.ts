import type { Actor } from "../../platform/access.js";
import type { Executor } from "../../platform/db.js";
import { problems, registerConstraint } from "../../platform/errors.js";
import { publishScheduleOpened } from "../../platform/events.js";
import type { ServiceDeps } from "../../platform/module.js";
import type { Page } from "../../platform/schemas.js";
import { type ManagedAspect, physicianAccess } from "./access.js";
import { type SearchablePhysician, toOverride, toPhysician, toTemplate, toTimeOff } from "./mappers.js";
import { type PlacementQuery, physicianPlacements } from "./placements.js";
import { cachedPlans, type PlanCache, plansBeforeTimeOff } from "./plans.js";
import { type PhysicianRow, physicianRepository as repo } from "./repository.js";
import { daysInRange, overridesClash } from "./schedule.js";
import {
  type AssignmentOverride,
  type AssignmentsQuery,
  type AssignmentTemplate,
  MAX_ASSIGNMENT_RANGE_DAYS,
  type OverrideInput,
  type OverrideQuery,
  type Physician,
  type PhysicianInput,
  type PhysicianPatch,
  type PhysicianQuery,
  type PlannedAssignments,
  type ScheduleChange,
  type Specialty,
  type SpecialtyInput,
  type SpecialtyQuery,
  type TemplateInput,
  type TemplateQuery,
  type TimeOff,
  type TimeOffInput,
  type TimeOffQuery,
} from "./schema.js";

registerConstraint("specialties_pkey", "body.code", "a specialty with this code already exists");
registerConstraint("specialties_name_key", "body.name", "a specialty with this name already exists");
registerConstraint("physicians_npi_key", "body.npi", "a physician with this NPI already exists");
registerConstraint("physicians_primary_specialty_fk", "body.primarySpecialty", "no such specialty");
registerConstraint("physician_specialties_specialty_fk", "body.specialties", "no such specialty");
registerConstraint("physicians_home_department_fk", "body.homeDepartmentId", "no such department");
registerConstraint(
  "assignment_templates_no_overlap",
  "body.startTime",
  "the physician already has a template block at this time on this weekday",
);
registerConstraint("assignment_templates_location_fk", "body.locationId", "no such location");
registerConstraint("assignment_overrides_location_fk", "body.locationId", "no such location");
registerConstraint(
  "time_off_no_overlap",
  "body.startsAt",
  "the physician already has time off in this period",
);

const DAY_MS = 86_400_000;
/**
 * The instants local dates [from, to] can cover in any time zone (a day either side), for the
 * outbox's "time may have opened" event; `to` null is open-ended.
 */
const dateSpan = (from: string, to: string | null) => ({
  from: new Date(Date.parse(`${from}T00:00:00Z`) - DAY_MS),
  to: to === null ? null : new Date(Date.parse(`${to}T00:00:00Z`) + 2 * DAY_MS),
});

/** The stored specialty set: the primary one is always part of it. */
function specialtySet(primary: string, others: readonly string[]): string[] {
  return [...new Set([primary, ...others])].sort();
}

async function requireSpecialties(db: Executor, primary: string, others: readonly string[]): Promise<void> {
  const known = new Set(await repo.existingSpecialties(db, specialtySet(primary, others)));
  if (!known.has(primary)) throw problems.invalid("body.primarySpecialty", `no such specialty: ${primary}`);
  const unknown = others.filter((c) => !known.has(c));
  if (unknown.length) throw problems.invalid("body.specialties", `no such specialty: ${unknown.join(", ")}`);
}

async function requirePhysician(
  db: Executor,
  id: string,
  field = "params.id",
  forUpdate = false,
): Promise<PhysicianRow> {
  const row = await repo.get(db, id, forUpdate);
  if (!row) throw problems.notFound("physician", field);
  return row;
}

/**
 * What physicians ask of the appointment-type catalogue. Scheduling owns the catalogue and depends
 * on physicians, so the composition root passes it in rather than physicians importing scheduling.
 */
export interface AppointmentTypeLookup {
  /** The subset of `ids` that name existing appointment types. */
  existing(db: Executor, ids: readonly string[]): Promise<string[]>;
}

async function requireAppointmentTypes(
  db: Executor,
  ids: readonly string[],
  appointmentTypes: AppointmentTypeLookup,
): Promise<string[]> {
  const wanted = [...new Set(ids)];
  if (wanted.length === 0) return wanted;
  const existing = new Set(await appointmentTypes.existing(db, wanted));
  const missing = wanted.filter((id) => !existing.has(id));
  if (missing.length) {
    throw problems.invalid("body.appointmentTypeIds", `no such appointment type: ${missing.join(", ")}`);
  }
  return wanted;
}

function physicianColumns(p: PhysicianPatch) {
  const row = {
    npi: p.npi,
    given_name: p.givenName,
    family_name: p.familyName,
    title: p.title,
    primary_specialty: p.primarySpecialty,
    home_department_id: p.homeDepartmentId,
    languages: p.languages,
    accepts_new_patients: p.acceptsNewPatients,
    offers_telehealth: p.offersTelehealth,
    active: p.active,
  };
  return Object.fromEntries(Object.entries(row).filter(([, v]) => v !== undefined)) as Partial<typeof row>;
}

/** Checks a requested assignments range before anything is loaded. */
function checkRange(from: string, to: string): void {
  if (to < from) throw problems.invalid("query.to", "to must not be before from");
  if (daysInRange(from, to) > MAX_ASSIGNMENT_RANGE_DAYS) {
    throw problems.invalid("query.to", `the range may cover at most ${MAX_ASSIGNMENT_RANGE_DAYS} days`);
  }
}

/** The operations on the db or transaction they are given; the factory below authorizes and owns the transaction. */
const records = {
  async specialties(db: Executor, query: SpecialtyQuery): Promise<Page<Specialty>> {
    const { rows, total } = await repo.specialties(db, query);
    return { items: rows, total, limit: query.limit, offset: query.offset };
  },
  createSpecialty(db: Executor, input: SpecialtyInput): Promise<Specialty> {
    return repo.insertSpecialty(db, input);
  },

  async list(db: Executor, query: PhysicianQuery): Promise<Page<Physician>> {
    const { rows, total } = await repo.list(db, query);
    const specialties = await repo.specialtiesOf(
      db,
      rows.map((r) => r.id),
    );
    return {
      items: rows.map((r) => toPhysician(r, specialties.get(r.id) ?? [])),
      total,
      limit: query.limit,
      offset: query.offset,
    };
  },
  /**
   * Physicians as a search needs them, each with its plan stamp, in one query (specialties are not
   * read): those named (unknown ids are left out), or every active one of a specialty.
   */
  async forSearch(
    db: Executor,
    which: { ids: readonly string[] } | { specialty: string },
  ): Promise<SearchablePhysician[]> {
    const rows =
      "ids" in which ? await repo.byIds(db, which.ids) : await repo.activeInSpecialty(db, which.specialty);
    return rows.map((r) => ({
      id: r.id,
      givenName: r.given_name,
      familyName: r.family_name,
      title: r.title,
      languages: r.languages,
      acceptsNewPatients: r.accepts_new_patients,
      offersTelehealth: r.offers_telehealth,
      active: r.active,
      planStamp: r.plan_stamp,
    }));
  },
  async get(db: Executor, id: string): Promise<Physician> {
    const row = await requirePhysician(db, id);
    return toPhysician(row, (await repo.specialtiesOf(db, [id])).get(id) ?? []);
  },
  async create(db: Executor, input: PhysicianInput): Promise<Physician> {
    await requireSpecialties(db, input.primarySpecialty, input.specialties);
    const specialties = specialtySet(input.primarySpecialty, input.specialties);
    const row = await repo.insert(db, physicianColumns(input) as Parameters<typeof repo.insert>[1]);
    await repo.replaceSpecialties(db, row.id, specialties);
    return toPhysician(row, specialties);
  },
  async update(db: Executor, id: string, patch: PhysicianPatch): Promise<Physician> {
    const current = await requirePhysician(db, id, "params.id", true);
    let specialties = (await repo.specialtiesOf(db, [id])).get(id) ?? [];
    if (patch.primarySpecialty !== undefined || patch.specialties !== undefined) {
      const primary = patch.primarySpecialty ?? current.primary_specialty;
      const others = patch.specialties ?? specialties;
      await requireSpecialties(db, primary, others);
      specialties = specialtySet(primary, others);
    }
    const row = await repo.update(db, id, physicianColumns(patch));
    if (patch.primarySpecialty !== undefined || patch.specialties !== undefined) {
      await repo.replaceSpecialties(db, id, specialties);
    }
    return toPhysician(row!, specialties);
  },

  async templates(
    db: Executor,
    physicianId: string,
    query: TemplateQuery,
  ): Promise<Page<AssignmentTemplate>> {
    await requirePhysician(db, physicianId);
    const { rows, total } = await repo.templates(db, { physicianId, ...query });
    return { items: rows.map(toTemplate), total, limit: query.limit, offset: query.offset };
  },
  async createTemplate(
    db: Executor,
    physicianId: string,
    input: TemplateInput,
    appointmentTypes: AppointmentTypeLookup,
  ): Promise<AssignmentTemplate> {
    await requirePhysician(db, physicianId, "params.id", true);
    const appointmentTypeIds = await requireAppointmentTypes(db, input.appointmentTypeIds, appointmentTypes);
    const row = await repo.insertTemplate(db, {
      physician_id: physicianId,
      location_id: input.locationId,
      weekday: input.weekday,
      start_time: input.startTime,
      end_time: input.endTime,
      effective_from: input.effectiveFrom,
      effective_to: input.effectiveTo,
      appointment_type_ids: appointmentTypeIds,
      notes: input.notes,
      on_site: input.onSite,
    });
    await publishScheduleOpened(db, {
      physicianId,
      locationId: input.locationId,
      ...dateSpan(input.effectiveFrom, input.effectiveTo ?? null),
      reason: "weekly template added",
    });
    return toTemplate(row);
  },
  async deleteTemplate(db: Executor, physicianId: string, templateId: string): Promise<void> {
    await requirePhysician(db, physicianId, "params.id", true);
    const n = await repo.deleteTemplate(db, physicianId, templateId);
    if (n === 0) throw problems.notFound("template", "params.templateId");
  },

  async overrides(
    db: Executor,
    physicianId: string,
    query: OverrideQuery,
  ): Promise<Page<AssignmentOverride>> {
    await requirePhysician(db, physicianId);
    const { rows, total } = await repo.overrides(db, { physicianId, ...query });
    return { items: rows.map(toOverride), total, limit: query.limit, offset: query.offset };
  },
  async createOverride(
    db: Executor,
    physicianId: string,
    input: OverrideInput,
    appointmentTypes: AppointmentTypeLookup,
  ): Promise<AssignmentOverride> {
    // The row lock serialises override writes per physician, so the clash check below cannot race.
    await requirePhysician(db, physicianId, "params.id", true);
    const appointmentTypeIds = await requireAppointmentTypes(db, input.appointmentTypeIds, appointmentTypes);
    const weekdays = [...input.weekdays].sort((a, b) => a - b);
    const nearby = await repo.overridesBetween(db, [physicianId], input.startDate, input.endDate);
    const clash = nearby.find((r) => overridesClash(toOverride(r), { ...input, weekdays }));
    if (clash) {
      throw problems.conflict(
        "overlap",
        "the physician already has an assignment at this time on one of these days",
        "body.startTime",
        { conflictingOverrideId: clash.id },
      );
    }
    const row = await repo.insertOverride(db, {
      physician_id: physicianId,
      location_id: input.locationId,
      kind: input.kind,
      rotation_name: input.rotationName,
      start_date: input.startDate,
      end_date: input.endDate,
      weekdays,
      start_time: input.startTime,
      end_time: input.endTime,
      appointment_type_ids: appointmentTypeIds,
      reason: input.reason,
      on_site: input.onSite,
    });
    await publishScheduleOpened(db, {
      physicianId,
      locationId: input.locationId,
      ...dateSpan(input.startDate, input.endDate),
      reason: `${input.kind} assignment added`,
    });
    return toOverride(row);
  },
  async deleteOverride(db: Executor, physicianId: string, overrideId: string): Promise<void> {
    await requirePhysician(db, physicianId, "params.id", true);
    const n = await repo.deleteOverride(db, physicianId, overrideId);
    if (n === 0) throw problems.notFound("assignment", "params.overrideId");
  },

  async timeOff(db: Executor, physicianId: string, query: TimeOffQuery): Promise<Page<TimeOff>> {
    await requirePhysician(db, physicianId);
    const { rows, total } = await repo.timeOff(db, { physicianId, ...query });
    return { items: rows.map(toTimeOff), total, limit: query.limit, offset: query.offset };
  },
  async createTimeOff(db: Executor, physicianId: string, input: TimeOffInput): Promise<TimeOff> {
    await requirePhysician(db, physicianId, "params.id", true);
    const row = await repo.insertTimeOff(db, {
      physician_id: physicianId,
      starts_at: new Date(input.startsAt),
      ends_at: new Date(input.endsAt),
      reason: input.reason,
      status: input.status,
    });
    return toTimeOff(row);
  },
  async deleteTimeOff(db: Executor, physicianId: string, timeOffId: string): Promise<void> {
    await requirePhysician(db, physicianId, "params.id", true);
    const removed = await repo.deleteTimeOff(db, physicianId, timeOffId);
    if (!removed) throw problems.notFound("time off", "params.timeOffId");
    await publishScheduleOpened(db, {
      physicianId,
      locationId: null,
      from: removed.starts_at,
      to: removed.ends_at,
      reason: "time off removed",
    });
  },

  /**
   * Planned working blocks of several physicians over the local dates [from, to], from the
   * caller's plan cache when unchanged (see plans.ts). The returned plans are shared: callers must
   * not mutate them.
   */
  plans: cachedPlans,
  async assignments(
    db: Executor,
    physicianId: string,
    query: AssignmentsQuery,
    cache?: PlanCache,
  ): Promise<PlannedAssignments> {
    checkRange(query.from, query.to);
    await requirePhysician(db, physicianId);
    const plan = (await records.plans(db, [physicianId], query.from, query.to, undefined, cache)).get(
      physicianId,
    )!;
    const assignments = query.locationId
      ? plan.assignments.filter((a) => a.locationId === query.locationId)
      : plan.assignments;
    return { physicianId, from: query.from, to: query.to, assignments, timeOff: plan.timeOff };
  },
};

/**
 * Makes a proposed schedule change in the caller's transaction (the caller authorized it), the
 * same write the schedule routes make; a removal of something the physician does not have is a 404
 * on the body field that named it.
 */
async function applyChange(
  tx: Executor,
  change: ScheduleChange,
  appointmentTypes: AppointmentTypeLookup,
): Promise<void> {
  const { physicianId } = change;
  switch (change.change) {
    case "add_template":
      await records.createTemplate(tx, physicianId, change, appointmentTypes);
      return;
    case "add_override":
      await records.createOverride(tx, physicianId, change, appointmentTypes);
      return;
    case "time_off":
      await records.createTimeOff(tx, physicianId, { ...change, status: "approved" });
      return;
    case "remove_template":
      await requirePhysician(tx, physicianId, "body.physicianId", true);
      if ((await repo.deleteTemplate(tx, physicianId, change.templateId)) === 0)
        throw problems.notFound("template", "body.templateId");
      return;
    case "remove_override":
      await requirePhysician(tx, physicianId, "body.physicianId", true);
      if ((await repo.deleteOverride(tx, physicianId, change.overrideId)) === 0)
        throw problems.notFound("assignment", "body.overrideId");
      return;
  }
}

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
