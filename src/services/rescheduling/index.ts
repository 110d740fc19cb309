/** The rescheduling module's public surface: the only file other modules may import. */
export { reschedulingRoutes } from "./routes.js";
export type { AffectedAppointment, Handover, ReschedulePlan } from "./schema.js";
export { createRescheduling, type Rescheduling, type ReschedulingDeps } from "./service.js";
