export { actorOf, installAuthentication, requestInfo } from "./plugin.js";
export { identityRoutes } from "./routes.js";
export {
  auditContextOf,
  createIdentityService,
  type IdentityService,
  identityScopeFacts,
  type ScopeSources,
} from "./service.js";
