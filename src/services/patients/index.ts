/** The patients module's public surface: the only file other modules may import. */
import type { App } from "../../platform/http.js";
import type { ModuleDeps } from "../../platform/module.js";

export function patientRoutes(_app: App, _deps: ModuleDeps): void {}
