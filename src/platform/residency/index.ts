/** Data residency (migrations/0056): placement of each region's partitions, partners limited to regions, the report. */

export { auditWithheld, type PartnerRegions, type Withholding, withheldReason } from "./partners.js";
export { applyPlacement, type Move, type PlacementResult } from "./placement.js";
export { residencyRoutes } from "./routes.js";
export { DATA_KINDS, type ResidencyReport } from "./schema.js";
export { createResidency, type Residency } from "./service.js";
