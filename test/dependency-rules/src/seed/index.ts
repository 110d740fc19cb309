// allowed: the seed writes every module's tables, so it imports their repository files
import type { PatientTables } from "../services/patients/repository.js";

export type SeedTables = PatientTables;
export const seedNetwork = () => "seeded";
