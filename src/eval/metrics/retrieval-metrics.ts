/**
 * Retrieval metrics over a text×image similarity matrix, following the protocol used by the CLIP paper and the
 * open_clip benchmark: text→image ranks each caption's own image among all images; image→text takes, for each
 * image, the best rank among its captions. Ties are counted against the model (a constant model scores 0, not 1).
 */

import { rankOf, recallAtK } from '../../vectors/scores.js';

export { rankOf, recallAtK };

/** The figures reported for one direction of retrieval. Ranks are 1-based. */
export interface RankSummary {
  r1: number;
  r5: number;
  r10: number;
  medianRank: number;
  mrr: number;
  /** How many queries were ranked. */
  count: number;
}

/** Median of the ranks (mean of the two middle ranks when the count is even). */
export function medianRank(ranks: readonly number[]): number {
  if (ranks.length === 0) return Number.NaN;
  const sorted = [...ranks].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Mean reciprocal rank. */
export function meanReciprocalRank(ranks: readonly number[]): number {
  if (ranks.length === 0) return 0;
  let sum = 0;
  for (const r of ranks) sum += 1 / r;
  return sum / ranks.length;
}

export function summariseRanks(ranks: readonly number[]): RankSummary {
  return {
    r1: recallAtK(ranks, 1),
    r5: recallAtK(ranks, 5),
    r10: recallAtK(ranks, 10),
    medianRank: medianRank(ranks),
    mrr: meanReciprocalRank(ranks),
    count: ranks.length,
  };
}

/**
 * Text→image ranks: `textToImage[c][i]` is the similarity of caption c and image i; `captionImage[c]` is the index
 * of caption c's own image. Returns one rank per caption.
 */
export function textToImageRanks(textToImage: readonly ArrayLike<number>[], captionImage: readonly number[]): number[] {
  return textToImage.map((row, c) => rankOf(row, captionImage[c]));
}

/**
 * Image→text ranks: for each image, the best (lowest) rank of any of its captions among all captions.
 * Images with no caption are skipped (they cannot be retrieved against).
 */
export function imageToTextRanks(textToImage: readonly ArrayLike<number>[], captionImage: readonly number[], imageCount: number): number[] {
  const ranks: number[] = [];
  for (let i = 0; i < imageCount; i += 1) {
    // The first of the image's own captions in the ranking decides: rank = 1 + other images' captions scoring
    // at least as high as the best own caption (sibling captions never push each other down).
    let best = Number.NEGATIVE_INFINITY;
    let own = 0;
    for (let c = 0; c < captionImage.length; c += 1) {
      if (captionImage[c] === i) {
        own += 1;
        best = Math.max(best, textToImage[c][i]);
      }
    }
    if (own === 0) continue;
    let rank = 1;
    for (let c = 0; c < captionImage.length; c += 1) {
      if (captionImage[c] !== i && textToImage[c][i] >= best) rank += 1;
    }
    ranks.push(rank);
  }
  return ranks;
}

/**
 * Text→image and image→text ranks from similarity rows streamed in caption order (two passes over the rows,
 * the first to learn each image's best own-caption score). Gives the same ranks as `textToImageRanks` and
 * `imageToTextRanks` without holding the matrix.
 */
export async function streamedRanks(
  forEachRow: (visit: (caption: number, row: ArrayLike<number>) => void) => Promise<void>,
  captionImage: readonly number[],
  imageCount: number,
): Promise<{ t2i: number[]; i2t: number[] }> {
  const t2i = new Array<number>(captionImage.length);
  const bestOwn = new Float64Array(imageCount).fill(Number.NEGATIVE_INFINITY);
  const hasCaption = new Uint8Array(imageCount);
  await forEachRow((c, row) => {
    t2i[c] = rankOf(row, captionImage[c]);
    const i = captionImage[c];
    hasCaption[i] = 1;
    if (row[i] > bestOwn[i]) bestOwn[i] = row[i];
  });
  const i2tRank = new Array<number>(imageCount).fill(1);
  await forEachRow((c, row) => {
    const own = captionImage[c];
    for (let i = 0; i < imageCount; i += 1) if (i !== own && row[i] >= bestOwn[i]) i2tRank[i] += 1;
  });
  return { t2i, i2t: i2tRank.filter((_, i) => hasCaption[i] === 1) };
}
