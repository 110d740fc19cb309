export {
  type ChainWalk,
  chainHeads,
  eventProblem,
  headsHeld,
  type StoredAuditEvent,
  trailKey,
  walkChains,
} from "./chains.js";
export { auditRoutes } from "./routes.js";
export type { AuditEvent } from "./schema.js";
export {
  type Audit,
  type AuditContext,
  type AuditEventInput,
  auditService,
  createAudit,
  type VerifyResult,
} from "./service.js";
export { type AuditTrail, openAuditTrail } from "./trail.js";
export { type ChainBreak, type ChainCursor, verifyAfter, type WalkedEvent, type WalkResult } from "./walk.js";
