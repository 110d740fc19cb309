/** Capacity planning: the analytics module wires these through its own index. */

export {
  locationsFor,
  type PlannedLocation,
  type Urgency,
  type WaitingEntry,
  waitlistDemand,
  weeksToSee,
} from "./demand.js";
export {
  type Assignment,
  buildLp,
  type CapacityProblem,
  type Contract,
  DAY_HOURS,
  type Figures,
  measure,
  readSolution,
} from "./model.js";
export { capacityRoutes } from "./routes.js";
export { type CapacityDeps, type CapacityService, createCapacityService, stampOf } from "./service.js";
export { createSolver, NoPlanFound, type Solve } from "./solver.js";
