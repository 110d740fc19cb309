/** The reports: a read model fed from schedule events, the report operations and their routes. */
import type { ServiceDeps } from "../../../platform/module.js";
import { createProjector, type ReportSources } from "./projector.js";
import { createReportsService, type ReportNames } from "./service.js";

export type { Projector, ReportSources } from "./projector.js";
export { reportRoutes } from "./routes.js";
export type { ReportNames, ReportsService } from "./service.js";

export interface ReportsModuleDeps extends ServiceDeps {
  sources: ReportSources;
  names: ReportNames;
}

export function createReports(deps: ReportsModuleDeps) {
  const projector = createProjector({ db: deps.db, sources: deps.sources });
  // every report first follows the events it has not seen (a no-op when the model is current)
  const service = createReportsService({ ...deps, catchUp: () => projector.catchUp() });
  return { projector, service };
}

export type Reports = ReturnType<typeof createReports>;
