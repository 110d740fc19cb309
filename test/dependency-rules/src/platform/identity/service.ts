// breach: identity reaches into the audit part's repository instead of asking its service
import type { AuditTables } from "../audit/repository.js";

export type Trail = AuditTables;
export const identityService = { name: "identity" };
