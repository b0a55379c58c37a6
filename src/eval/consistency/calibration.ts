/** Summary of one score distribution. */
export interface DistributionSummary {
  count: number;
  mean: number;
  std: number;
  min: number;
  median: number;
  max: number;
}

export interface Calibration {
  /** Flag a pair as a mismatch when its score is below this. */
  threshold: number;
  /** (TPR + TNR) / 2 at the threshold: matched kept, shuffled flagged. */
  balancedAccuracy: number;
  truePositiveRate: number;
  trueNegativeRate: number;
  /** Where the miss rate and the false-accept rate meet. */
  equalError: { threshold: number; rate: number };
  /** Probability a matched pair outscores a shuffled one (ROC AUC; ties count half). */
  auc: number;
  matched: DistributionSummary;
  shuffled: DistributionSummary;
  /** Shared-bin histograms of both distributions, for reports. */
  histogram: { edges: number[]; matched: number[]; shuffled: number[] };
  method: string;
}

function sortedCopy(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/** Number of sorted values strictly below x. */
function countBelow(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Number of sorted values at most x. */
function countAtMost(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function summarise(values: readonly number[]): DistributionSummary {
  const s = sortedCopy(values);
  const n = s.length;
  if (n === 0) return { count: 0, mean: Number.NaN, std: Number.NaN, min: Number.NaN, median: Number.NaN, max: Number.NaN };
  const mean = s.reduce((a, b) => a + b, 0) / n;
  const std = Math.sqrt(s.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
  const median = n % 2 ? s[n >> 1] : (s[(n >> 1) - 1] + s[n >> 1]) / 2;
  return { count: n, mean, std, min: s[0], median, max: s[n - 1] };
}

/** ROC AUC by the Mann–Whitney U statistic: P(positive > negative) + ½ P(tie). */
export function rocAuc(positives: readonly number[], negatives: readonly number[]): number {
  if (positives.length === 0 || negatives.length === 0) return Number.NaN;
  const neg = sortedCopy(negatives);
  let u = 0;
  for (const p of positives) {
    const below = countBelow(neg, p);
    const ties = countAtMost(neg, p) - below;
    u += below + ties / 2;
  }
  return u / (positives.length * negatives.length);
}

/**
 * Chooses the mismatch threshold from scores of matched pairs and of shuffled (deranged) pairs: the threshold
 * that maximises balanced accuracy, placed midway between adjacent observed scores; also reports the
 * equal-error point and the AUC. A pair "passes" when its score ≥ threshold.
 */
export function calibrateThreshold(matched: readonly number[], shuffled: readonly number[], bins = 20): Calibration {
  if (matched.length === 0 || shuffled.length === 0) throw new RangeError('calibration needs matched and shuffled scores');
  const pos = sortedCopy(matched);
  const neg = sortedCopy(shuffled);
  const unique = [...new Set([...pos, ...neg])].sort((a, b) => a - b);
  const candidates = [unique[0]];
  for (let j = 1; j < unique.length; j += 1) candidates.push((unique[j - 1] + unique[j]) / 2);
  candidates.push(Number.POSITIVE_INFINITY);
  let best = { t: candidates[0], ba: -1, tpr: 0, tnr: 0 };
  let eer = { t: candidates[0], gap: Number.POSITIVE_INFINITY, rate: 1 };
  for (const t of candidates) {
    const tpr = 1 - countBelow(pos, t) / pos.length;
    const tnr = countBelow(neg, t) / neg.length;
    const ba = (tpr + tnr) / 2;
    if (ba > best.ba) best = { t, ba, tpr, tnr };
    const fnr = 1 - tpr;
    const fpr = 1 - tnr;
    if (Math.abs(fnr - fpr) < eer.gap) eer = { t, gap: Math.abs(fnr - fpr), rate: (fnr + fpr) / 2 };
  }
  // A degenerate distribution (all scores equal) still gets a unit-wide axis around its value.
  const lo = unique.length > 1 ? unique[0] : unique[0] - 0.5;
  const hi = unique.length > 1 ? unique[unique.length - 1] : unique[0] + 0.5;
  const width = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, k) => lo + k * width);
  const hist = (values: readonly number[]) => {
    const counts = new Array<number>(bins).fill(0);
    for (const v of values) counts[Math.min(bins - 1, Math.floor((v - lo) / width))] += 1;
    return counts;
  };
  return {
    threshold: best.t,
    balancedAccuracy: best.ba,
    truePositiveRate: best.tpr,
    trueNegativeRate: best.tnr,
    equalError: { threshold: eer.t, rate: eer.rate },
    auc: rocAuc(pos, neg),
    matched: summarise(pos),
    shuffled: summarise(neg),
    histogram: { edges, matched: hist(pos), shuffled: hist(neg) },
    method:
      `threshold maximising balanced accuracy between ${pos.length} matched pairs and ${neg.length} shuffled pairs ` +
      '(each text re-paired with another item by a seeded derangement, so no shuffled pair is its own match)',
  };
}
