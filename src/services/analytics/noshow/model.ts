/**
 * The no-show model: logistic regression (ml-logistic-regression) over the standardised features,
 * trained and honestly evaluated — on visits later than every visit it learned from, beside a
 * baseline that knows only the lead time. Pure apart from the arithmetic.
 */
import { columnNames, type FeatureSpec, learnFeatures, type Visit, vectorOf } from "./features.js";
import { type Fit, fitHere } from "./fit.js";
import { auc, brier, type CalibrationBin, calibration } from "./metrics.js";

/** A trained model as stored: how to make its input, and its weights (the intercept first). */
export interface NoShowModel {
  spec: FeatureSpec;
  weights: number[];
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/**
 * Trains on visits with a known outcome; `only` limits the features (the baseline). The weights
 * are fitted by `fit` (in this thread unless told otherwise).
 */
export async function train(
  visits: readonly Visit[],
  opts: { only?: readonly string[]; fit?: Fit; signal?: AbortSignal } = {},
): Promise<NoShowModel> {
  const spec = learnFeatures(visits, opts.only);
  const positives = visits.filter((v) => v.noShow).length;
  if (positives === 0 || positives === visits.length) {
    // one outcome only: the constant model that predicts it (the library needs two classes)
    const rate = Math.min(Math.max(positives / Math.max(visits.length, 1), 1e-3), 1 - 1e-3);
    return { spec, weights: [Math.log(rate / (1 - rate)), ...columnNames(spec).map(() => 0)] };
  }
  const rows = visits.map((v) => [1, ...vectorOf(spec, v)]);
  const fitWeights = opts.fit ?? fitHere;
  return {
    spec,
    weights: await fitWeights(
      rows,
      visits.map((v) => (v.noShow ? 1 : 0)),
      opts.signal,
    ),
  };
}

/** The model's probability that the patient does not come. */
export function predict(model: NoShowModel, v: Visit): number {
  const x = vectorOf(model.spec, v);
  let z = model.weights[0] ?? 0;
  for (let i = 0; i < x.length; i++) z += (model.weights[i + 1] ?? 0) * x[i]!;
  return sigmoid(z);
}

/** The model's weights by feature name, for people reading the evaluation. */
export function coefficients(model: NoShowModel): Record<string, number> {
  const names = ["intercept", ...columnNames(model.spec)];
  return Object.fromEntries(names.map((n, i) => [n, model.weights[i] ?? 0]));
}

/**
 * How visits are held out: `time` (the default and the honest one) trains on the earliest and
 * tests on the latest, by start and then by booking time; `shuffled` holds out a fixed pseudo-random
 * 30 % instead, for comparison on a source whose latest visits are unlike the rest.
 */
export type SplitBy = "time" | "shuffled";

/** A visit's place in time: its start and when it was booked. */
export interface Moment {
  start: string;
  bookedAt: string;
}

const momentOf = (v: Visit | undefined): Moment | null =>
  v ? { start: v.start.toISOString(), bookedAt: v.bookedAt.toISOString() } : null;

export interface Evaluation {
  rows: number;
  noShowRate: number;
  trainRows: number;
  testRows: number;
  /** How the visits were split in time (the last training visit and the first test visit). */
  split: { by: SplitBy; lastTrained: Moment | null; firstTested: Moment | null };
  auc: number | null;
  brier: number | null;
  baselineAuc: number | null;
  baselineBrier: number | null;
  /** Deciles of predicted risk on the test visits: predicted against observed. */
  calibration: CalibrationBin[];
  features: string[];
}

/** Share of the visits (the earliest ones) the evaluation trains on; the rest are held out. */
export const TRAIN_SHARE = 0.7;

/** Earlier first: by start, then by the time of booking (a source with one visit day splits by booking). */
export function inTimeOrder(visits: readonly Visit[]): Visit[] {
  return [...visits].sort(
    (a, b) => a.start.getTime() - b.start.getTime() || a.bookedAt.getTime() - b.bookedAt.getTime(),
  );
}

/** A fixed pseudo-random order (mulberry32 from one seed), so a shuffled evaluation repeats exactly. */
function shuffled<T>(items: readonly T[]): T[] {
  let state = 0x5eed;
  const next = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * Trains on the earliest 70 % and measures on the rest: AUC and Brier of the model and of the
 * lead-time baseline, and the model's calibration by decile.
 */
export async function evaluate(
  visits: readonly Visit[],
  opts: { by?: SplitBy; fit?: Fit; signal?: AbortSignal } = {},
): Promise<Evaluation> {
  const by = opts.by ?? "time";
  const known = inTimeOrder(visits.filter((v) => v.noShow !== undefined));
  const ordered = by === "time" ? known : shuffled(known);
  const cut = Math.floor(ordered.length * TRAIN_SHARE);
  const trainSet = ordered.slice(0, cut);
  const testSet = ordered.slice(cut);
  const outcomes = testSet.map((v) => Boolean(v.noShow));
  const model = await train(trainSet, { fit: opts.fit, signal: opts.signal });
  const baseline = await train(trainSet, { only: ["leadDays"], fit: opts.fit, signal: opts.signal });
  const p = testSet.map((v) => predict(model, v));
  const pBase = testSet.map((v) => predict(baseline, v));
  return {
    rows: ordered.length,
    noShowRate: ordered.length ? ordered.filter((v) => v.noShow).length / ordered.length : 0,
    trainRows: trainSet.length,
    testRows: testSet.length,
    split: {
      by,
      lastTrained: by === "time" ? momentOf(trainSet.at(-1)) : null,
      firstTested: by === "time" ? momentOf(testSet[0]) : null,
    },
    auc: auc(p, outcomes),
    brier: brier(p, outcomes),
    baselineAuc: auc(pBase, outcomes),
    baselineBrier: brier(pBase, outcomes),
    calibration: calibration(p, outcomes),
    features: columnNames(model.spec),
  };
}
