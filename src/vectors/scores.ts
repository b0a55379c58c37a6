/** Scores over similarities: softmax over labels, CLIPScore, and ranks for retrieval metrics. */

/**
 * softmax(scale · x) over a list of scores, computed stably; CLIP's zero-shot probabilities are
 * softmax(logit_scale · cos) over the labels' prompts.
 */
export function softmax(scores: readonly number[], scale = 1): number[] {
  if (scores.length === 0) return [];
  const max = Math.max(...scores);
  const e = scores.map((s) => Math.exp(scale * (s - max)));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / z);
}

/** The weight w of CLIPScore (Hessel et al. 2021), chosen there to spread scores over roughly [0, 1]. */
export const CLIPSCORE_WEIGHT = 2.5;

/** CLIPScore from a cosine similarity: `w · max(cos, 0)`. The same form serves audio–text in a CLAP space. */
export function clipScore(cosine: number, weight = CLIPSCORE_WEIGHT): number {
  return weight * Math.max(cosine, 0);
}

/** Rank (1-based) of `target` within `scores`, higher score = better; ties count as ranked above the target. */
export function rankOf(scores: ArrayLike<number>, target: number): number {
  const s = scores[target];
  let rank = 1;
  for (let j = 0; j < scores.length; j += 1) {
    if (j !== target && scores[j] >= s) rank += 1;
  }
  return rank;
}

/** Recall@K: the fraction of ranks that are ≤ k. */
export function recallAtK(ranks: readonly number[], k: number): number {
  if (ranks.length === 0) return 0;
  let hit = 0;
  for (const r of ranks) if (r <= k) hit += 1;
  return hit / ranks.length;
}
