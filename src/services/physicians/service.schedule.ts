/**
 * Weekly templates, rotations, time off and planned assignments: the operations on the db or
 * transaction they are given, and schedule changes made in another service's transaction.
 */
import type { Executor } from "../../platform/db.js";
import { problems, registerConstraint } from "../../platform/errors.js";
import { publishScheduleOpened } from "../../platform/events.js";
import type { Page } from "../../platform/schemas.js";
import { toOverride, toTemplate, toTimeOff } from "./mappers.js";
import { cachedPlans, type PlanCache } from "./plans.js";
import { physicianRepository as repo } from "./repository.js";
import { daysInRange, overridesClash } from "./schedule.js";
import {
  type AssignmentOverride,
  type AssignmentsQuery,
  type AssignmentTemplate,
  MAX_ASSIGNMENT_RANGE_DAYS,
  type OverrideInput,
  type OverrideQuery,
  type PlannedAssignments,
  type ScheduleChange,
  type TemplateInput,
  type TemplateQuery,
  type TimeOff,
  type TimeOffInput,
  type TimeOffQuery,
} from "./schema.js";
import { requirePhysician } from "./service.profiles.js";

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

/** Checks a requested assignments range before anything is loaded. */
function checkRange(from: string, to: string): void {
  if (to < from) throw problems.invalid("query.to", "to must not be before from");
  if (daysInRange(from, to) > MAX_ASSIGNMENT_RANGE_DAYS) {
    throw problems.invalid("query.to", `the range may cover at most ${MAX_ASSIGNMENT_RANGE_DAYS} days`);
  }
}

/** Schedules; the factory in service.ts authorizes and owns the transaction. */
export const scheduleRecords = {
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
    const plan = (await scheduleRecords.plans(db, [physicianId], query.from, query.to, undefined, cache)).get(
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
export async function applyChange(
  tx: Executor,
  change: ScheduleChange,
  appointmentTypes: AppointmentTypeLookup,
): Promise<void> {
  const { physicianId } = change;
  switch (change.change) {
    case "add_template":
      await scheduleRecords.createTemplate(tx, physicianId, change, appointmentTypes);
      return;
    case "add_override":
      await scheduleRecords.createOverride(tx, physicianId, change, appointmentTypes);
      return;
    case "time_off":
      await scheduleRecords.createTimeOff(tx, physicianId, { ...change, status: "approved" });
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
