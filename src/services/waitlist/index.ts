/** The waitlist module's public surface: the only file other modules may import. */
import type { FastifyBaseLogger } from "fastify";
import type { Executor } from "../../platform/db.js";
import type { ServiceDeps } from "../../platform/module.js";
import type { Scheduling } from "../scheduling/index.js";
import { createFiller } from "./filler.js";
import { waitlistRepository } from "./repository.js";
import { waitlistRoutes } from "./routes.js";
import { createWaitlistService, type WaitlistDeps } from "./service.js";

export { type FreedSlot, freedBy, type OfferMade } from "./filler.js";
export { type Candidate, compareCandidates, fits, rankCandidates, timeOfDay } from "./ranking.js";

import type { Urgency } from "./schema.js";

export type { Entry, Offer, OfferLink, Stats, Urgency } from "./schema.js";
export { WAITLIST_ACTOR } from "./service.js";
export { waitlistRoutes };

/**
 * Who is still waiting for a specialty (for capacity planning's demand, inside the caller's
 * transaction): entries naming the specialty or one of `physicianIds` whose window ends after
 * `after`, oldest first.
 */
export async function waitingForSpecialty(
  db: Executor,
  filter: { specialty: string; physicianIds: readonly string[]; after: Date },
): Promise<Array<{ patientId: string; appointmentTypeId: string; locationIds: string[]; urgency: Urgency }>> {
  return (await waitlistRepository.waitingForSpecialty(db, filter)).map((r) => ({
    patientId: r.patient_id,
    appointmentTypeId: r.appointment_type_id,
    locationIds: r.location_ids,
    urgency: r.urgency as Urgency,
  }));
}

/**
 * Waitlist fill per location (for the efficiency report, inside the caller's transaction): offers
 * made in [from, to) that were accepted, and the median hours from the slot freeing to acceptance.
 */
export function waitlistFills(
  db: Executor,
  filter: { locationIds?: readonly string[] | undefined; from: Date; to: Date },
): Promise<Array<{ locationId: string; filled: number; medianHours: number | null }>> {
  return waitlistRepository.fillsByLocation(db, filter);
}

/** Offers last this long unless the composition root says otherwise. */
export const DEFAULT_OFFER_MINUTES = 120;

export interface WaitlistModuleDeps extends ServiceDeps {
  appointments: Pick<Scheduling["appointments"], "book" | "releaseHold" | "searchAvailability" | "holdFor">;
  locations: WaitlistDeps["locations"];
  offerMinutes?: number;
  log?: FastifyBaseLogger;
}

/** The waitlist's operations and its filler (the job that offers freed slots). */
export function createWaitlist(deps: WaitlistModuleDeps) {
  const service = createWaitlistService(deps);
  const filler = createFiller({
    db: deps.db,
    clock: deps.clock,
    appointments: deps.appointments,
    waitlist: service,
    offerMinutes: deps.offerMinutes ?? DEFAULT_OFFER_MINUTES,
    log: deps.log,
  });
  return {
    service,
    filler,
    /** For the notification worker (wired by the composition root): a new link per offer message. */
    links: { issue: service.issueLink },
  };
}

export type Waitlist = ReturnType<typeof createWaitlist>;
