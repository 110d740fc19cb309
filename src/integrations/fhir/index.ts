/** The FHIR R4 endpoint's public surface: the composition root registers its routes. */
export { fhirClientRoutes } from "./clients/routes.js";
export { createFhirClients, type FhirClients } from "./clients/service.js";
export type { FhirDeps } from "./context.js";
export { fhirRoutes } from "./routes.js";
export { createSlotIds } from "./slot-ids.js";
