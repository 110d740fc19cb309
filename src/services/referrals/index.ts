/** The referrals module's public surface: the only file other modules may import. */
export { referralRoutes } from "./routes.js";
export type { Referral, ReferralStatus, Urgency } from "./schema.js";
export { referralStatuses, urgencies } from "./schema.js";
export {
  bookingPathOf,
  createReferrals,
  type ReferralDeps,
  type Referrals,
  referralOrigins,
  referralScopeFacts,
} from "./service.js";
