/**
 * HL7 v2 over MLLP: SIU messages to the EMR from a durable outbox (`outbound.ts`), the inbound
 * listener for ADT and ORU (`listener.ts`, `inbound.ts`), and the admin and lab-result routes.
 * The only file other modules may import.
 */
import type { FastifyBaseLogger } from "fastify";
import type { Hl7Config } from "../../platform/config.js";
import type { ServiceDeps } from "../../platform/module.js";
import type { Patients } from "../../services/patients/index.js";
import { type Listener, startListener } from "./listener.js";
import { loadTls } from "./mllp.js";
import { SiuSender } from "./outbound.js";
import { createHl7 } from "./service.js";

export { acknowledgementsFor } from "./acks.js";
export { startListener } from "./listener.js";
export { SiuSender } from "./outbound.js";
export { hl7Routes } from "./routes.js";
export type { LabResult, OutboundMessage } from "./schema.js";
export { HL7_INTERFACE_USER } from "./service.js";
export { buildSiu, triggerFor } from "./siu.js";

export interface Hl7RuntimeDeps extends ServiceDeps {
  patients: Patients;
  /** `regions`: those whose appointments the targets may be told of (ROUNDS_HL7_REGIONS); undefined: every region. */
  config: Hl7Config & { regions?: readonly string[] | undefined };
  log: FastifyBaseLogger;
  /** The sender's clock (tests move it); the service clock's by default. */
  now?: () => Date;
  pollMs?: number;
  /** Where the listener binds (all interfaces by default, as MLLP peers are other hosts). */
  listenHost?: string;
}

/** The HL7 adapter of one process: its operations, the SIU sender and the inbound listener. */
export function createHl7Runtime(deps: Hl7RuntimeDeps) {
  const log = deps.log.child({ module: "hl7" });
  const service = createHl7({ ...deps, log });
  const tls = loadTls(deps.config.tls);
  const sender = new SiuSender({
    db: deps.db,
    targets: deps.config.targets,
    regions: deps.config.regions,
    tls: tls.client,
    now: deps.now ?? (() => deps.clock.now()),
    log,
    pollMs: deps.pollMs ?? 1000,
  });
  let listener: Listener | undefined;
  return {
    service,
    sender,
    /** The listener's port once started (undefined: off). */
    get listenPort(): number | undefined {
      return listener?.port;
    },
    /**
     * Starts the sender (when there are targets and this process does background work) and the
     * listener (when a port is configured).
     */
    async start({ sender: send }: { sender: boolean }): Promise<void> {
      if (send && deps.config.targets.length) await sender.start();
      if (deps.config.listenPort !== undefined)
        listener = await startListener(
          deps.config.listenPort,
          service.receive,
          log,
          deps.listenHost,
          tls.server,
        );
    },
    wake: () => sender.wake(),
    async stop(): Promise<void> {
      await sender.stop();
      await listener?.close();
    },
  };
}
export type Hl7Runtime = ReturnType<typeof createHl7Runtime>;
