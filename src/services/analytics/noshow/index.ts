/** The no-show model's pure core: features, training, metrics, CSV input. */
import { CsvLayoutError, columnMapping, visitsFromCsv } from "./csv.js";
import { type Evaluation, evaluate, type SplitBy } from "./model.js";

export {
  CsvLayoutError,
  columnMapping,
  MEDICAL_APPOINTMENT_NO_SHOWS,
  parseCsv,
  visitsFromCsv,
} from "./csv.js";
export { AGE_BANDS, ageBand, type FeatureSpec, leadDays, type Visit } from "./features.js";
export { type Fit, fitHere, fitInWorker } from "./fit.js";
export { auc, brier, type CalibrationBin, calibration } from "./metrics.js";
export {
  coefficients,
  type Evaluation,
  evaluate,
  inTimeOrder,
  type NoShowModel,
  predict,
  type SplitBy,
  train,
} from "./model.js";

/** `rounds noshow evaluate`: a CSV (and optionally a column mapping) in, the evaluation out. */
export async function evaluateCsv(
  text: string,
  mapping?: unknown,
  split: SplitBy = "time",
): Promise<Evaluation & { skipped: number }> {
  let layout: ReturnType<typeof columnMapping.parse> | undefined;
  if (mapping !== undefined) {
    const parsed = columnMapping.safeParse(mapping);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new CsvLayoutError(
        `the column mapping is not valid at ${issue?.path.join(".") || "its top"}: ${issue?.message}`,
      );
    }
    layout = parsed.data;
  }
  const { visits, skipped } = visitsFromCsv(text, layout);
  if (visits.length < 10)
    throw new CsvLayoutError(`only ${visits.length} readable rows: too few to evaluate`);
  return { ...(await evaluate(visits, { by: split })), skipped };
}
