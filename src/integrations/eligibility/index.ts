/**
 * Insurance eligibility in real time (X12 005010X279A1 270/271): patients' coverage, each booked
 * appointment's check (queued from the booking events, retried with back-off by the worker, or
 * made now by staff), the payer client and the built-in payer simulator. The only file other
 * modules may import.
 */
import type { FastifyBaseLogger } from "fastify";
import type { EligibilityConfig } from "../../platform/config.js";
import type { ServiceDeps } from "../../platform/module.js";
import { createPayerClient } from "./payer.js";
import { createEligibility } from "./service.js";
import { type PayerSimulator, startPayerSimulator } from "./simulator.js";
import { EligibilityWorker } from "./worker.js";

export { MAX_ATTEMPTS } from "./checks.js";
export { eligibilityRoutes } from "./routes.js";
export type { Coverage, EligibilityDto } from "./schema.js";
export { serviceTypeFor } from "./service-types.js";
export { startPayerSimulator } from "./simulator.js";

export interface EligibilityRuntimeDeps extends ServiceDeps {
  config: EligibilityConfig;
  log: FastifyBaseLogger;
  /** The worker's clock (tests move it); the service clock's by default. */
  now?: () => Date;
  /** The regions whose checks the payer may be asked (ROUNDS_PAYER_REGIONS); undefined: every region. */
  regions?: readonly string[] | undefined;
}

/**
 * The adapter of one process: its operations and its worker, talking to ROUNDS_PAYER_URL or, when
 * unset, to the built-in simulator started here on a loopback port.
 */
export async function createEligibilityRuntime(deps: EligibilityRuntimeDeps) {
  const log = deps.log.child({ module: "eligibility" });
  const simulator: PayerSimulator | undefined = deps.config.payerUrl
    ? undefined
    : await startPayerSimulator();
  const payer = createPayerClient({
    url: deps.config.payerUrl ?? simulator!.url,
    timeoutMs: deps.config.timeoutMs,
    regions: deps.regions,
  });
  const leaseMs = deps.config.timeoutMs * 2 + 10_000;
  const service = createEligibility({ ...deps, payer, leaseMs });
  const worker = new EligibilityWorker({
    db: deps.db,
    payer,
    now: deps.now ?? (() => deps.clock.now()),
    log,
    leaseMs,
  });
  return {
    service,
    worker,
    /** Where inquiries go: "simulator" or the configured payer endpoint. */
    payerUrl: deps.config.payerUrl ?? simulator!.url,
    async stop(): Promise<void> {
      await worker.stop();
      await simulator?.close();
    },
  };
}
export type EligibilityRuntime = Awaited<ReturnType<typeof createEligibilityRuntime>>;
