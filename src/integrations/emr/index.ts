/** Records from the EMR: the public surface the composition root wires. */
export { createEmrClient, type EmrClient, type EmrRecord } from "./client.js";
export { recordsRoutes } from "./routes.js";
export type { LabResult, PatientRecords } from "./schema.js";
export { createRecords, type LocalLabResults, type Records } from "./service.js";
export { type EmrSimulator, type SeedPatient, simulatedRecord, startEmrSimulator } from "./simulator.js";
export { seedPatients } from "./simulator-seed.js";
