/** The physicians module's public surface: the only file other modules may import. */

export type { Placement, PlacementQuery } from "./placements.js";
export { createPlanCache, type PhysicianPlan, type PlanCache } from "./plans.js";
export { physicianRoutes } from "./routes.js";
export {
  type Absence,
  type AssignmentSource,
  type ExpandInput,
  expandAssignments,
  type OverrideRule,
  overridesClash,
  type PlannedBlock,
  rangeWindow,
  type TemplateRule,
  wallClockToEpochMs,
} from "./schedule.js";
export type {
  AssignmentOverride,
  AssignmentTemplate,
  Physician,
  PlannedAssignments,
  ScheduleChange,
  Specialty,
  TimeOff,
} from "./schema.js";
export { scheduleChange } from "./schema.js";
export {
  type AppointmentTypeLookup,
  createPhysicians,
  type PhysicianDeps,
  type Physicians,
  physicianService,
} from "./service.js";
