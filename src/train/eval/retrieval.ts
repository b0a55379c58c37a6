import { rankOf, recallAtK as recallOfRanks, similarityFlat } from '../../vectors/index.js';

/** Retrieval metrics over L2-normalised vectors (row-major [n, d]); row i of queries matches row i of targets. */

/** The similarity matrix of row-major [n, d] unit vectors (the shared vectors module's, in the trainer's layout). */
export const similarity = similarityFlat;

/**
 * Recall@k for each k: the share of queries whose own target ranks within the top k. `targetOf[i]` is the
 * index of query i's target (default i). Ties count against the query, so a constant model scores chance or below.
 */
export function recallAtK(
  sim: Float32Array,
  nq: number,
  nt: number,
  ks: number[],
  targetOf?: (i: number) => number,
): Record<number, number> {
  const ranks = Array.from({ length: nq }, (_, i) => rankOf(sim.subarray(i * nt, (i + 1) * nt), targetOf ? targetOf(i) : i));
  return Object.fromEntries(ks.map((k) => [k, recallOfRanks(ranks, k)]));
}

export function transpose(sim: Float32Array, n: number, m: number): Float32Array {
  const out = new Float32Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) out[j * n + i] = sim[i * m + j];
  return out;
}

/** Accuracy of assigning each item to the class whose vector is most similar. */
export function zeroShotAccuracy(items: Float32Array, classes: Float32Array, d: number, labels: number[]): number {
  const sim = similarity(items, classes, d);
  const nc = classes.length / d;
  let ok = 0;
  labels.forEach((label, i) => {
    let best = -Infinity,
      arg = -1;
    for (let c = 0; c < nc; c++)
      if (sim[i * nc + c] > best) {
        best = sim[i * nc + c];
        arg = c;
      }
    if (arg === label) ok++;
  });
  return ok / labels.length;
}

/** Expected Recall@k of a random ranking over n candidates. */
export const chanceRecall = (k: number, n: number): number => Math.min(1, k / n);
