export { auditRoutes } from "./routes.js";
export { type AuditContext, type AuditEventInput, auditService, type VerifyResult } from "./service.js";
export { type AuditTrail, openAuditTrail } from "./trail.js";
