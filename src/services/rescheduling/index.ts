/** The rescheduling module's public surface: the only file other modules may import. */
import type { FastifyBaseLogger } from "fastify";
import type { Offers } from "./offers.js";

export { createOffers, type OfferDeps, type Offers, offerExpiry, RESCHEDULING_ACTOR } from "./offers.js";
export { reschedulingRoutes } from "./routes.js";
export type { AffectedAppointment, Handover, RescheduleOffer, ReschedulePlan } from "./schema.js";
export { createRescheduling, type Rescheduling, type ReschedulingDeps } from "./service.js";

/**
 * Hands unanswered offers to their location's staff every `ms` (passes never overlap within a
 * process; across replicas each lapsed offer is taken by one, its row locked and skipped by the
 * others). Returns the stop.
 */
export function startOfferExpiry(offers: Offers, ms: number, log?: FastifyBaseLogger): () => Promise<void> {
  let running: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = offers
      .expireLapsed()
      .catch((err: unknown) => log?.error({ err }, "expiring reschedule offers failed"))
      .finally(() => {
        running = undefined;
      });
  }, ms);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
