// breach: physicians imports scheduling, which imports physicians (a circle, and against the layers)
import { appointmentTypeCatalog } from "../scheduling/index.js";

export type Physician = { id: string };
export const physicianService = { catalog: () => appointmentTypeCatalog };
