/** The locations module's public surface: the only file other modules may import. */
export { locationRoutes } from "./routes.js";
export type { Department, EquipmentItem, Location, Room, TravelTime } from "./schema.js";
export {
  buildTravelMatrix,
  createLocations,
  type Locations,
  locationService,
  type NetworkSnapshot,
  networkSnapshot,
} from "./service.js";
export { distanceKm, estimateTravelMinutes } from "./travel.js";
