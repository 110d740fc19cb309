import { auditService } from "../../platform/audit/index.js";
// breach: scheduling reaches into the audit part's inner file
import type { AuditTables } from "../../platform/audit/repository.js";
// breach: scheduling imports a composition root
import { seedNetwork } from "../../seed/index.js";
// breach: scheduling reaches into patients' inner file instead of its index.ts
import type { PatientTables } from "../patients/repository.js";
import { physicianService } from "../physicians/index.js";

export type Reach = [AuditTables, PatientTables];
export const appointmentTypeCatalog = { auditService, physicianService, seedNetwork };
