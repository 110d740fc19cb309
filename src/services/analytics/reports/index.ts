/** The reports: a read model fed from schedule events, the report operations and their routes. */

import type { ServiceDeps } from "../../../platform/module.js";
import type { ReadDb } from "../../../platform/read-db.js";
import { type CopaySource, createCopayProjection } from "./copays.js";
import { createPlannedTime, type PlanSources } from "./planned.refresh.js";
import { createProjector, type ReportSources } from "./projector.js";
import { createReportsService, type ReportNames, type WaitlistFills } from "./service.js";
import { createThirdNext, type ThirdNextSource } from "./third-next.js";

export type { CopaySource } from "./copays.js";
export type { PlannedTime, PlanSources } from "./planned.refresh.js";
export type { Projector, ReportSources } from "./projector.js";
export { reportRoutes } from "./routes.js";
export type { ReportNames, ReportsService, WaitlistFills } from "./service.js";
export type { ThirdNext, ThirdNextSource } from "./third-next.js";

export interface ReportsModuleDeps extends ServiceDeps {
  /** Where report rows are read (a streaming replica within its lag bound); unset: the primary. */
  readDb?: ReadDb | undefined;
  sources: ReportSources;
  names: ReportNames;
  /** The recorded copays the revenue report splits fees with (none: every fee unsplit). */
  copays?: CopaySource;
  /** How the planned time reads the physicians' plans, the travel matrix and the catalogue. */
  plans: PlanSources;
  /** How the days to the third next available slot ask scheduling's availability (none: not measured). */
  thirdNext?: ThirdNextSource;
  /** Accepted waitlist offers per location (none: the efficiency report's waitlist figures are null). */
  waitlistFills?: WaitlistFills;
}

export function createReports(deps: ReportsModuleDeps) {
  const base = createProjector({ db: deps.db, sources: deps.sources });
  const copays = deps.copays && createCopayProjection({ db: deps.db, source: deps.copays });
  // the copay split follows the visit rows: rebuilt with them, caught up after them
  const projector: typeof base = {
    ...base,
    rebuild: async () => {
      const n = await base.rebuild();
      await copays?.reset();
      return n;
    },
  };
  const catchUp = async () => {
    await base.catchUp();
    await copays?.catchUp();
  };
  const planned = createPlannedTime(deps.plans);
  // every report first follows the events it has not seen (a no-op when the model is current)
  const thirdNext =
    deps.thirdNext && createThirdNext({ db: deps.db, clock: deps.clock, source: deps.thirdNext });
  const service = createReportsService({ ...deps, planned, catchUp, thirdNext });
  return {
    projector,
    service,
    /** Recomputes the planned time of the weeks around today (plans change without events too). */
    refreshPlans: () => planned.refreshAround(deps.db, deps.clock.now().toISOString().slice(0, 10)),
    /** Today's days to the third next available slot, once a day across replicas (false: already done). */
    runThirdNext: async () => (thirdNext ? thirdNext.runDaily() : false),
  };
}

export type Reports = ReturnType<typeof createReports>;

/** How often the weeks around today's planned time are recomputed. */
export const PLAN_REFRESH_HOURS = 6;

/** Recomputes the planned time around today every few hours (the first pass a minute after start). */
export function startPlanRefresh(
  reports: Pick<Reports, "refreshPlans" | "runThirdNext">,
  log: { error(o: object, msg: string): void },
): () => void {
  const run = () => {
    reports
      .refreshPlans()
      .catch((err: unknown) => log.error({ err }, "reports: planned time refresh failed"));
    // the third next available slot: every few hours asked, once a day computed (one replica's claim)
    reports
      .runThirdNext()
      .catch((err: unknown) => log.error({ err }, "reports: third next available slot failed"));
  };
  const first = setTimeout(run, 60_000);
  const timer = setInterval(run, PLAN_REFRESH_HOURS * 3_600_000);
  first.unref();
  timer.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}
