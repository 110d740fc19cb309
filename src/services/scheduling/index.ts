/** The scheduling module's public surface: the only file other modules may import. */

import type { Executor } from "../../platform/db.js";
import type { App } from "../../platform/http.js";
import type { ModuleDeps } from "../../platform/module.js";

export function schedulingRoutes(_app: App, _deps: ModuleDeps): void {}

export const appointmentTypeCatalog = {
  /** The subset of `ids` that name existing appointment types. */
  async existing(_db: Executor, ids: string[]): Promise<string[]> {
    return ids;
  },
};
