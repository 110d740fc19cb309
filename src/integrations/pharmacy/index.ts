/**
 * Pharmacy: prescriptions made during a visit, sent to the pharmacy network (the configured FHIR
 * base, or the built-in simulator) as MedicationRequests, with status back. The only file other
 * modules may import.
 */
import type { FastifyBaseLogger } from "fastify";
import { createLoop } from "../../platform/background.js";
import type { ServiceDeps } from "../../platform/module.js";
import { createPharmacyNetwork } from "./client.js";
import { createPharmacySender } from "./sender.js";
import { createPharmacy } from "./service.js";
import { type PharmacySimulator, startPharmacySimulator } from "./simulator.js";

export { medicationRequestOf, statusOfTask } from "./fhir.js";
export { pharmacyRoutes } from "./routes.js";
export type { Prescription, PrescriptionStatus } from "./schema.js";
export { MEDICATIONS } from "./schema.js";
export type { PharmacyService } from "./service.js";
export { DEMO_PHARMACIES, type PharmacySimulator, startPharmacySimulator } from "./simulator.js";

export interface PharmacyRuntimeDeps extends ServiceDeps {
  config: { fhirUrl: string | undefined; token: string | undefined; timeoutMs: number; pollSeconds: number };
  log: FastifyBaseLogger;
  now?: () => Date;
  /** The regions whose prescriptions the network may be sent (ROUNDS_PHARMACY_REGIONS); undefined: every region. */
  regions?: readonly string[] | undefined;
}

/** The pharmacy adapter of one process: its operations, the sender loop, and the simulator when unconfigured. */
export async function createPharmacyRuntime(deps: PharmacyRuntimeDeps) {
  const simulator: PharmacySimulator | undefined = deps.config.fhirUrl
    ? undefined
    : await startPharmacySimulator({ stepMs: 60_000 });
  const network = createPharmacyNetwork({
    baseUrl: deps.config.fhirUrl ?? simulator!.url,
    token: simulator?.token ?? deps.config.token,
    timeoutMs: deps.config.timeoutMs,
  });
  const sender = createPharmacySender({
    db: deps.db,
    network,
    now: deps.now ?? (() => deps.clock.now()),
    pollMs: deps.config.pollSeconds * 1000,
    log: deps.log,
    regions: deps.regions,
  });
  const loop = createLoop(
    "pharmacy",
    sender.pass,
    Math.max(1000, Math.min(30_000, deps.config.pollSeconds * 1000)),
    deps.log,
  );
  const service = createPharmacy({ ...deps, network, wake: () => loop.wake() });
  return {
    service,
    simulator,
    loop,
    async stop(): Promise<void> {
      await loop.stop();
      await simulator?.close();
    },
  };
}
export type PharmacyRuntime = Awaited<ReturnType<typeof createPharmacyRuntime>>;
