/** The waitlist module's public surface: the only file other modules may import. */
import type { FastifyBaseLogger } from "fastify";
import type { ServiceDeps } from "../../platform/module.js";
import type { Scheduling } from "../scheduling/index.js";
import { createFiller, type OfferMade } from "./filler.js";
import { waitlistRoutes } from "./routes.js";
import { createWaitlistService, type WaitlistDeps } from "./service.js";

export { type FreedSlot, freedBy, type OfferMade } from "./filler.js";
export { type Candidate, compareCandidates, fits, rankCandidates, timeOfDay } from "./ranking.js";
export type { Entry, Offer, Stats, Urgency } from "./schema.js";
export { WAITLIST_ACTOR } from "./service.js";
export { waitlistRoutes };

/** Offers last this long unless the composition root says otherwise. */
export const DEFAULT_OFFER_MINUTES = 120;

export interface WaitlistModuleDeps extends ServiceDeps {
  appointments: Pick<Scheduling["appointments"], "book" | "releaseHold" | "searchAvailability" | "holdFor">;
  locations: WaitlistDeps["locations"];
  offerMinutes?: number;
  onOffer?: (made: OfferMade) => Promise<void>;
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
    onOffer: deps.onOffer,
    log: deps.log,
  });
  return { service, filler };
}

export type Waitlist = ReturnType<typeof createWaitlist>;
