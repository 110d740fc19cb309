/** The patients module's public surface: the only file other modules may import. */
import { patientService as service } from "./service.js";

export { patientRoutes } from "./routes.js";
export type {
  Address,
  Family,
  FamilyLink,
  Home,
  Insurance,
  Patient,
  Relationship,
  Relative,
} from "./schema.js";
export { accessibilityNeeds, relationships, sexes } from "./schema.js";

/** What other modules may ask about a patient; every function takes the db or transaction first. */
export const patientService = {
  get: service.get,
  dependentsOf: service.dependentsOf,
  homeOf: service.homeOf,
};

/** What the patients module knows about patient scope: where each patient registered. */
export const patientScopeFacts = {
  registeredAt: service.registeredAt,
  registeredIds: service.registeredIds,
};
