/** HiGHS (WebAssembly) behind one function: the capacity MIP in, the assignments out. */

import type { Highs } from "highs";
import * as highsModule from "highs";
import { type Assignment, buildLp, type CapacityProblem, readSolution } from "./model.js";

export type Solve = (problem: CapacityProblem) => Promise<{ assignments: Assignment[]; solveMs: number }>;

type Loader = () => Promise<Highs>;
/** The package's types describe its CommonJS build; its ES build's default export is the loader. */
const loadHighs: Loader =
  (highsModule as unknown as { default: Loader | { default: Loader } }).default instanceof Function
    ? (highsModule as unknown as { default: Loader }).default
    : (highsModule as unknown as { default: { default: Loader } }).default.default;

export class NoPlanFound extends Error {}

/** A solver loading HiGHS once, on first use; a solve runs at most `seconds` seconds. */
export function createSolver(seconds = 20): Solve {
  let highs: Promise<Highs> | undefined;
  return async (problem) => {
    highs ??= loadHighs();
    const solver = await highs;
    const started = performance.now();
    const solution = solver.solve(buildLp(problem), {
      time_limit: seconds,
      mip_rel_gap: 1e-6,
      log_to_console: false,
      output_flag: false,
    });
    const solveMs = Math.round(performance.now() - started);
    if (solution.Status !== "Optimal" && solution.Status !== "Time limit reached")
      throw new NoPlanFound(`the solver found no plan (${solution.Status})`);
    return {
      assignments: readSolution(problem, solution.Columns as Record<string, { Primal: number }>),
      solveMs,
    };
  };
}
