/** Runs the booked-price recorder's passes as events arrive: never two at once, none missed. */
import type { FastifyBaseLogger } from "fastify";
import type { PricingService } from "./service.js";

export function createPriceRecorder(pricing: Pick<PricingService, "recordBooked">, log?: FastifyBaseLogger) {
  let running: Promise<void> | undefined;
  let again = false;
  const run = async (): Promise<void> => {
    do {
      again = false;
      await pricing.recordBooked().catch(failed);
    } while (again);
  };
  const failed = (err: unknown) => {
    log?.error({ err }, "recording booked copays failed");
    return 0;
  };
  return {
    /** Events arrived: run a pass now, or once more after the one running. */
    wake(): void {
      if (running) {
        again = true;
        return;
      }
      running = run().finally(() => {
        running = undefined;
      });
    },
    async stop(): Promise<void> {
      again = false;
      await running;
    },
  };
}
