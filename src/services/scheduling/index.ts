/** The scheduling module's public surface: the only file other modules may import. */

import { registerCareRelations } from "../../platform/access.js";
import type { App } from "../../platform/http.js";
import type { ModuleDeps } from "../../platform/module.js";
import { appointmentRepository } from "./appointments.repository.js";
import { appointmentRoutes } from "./appointments.routes.js";
import { catalogRoutes } from "./catalog.routes.js";
import { scheduleRoutes } from "./schedule.routes.js";

export type { AppointmentTables } from "./appointments.repository.js";
export type { Appointment } from "./appointments.schema.js";
export { forgetFacilities, searchOptions } from "./availability.service.js";
export type { CatalogTables } from "./catalog.repository.js";
export type { AppointmentType } from "./catalog.schema.js";
export { roomKinds as appointmentRoomKinds, visitKinds } from "./catalog.schema.js";
export { appointmentTypeCatalog } from "./catalog.service.js";

export function schedulingRoutes(app: App, deps: ModuleDeps): void {
  catalogRoutes(app, deps);
  appointmentRoutes(app, deps);
  scheduleRoutes(app, deps);
}

/** Teaches the access rules who has seen whom, and where: only appointments know that. */
export function registerSchedulingCareRelations(): void {
  registerCareRelations({
    physicianHasSeen: appointmentRepository.physicianHasSeen,
    patientHasAppointmentAt: appointmentRepository.patientHasAppointmentAt,
    patientIdsFor: appointmentRepository.patientIdsFor,
  });
}
