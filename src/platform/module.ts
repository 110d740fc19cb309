import type { Clock } from "./clock.js";
import type { BookingConfig } from "./config.js";
import type { Db } from "./db.js";
import type { Policies } from "./policy.js";

/** What every service factory receives from the composition root (`createX({ db, clock, policies, … })`). */
export interface ServiceDeps {
  db: Db;
  clock: Clock;
  policies: Policies;
}

/** What the routes of the modules not yet built from factories receive from the composition root. */
export interface ModuleDeps {
  db: Db;
  booking: BookingConfig;
}
