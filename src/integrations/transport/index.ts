/**
 * Patient transport: rides to appointments sent to the transport service (the configured FHIR
 * base, or the built-in simulator) as a ServiceRequest with its Task, moved and cancelled with
 * the appointment, with status back. The only file other modules may import.
 */
import type { FastifyBaseLogger } from "fastify";
import { createLoop } from "../../platform/background.js";
import type { ServiceDeps } from "../../platform/module.js";
import { createTransportService } from "./client.js";
import { createTransportSender } from "./sender.js";
import { createTransport } from "./service.js";
import { startTransportSimulator, type TransportSimulator } from "./simulator.js";

export { rideTransaction, statusOfRideTask } from "./fhir.js";
export { pickupTime } from "./pickup.js";
export { transportRoutes } from "./routes.js";
export type { Ride, RideStatus } from "./schema.js";
export { startTransportSimulator, type TransportSimulator } from "./simulator.js";

export interface TransportRuntimeDeps extends ServiceDeps {
  config: {
    fhirUrl: string | undefined;
    token: string | undefined;
    timeoutMs: number;
    pollSeconds: number;
    marginMinutes: number;
  };
  log: FastifyBaseLogger;
  now?: () => Date;
  /** The regions whose rides the service may be sent (ROUNDS_TRANSPORT_REGIONS); undefined: every region. */
  regions?: readonly string[] | undefined;
}

export async function createTransportRuntime(deps: TransportRuntimeDeps) {
  const simulator: TransportSimulator | undefined = deps.config.fhirUrl
    ? undefined
    : await startTransportSimulator({ stepMs: 120_000 });
  const service = createTransportService({
    baseUrl: deps.config.fhirUrl ?? simulator!.url,
    token: simulator?.token ?? deps.config.token,
    timeoutMs: deps.config.timeoutMs,
  });
  const sender = createTransportSender({
    db: deps.db,
    service,
    now: deps.now ?? (() => deps.clock.now()),
    pollMs: deps.config.pollSeconds * 1000,
    marginMinutes: deps.config.marginMinutes,
    log: deps.log,
    regions: deps.regions,
  });
  const loop = createLoop(
    "transport",
    sender.pass,
    Math.max(1000, Math.min(30_000, deps.config.pollSeconds * 1000)),
    deps.log,
  );
  const operations = createTransport({
    ...deps,
    marginMinutes: deps.config.marginMinutes,
    wake: () => loop.wake(),
  });
  return {
    operations,
    simulator,
    loop,
    async stop(): Promise<void> {
      await loop.stop();
      await simulator?.close();
    },
  };
}
export type TransportRuntime = Awaited<ReturnType<typeof createTransportRuntime>>;
