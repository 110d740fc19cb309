// allowed: a composition root imports anything
import { auditService } from "./platform/audit/index.js";
import type { AuditTables } from "./platform/audit/repository.js";
import { notifications } from "./services/notifications/index.js";
import { appointmentTypeCatalog } from "./services/scheduling/index.js";

export type Tables = AuditTables;
export const wired = { auditService, notifications, appointmentTypeCatalog };
