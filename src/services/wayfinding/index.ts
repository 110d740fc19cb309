/** The wayfinding module's public surface: the only file other modules may import. */
export { wayfindingRoutes } from "./routes.js";
export type { AppointmentRoute, MapCollection, MapSummary } from "./schema.js";
export {
  type AppointmentPlace,
  createWayfinding,
  type IndoorDirections,
  type Wayfinding,
  type WayfindingDeps,
  wayfindingService,
} from "./service.js";
