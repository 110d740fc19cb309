/** The family scheduling module's public surface: the only file other modules may import. */
export { familyRoutes } from "./routes.js";
export type { FamilyAppointments, FamilySearchResult, FamilyTrip } from "./schema.js";
export { createFamily, type Family, type FamilyDeps } from "./service.js";
export {
  compareTrips,
  DEFAULT_MAX_GAP_MINUTES,
  findTrips,
  fitsOneTrip,
  type MemberOption,
  type Trip,
  type TripRules,
} from "./trips.js";
