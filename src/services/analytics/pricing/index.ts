/** Demand-based copays: the analytics module wires these through its own index. */
export {
  type Price,
  type PriceCap,
  type PriceInput,
  type PricingRule,
  priceOf,
  ruleApplies,
} from "./price.js";
export { type CopayReads, copayReads } from "./reads.js";
export { createPriceRecorder } from "./recorder.js";
export { pricingRoutes } from "./routes.js";
export {
  createPricingService,
  localMoment,
  PRICING_ACTOR,
  type PricingDeps,
  type PricingService,
  SELF_PAY,
  URGENT_CARE_SPECIALTIES,
} from "./service.js";
