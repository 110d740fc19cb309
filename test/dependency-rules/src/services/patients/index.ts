// breach: the public surface hands out the patients module's table types
export type { PatientTables } from "./repository.js";

export type Patient = { id: string };
