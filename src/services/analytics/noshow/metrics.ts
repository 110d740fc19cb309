/** How good a risk score is: ranking (AUC), accuracy of the probabilities (Brier), calibration. Pure. */

/**
 * The area under the ROC curve: the chance that a random no-show scores above a random attended
 * visit, ties counting half (Mann–Whitney U with average ranks). Null when either class is absent.
 */
export function auc(scores: readonly number[], outcomes: readonly boolean[]): number | null {
  const n = scores.length;
  const order = scores.map((s, i) => [s, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(n);
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && order[j + 1]![0] === order[i]![0]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]![1]] = rank;
    i = j + 1;
  }
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < n; i++) {
    if (outcomes[i]) {
      positives++;
      rankSum += ranks[i]!;
    }
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return null;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** The mean squared difference between the predicted probability and what happened (0 or 1). */
export function brier(probabilities: readonly number[], outcomes: readonly boolean[]): number | null {
  if (probabilities.length === 0) return null;
  let sum = 0;
  for (let i = 0; i < probabilities.length; i++) sum += (probabilities[i]! - (outcomes[i] ? 1 : 0)) ** 2;
  return sum / probabilities.length;
}

/** One group of visits of similar predicted risk: what was predicted on average and what happened. */
export interface CalibrationBin {
  n: number;
  predicted: number;
  observed: number;
}

/**
 * Visits sorted by predicted probability and cut into `bins` groups of (nearly) equal size —
 * deciles by default — each with its mean prediction and its observed no-show rate.
 */
export function calibration(
  probabilities: readonly number[],
  outcomes: readonly boolean[],
  bins = 10,
): CalibrationBin[] {
  const order = probabilities.map((p, i) => [p, outcomes[i] ? 1 : 0] as const).sort((a, b) => a[0] - b[0]);
  const groups = Math.min(bins, order.length);
  const out: CalibrationBin[] = [];
  for (let g = 0; g < groups; g++) {
    const from = Math.floor((g * order.length) / groups);
    const to = Math.floor(((g + 1) * order.length) / groups);
    const slice = order.slice(from, to);
    if (slice.length === 0) continue;
    out.push({
      n: slice.length,
      predicted: slice.reduce((s, [p]) => s + p, 0) / slice.length,
      observed: slice.reduce((s, [, y]) => s + y, 0) / slice.length,
    });
  }
  return out;
}
