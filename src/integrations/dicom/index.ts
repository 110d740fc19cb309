/**
 * DICOM Modality Worklist: a C-FIND SCP (with MPPS) for the imaging appointments, answering to the
 * network's AE title and each location's (`scp.ts`, `directory.ts`, `entries.ts`, `mpps.ts`), and
 * the staff and administrator routes. The only file other modules may import.
 */
import type { FastifyBaseLogger } from "fastify";
import type { DicomConfig } from "../../platform/config.js";
import type { ServiceDeps } from "../../platform/module.js";
import type { Appointments } from "../../services/scheduling/index.js";
import { admit } from "./directory.js";
import { createMpps } from "./mpps.js";
import { startWorklistServer, type WorklistServer } from "./scp.js";
import { createDicom } from "./service.js";

export { dicomRoutes } from "./routes.js";
export type { ImagingState, Modality } from "./schema.js";
export { modalities } from "./schema.js";
export { DICOM_MODALITY_USER } from "./service.js";
export { defaultLocationAeTitle, uuidToUid } from "./worklist.js";

export interface DicomRuntimeDeps extends ServiceDeps {
  config: DicomConfig;
  appointments: Appointments;
  log: FastifyBaseLogger;
}

/** The DICOM adapter of one process: its operations and, when a port is configured, the worklist server. */
export function createDicomRuntime(deps: DicomRuntimeDeps) {
  const log = deps.log.child({ module: "dicom" });
  let server: WorklistServer | undefined;
  const service = createDicom({ ...deps, port: () => server?.port });
  const mpps = createMpps({ db: deps.db, appointments: deps.appointments });
  return {
    service,
    /** The worklist's port once started (undefined: off). */
    get port(): number | undefined {
      return server?.port;
    },
    async start(): Promise<void> {
      if (deps.config.port === undefined) return;
      server = await startWorklistServer(
        deps.config.port,
        {
          admit: (calling, called, address) => admit(deps.db, deps.config.aeTitle, calling, called, address),
          find: service.find,
          create: mpps.create,
          set: mpps.set,
        },
        log,
      );
    },
    async stop(): Promise<void> {
      await server?.close();
      server = undefined;
    },
  };
}
export type DicomRuntime = ReturnType<typeof createDicomRuntime>;
