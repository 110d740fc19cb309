/** Capacity planning: the analytics module wires these through its own index. */
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
export { createSolver, NoPlanFound, type Solve } from "./solver.js";
