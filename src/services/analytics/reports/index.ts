/** The reports: a read model fed from schedule events, the report operations and their routes. */
import type { ServiceDeps } from "../../../platform/module.js";
import { type CopaySource, createCopayProjection } from "./copays.js";
import { createProjector, type ReportSources } from "./projector.js";
import { createReportsService, type ReportNames } from "./service.js";

export type { CopaySource } from "./copays.js";
export type { Projector, ReportSources } from "./projector.js";
export { reportRoutes } from "./routes.js";
export type { ReportNames, ReportsService } from "./service.js";

export interface ReportsModuleDeps extends ServiceDeps {
  sources: ReportSources;
  names: ReportNames;
  /** The recorded copays the revenue report splits fees with (none: every fee unsplit). */
  copays?: CopaySource;
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
  // every report first follows the events it has not seen (a no-op when the model is current)
  const service = createReportsService({ ...deps, catchUp });
  return { projector, service };
}

export type Reports = ReturnType<typeof createReports>;
