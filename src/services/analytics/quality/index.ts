/** Quality (satisfaction surveys) and compliance monitoring: the analytics reports of both. */
import { type Compliance, type ComplianceDeps, createCompliance } from "./compliance.js";
import { qualityRoutes } from "./routes.js";
import { createSurveys, type SurveyDeps, type Surveys } from "./surveys.js";

export {
  COMPLIANCE_CHECK_MINUTES,
  type Compliance,
  MONITORING_PATH,
  startComplianceWatch,
} from "./compliance.js";
export {
  type AlertDigest,
  type AlertDraft,
  alertDigest,
  alertRecipients,
  alertsFor,
  locationChainStatus,
  type RatingSummary,
  summarize,
  type Thresholds,
  tallyEvents,
} from "./rules.js";
export type { ComplianceOverview, SurveyLink, SurveyResults } from "./schema.js";
export { SURVEY_DAYS, type Surveys } from "./surveys.js";
export { qualityRoutes };

export type QualityDeps = SurveyDeps & Omit<ComplianceDeps, keyof SurveyDeps>;

export function createQuality(deps: QualityDeps): { surveys: Surveys; compliance: Compliance } {
  return { surveys: createSurveys(deps), compliance: createCompliance(deps) };
}
