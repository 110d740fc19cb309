import type { BookingConfig } from "./config.js";
import type { Db } from "./db.js";

/** What every module's routes receive from the composition root. */
export interface ModuleDeps {
  db: Db;
  booking: BookingConfig;
}
