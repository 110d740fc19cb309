/** Incident response: security signals raise incidents that officers work through (service.ts). */
export {
  type ChainFailure,
  detectBreakGlass,
  detectChainFailures,
  detectSignIns,
  detectWindow,
  INCIDENT_KINDS,
  type IncidentKind,
  type Signal,
  type Thresholds,
  type WindowEvent,
} from "./detectors.js";
export { type IncidentTables, incidentRepository } from "./repository.js";
export { incidentRoutes } from "./routes.js";
export type { Incident, IncidentDetail } from "./schema.js";
export {
  createIncidents,
  INCIDENTS_PATH,
  type IncidentDeps,
  type Incidents,
  startIncidentWatch,
} from "./service.js";
