import type { EmojiPair } from '../../datasets/emoji-pairs.js';
import { learnPatchFilters, type PatchFilters } from '../features/patch-kmeans.js';
import { PLAIN, renderPixels, samplePatches, type Rgba } from '../features/image-input.js';
import { pyramidFeatureCount, pyramidFeatureSession } from '../features/pyramid-features.js';
import { normalizeText, preTokenize } from '../tokenizer/wordpiece.js';
import { rng } from '../model/mini-architecture.js';
import { applyStats, featureStats } from '../model/fixed-layers.js';
import { fitCca, projectRows, type CcaFit, type SparseRow } from './cca.js';

/**
 * The classical baseline the mini model must beat, as the issue states it: linear CCA between image features
 * (400 k-means filters on ZCA-whitened 6×6 patches, rectified, mean-pooled over the 4 quadrants, plus a
 * 4×4×4 colour histogram; 1664 dims, standardised) and TF-IDF text over whole words (label + keywords of
 * every training language). Both covariances are ridged; nothing is projected away before the fit.
 */
export interface CcaBaseline {
  embedImages(pairs: EmojiPair[]): Promise<Float32Array>;
  /** Pictures given as model-input tensors (CHW, normalised, BASELINE.size square). */
  embedPixels(pixels: Float32Array[]): Promise<Float32Array>;
  embedTexts(texts: string[]): Float32Array;
  dim: number;
}

export const BASELINE = { filters: 400, patch: 6, size: 32, components: 128, maxTerms: 3000, regX: 0.1, regY: 0.1, power: 1 };
export type BaselineSettings = typeof BASELINE;

/** Per-feature mean/std of rows [n, d] (computed here unless given) and the standardised copy. */
export function standardise(rows: Float32Array, d: number, stats = featureStats(rows, d)) {
  return { rows: applyStats(rows, stats), stats };
}

/** A TF-IDF model over a fixed term list: sparse L2-normalised vectors. */
export interface TfIdf {
  index: Map<string, number>;
  idf: Float32Array;
  vector(terms: string[]): Map<number, number>;
}

/** Learns TF-IDF over documents (term lists), keeping the `maxTerms` terms of highest document frequency. */
export function learnTfIdf(docs: string[][], maxTerms: number): TfIdf {
  const df = new Map<string, number>();
  for (const d of docs) for (const w of new Set(d)) df.set(w, (df.get(w) ?? 0) + 1);
  const kept = [...df.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, maxTerms);
  const index = new Map(kept.map(([w], i) => [w, i]));
  const idf = Float32Array.from(kept, ([, c]) => Math.log((1 + docs.length) / (1 + c)) + 1);
  return {
    index,
    idf,
    vector(terms) {
      const tf = new Map<number, number>();
      for (const w of terms) {
        const i = index.get(w);
        if (i !== undefined) tf.set(i, (tf.get(i) ?? 0) + 1);
      }
      let norm = 0;
      for (const [i, c] of tf) {
        tf.set(i, c * idf[i]);
        norm += (c * idf[i]) ** 2;
      }
      norm = Math.sqrt(norm) || 1;
      for (const [i, v] of tf) tf.set(i, v / norm);
      return tf;
    },
  };
}

/** The texts the CCA pairs with each training image: label, and label + keywords, in every language. */
export function trainingTexts(e: EmojiPair, languages: string[]): string[] {
  return languages.flatMap((l) => [e.labels[l], `${e.labels[l]} ${e.tags[l].join(' ')}`]);
}

export const words = (text: string): string[] => preTokenize(normalizeText(text));

export function denseRows(vectors: Map<number, number>[], q: number): Float32Array {
  const out = new Float32Array(vectors.length * q);
  vectors.forEach((v, r) => {
    for (const [i, x] of v) out[r * q + i] = x;
  });
  return out;
}

/** Learns the 400 k-means filters on patches of the training pictures (rendered on white). */
export function learnBaselineFilters(trainPx: Float32Array[], s: BaselineSettings, seed: number): PatchFilters {
  return learnPatchFilters(samplePatches(trainPx, s.patch, 20000, rng(seed), s.size), 3 * s.patch ** 2, s.filters, seed, 8);
}

/** Fits the baseline on the training pairs in all given languages. */
export async function fitCcaBaseline(
  train: EmojiPair[],
  languages: string[],
  images: Map<string, Rgba>,
  seed = 1,
  settings: Partial<BaselineSettings> = {},
): Promise<CcaBaseline & { fit: CcaFit }> {
  const s = { ...BASELINE, ...settings };
  const render = (ps: EmojiPair[]) => ps.map((x) => renderPixels(images.get(x.id)!, PLAIN, s.size));
  const trainPx = render(train);
  const features = await pyramidFeatureSession(learnBaselineFilters(trainPx, s, seed), s.size, s.patch);
  const F = pyramidFeatureCount(s.filters);
  const { rows: X, stats } = standardise(await features(trainPx), F);
  const docs: string[][] = [];
  const owner: number[] = [];
  train.forEach((e, i) => {
    for (const t of trainingTexts(e, languages)) {
      docs.push(words(t));
      owner.push(i);
    }
  });
  const tfidf = learnTfIdf(docs, s.maxTerms);
  const q = tfidf.idf.length;
  const rows: SparseRow[] = docs.map((d, r) => ({ image: owner[r], terms: tfidf.vector(d) }));
  const fit = await fitCca(X, train.length, F, rows, q, { k: s.components, regX: s.regX, regY: s.regY, seed });
  const weight = fit.correlations.map((c) => c ** s.power);
  return {
    dim: fit.k,
    fit,
    embedImages: async (pairs) =>
      projectRows(standardise(await features(render(pairs)), F, stats).rows, pairs.length, F, fit.mx, fit.A, fit.k, weight),
    embedPixels: async (pixels) =>
      projectRows(standardise(await features(pixels), F, stats).rows, pixels.length, F, fit.mx, fit.A, fit.k, weight),
    embedTexts: (texts) =>
      projectRows(
        denseRows(
          texts.map((t) => tfidf.vector(words(t))),
          q,
        ),
        texts.length,
        q,
        fit.my,
        fit.B,
        fit.k,
        weight,
      ),
  };
}
