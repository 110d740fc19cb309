// breach: the platform imports a service
import type { Patient } from "../services/patients/index.js";

export type Executor = { patient?: Patient };
