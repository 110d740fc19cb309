/** The analytics module's public surface: the only file other modules may import. */
import type { FastifyBaseLogger } from "fastify";
import type { Fit } from "./noshow/index.js";
import { analyticsRoutes } from "./routes.js";
import { type AnalyticsDeps, createAnalyticsService } from "./service.js";
import { createTrainer } from "./trainer.js";

export * from "./capacity/index.js";
export * from "./noshow/index.js";
export * from "./pricing/index.js";
export {
  type CopaySource,
  createReports,
  type PlanSources,
  type ReportNames,
  type ReportSources,
  type Reports,
  reportRoutes,
  startPlanRefresh,
} from "./reports/index.js";
export type { AppointmentRisk, ModelAnswer, RiskAnswer, RiskLevel } from "./schema.js";
export { localWeekdayHour, RISK_THRESHOLDS, riskLevel, type VisitSource } from "./service.js";
export { RETRAIN_HOURS, type Trainer, type TrainingResult } from "./trainer.js";
export { analyticsRoutes };

export interface AnalyticsModuleDeps extends AnalyticsDeps {
  /** How the trainer fits weights: a worker thread unless told otherwise. */
  fit?: Fit;
  log?: FastifyBaseLogger;
}

/** The analytics operations and the no-show model's training job. */
export function createAnalytics(deps: AnalyticsModuleDeps) {
  return {
    service: createAnalyticsService(deps),
    trainer: createTrainer(deps),
  };
}

export type Analytics = ReturnType<typeof createAnalytics>;
