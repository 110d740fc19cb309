/** The patients module's public surface: the only file other modules may import. */
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

export {
  createPatients,
  type LocationsKnown,
  type PatientDeps,
  type Patients,
  patientScopeFacts,
  patientService,
} from "./service.js";
