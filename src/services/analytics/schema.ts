import { z } from "zod";
import { instant, uuid } from "../../platform/schemas.js";

/** The longest window of appointments one risk request covers. */
export const RISK_WINDOW_DAYS = 31;

export const riskQuery = z
  .object({
    locationId: uuid
      .optional()
      .describe("a location's appointments (staff of that location, administrators)"),
    physicianId: uuid.optional().describe("a physician's appointments (that physician, administrators)"),
    from: instant,
    to: instant,
  })
  .strict()
  .refine((q) => (q.locationId === undefined) !== (q.physicianId === undefined), {
    error: "name a location or a physician (one of them)",
    path: ["locationId"],
  })
  .refine((q) => Date.parse(q.to) > Date.parse(q.from), { error: "must be after from", path: ["to"] })
  .refine((q) => Date.parse(q.to) - Date.parse(q.from) <= RISK_WINDOW_DAYS * 86_400_000, {
    error: `at most ${RISK_WINDOW_DAYS} days after from`,
    path: ["to"],
  });
export type RiskQuery = z.infer<typeof riskQuery>;

export const riskLevels = ["low", "medium", "high"] as const;
export type RiskLevel = (typeof riskLevels)[number];

export const appointmentRisk = z.object({
  appointmentId: uuid,
  start: z.string(),
  probability: z.number().min(0).max(1).describe("the model's probability that the patient does not come"),
  level: z.enum(riskLevels),
});
export type AppointmentRisk = z.infer<typeof appointmentRisk>;

export const riskAnswer = z.object({
  model: z
    .object({ version: z.number().int(), trainedAt: z.string() })
    .nullable()
    .describe("null until a model has been trained (then the list is empty)"),
  items: z.array(appointmentRisk),
});
export type RiskAnswer = z.infer<typeof riskAnswer>;

const calibrationBin = z.object({ n: z.number().int(), predicted: z.number(), observed: z.number() });
const moment = z.object({ start: z.string(), bookedAt: z.string() }).nullable();

export const currentModel = z.object({
  version: z.number().int(),
  trainedAt: z.string(),
  trainedOn: z.number().int().describe("completed and missed appointments the model in use learned from"),
  evaluation: z.object({
    rows: z.number().int(),
    noShowRate: z.number(),
    trainRows: z.number().int(),
    testRows: z.number().int(),
    split: z.object({ by: z.enum(["time", "shuffled"]), lastTrained: moment, firstTested: moment }),
    auc: z.number().nullable(),
    brier: z.number().nullable(),
    baselineAuc: z.number().nullable().describe("lead time alone"),
    baselineBrier: z.number().nullable(),
    calibration: z.array(calibrationBin).describe("deciles of predicted risk on the held-out appointments"),
    features: z.array(z.string()),
  }),
  coefficients: z.record(z.string(), z.number()).describe("the weights of the standardised features"),
  thresholds: z.object({ medium: z.number(), high: z.number() }).describe("where the risk levels start"),
});
export type CurrentModel = z.infer<typeof currentModel>;

export const modelAnswer = z.object({
  model: currentModel.nullable().describe("null until the training job has trained one"),
});
export type ModelAnswer = z.infer<typeof modelAnswer>;
