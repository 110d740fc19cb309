/**
 * Billing: each location's billing identity and the export of completed visits as claims, in
 * batches, as X12 837P (`x12.ts`) and FHIR R4 Claim resources (`fhir-claims.ts`), with the charge
 * builder (`coding.ts`) and the routes. The only file other modules may import.
 */
export { type Claim, PLACEHOLDER_DIAGNOSIS, payerOf, SELF_PAY } from "./claims.js";
export {
  type BillingIdentity,
  type Charge,
  chargeOf,
  dollars,
  modifiersOf,
  npiCheckDigit,
  npiIsValid,
  placeOfServiceOf,
  TELEHEALTH_MODIFIER,
} from "./coding.js";
export { claimBundle, toFhirClaim } from "./fhir-claims.js";
export { billingRoutes } from "./routes.js";
export { type Batch, type BatchRequest, type BillingFormat, batchRequest, billingFormats } from "./schema.js";
export {
  BILLING_CLI_USER,
  type Billing,
  type BillingDeps,
  commandLineActor,
  createBilling,
  type FeeSchedule,
} from "./service.js";
export { segment, write837p, X12_VERSION, x12Text } from "./x12.js";
