/** The locations module's public surface: the only file other modules may import. */
export { locationRoutes } from "./routes.js";
export type { Department, EquipmentItem, Location, OutOfServicePeriod, Room, TravelTime } from "./schema.js";
export {
  buildTravelMatrix,
  createLocations,
  type Facility,
  type LocationDeps,
  type Locations,
  locationService,
  type NetworkSnapshot,
  networkSnapshot,
  type OutOfServiceSpan,
} from "./service.js";
export { distanceKm, estimateTravelMinutes } from "./travel.js";
