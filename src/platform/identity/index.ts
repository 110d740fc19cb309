export { type AccountLocks, accountLocks } from "./locks.js";
export { actorOf, type BearerAuthenticator, installAuthentication, requestInfo } from "./plugin.js";
export { identityRoutes } from "./routes.js";
export {
  auditContextOf,
  createIdentity,
  type IdentityDeps,
  type IdentityService,
  identityScopeFacts,
  type ScopeSources,
} from "./service.js";
