/** The FHIR R4 endpoint's public surface: the composition root registers its routes. */
export type { FhirDeps } from "./context.js";
export { fhirRoutes } from "./routes.js";
