import { PYRAMID, pyramidFeatureCount, pyramidFeatureSession } from '../features/pyramid-features.js';
import { BASELINE, learnBaselineFilters, learnTfIdf, standardise, type BaselineSettings } from '../baseline/cca-baseline.js';
import { fitCca, type SparseRow } from '../baseline/cca.js';
import { cholesky, gemm } from '../baseline/linalg.js';
import type { WordPieceTokenizer } from '../tokenizer/wordpiece.js';
import { MINI } from '../model/mini-architecture.js';
import type { FixedLayer } from '../model/fixed-layers.js';
import type { CcaTowers } from '../export/cca-graphs.js';

/** Token ids of a text without [CLS]/[SEP]/[PAD], as TF-IDF terms. */
export function tokenTerms(tok: WordPieceTokenizer, text: string): string[] {
  const special = new Set([tok.bosId, tok.eosId, tok.padId]);
  return tok
    .encode(text)
    .filter((id) => !special.has(id))
    .map(String);
}

/**
 * Weight of a named-icon picture (mono icon sets) in the v4 fit, against 1 for an emoji picture. Measured with
 * the v4 splits (English text→image R@10, unseen concepts ; unseen style): emoji styles only .471 ; .743,
 * with every icon at weight 0.2 .477 ; .707, at weight 1 .483 ; .660. Icons bring words but their black line
 * drawings pull the linear image map away from colour art, so v4 fits on the emoji styles alone.
 */
export const ICON_WEIGHT = 0;

/**
 * What recipe v3 changes from the baseline (each measured on held-out emoji, all five languages fitted):
 * - image: 200 filters pooled over a pyramid (whole picture, 2×2, 3×3) instead of 400 over the quadrants
 *   (English text→image R@1/R@10 0.218/0.474 against 0.192/0.456 with the baseline's text side);
 * - text: every term of the training text instead of the 3,000 most frequent — rarer words are the ones that
 *   name a thing — whitened per term, since a full 15,000² covariance does not fit the time budget
 *   (0.250/0.509; all 6,000 most frequent with full whitening: 0.259/0.503 but 7 min);
 * - 256 canonical directions (the whole shared space) instead of 128, and image ridge 0.3 instead of 0.1
 *   (0.262/0.520 with word terms).
 * Through the exported WordPiece tokens (8,000) the text side measures a little lower in English than with
 * whole words; BENCHMARKS.md has the committed model's table.
 */
export const MINI_CCA = {
  filters: 200,
  grids: PYRAMID,
  components: 256,
  maxTerms: Number.POSITIVE_INFINITY,
  regX: 0.3,
  regY: 1,
  textWhitening: 'diagonal' as const,
};

/**
 * The CCA towers from model-input pixels and the texts of each picture: `px` holds V views of the m
 * pictures (view-major, m = texts.length); every text of a picture pairs with each of its views, with the
 * picture's weight (`weights`, default 1) in the covariances.
 */
export async function fitCcaTowersOn(
  px: Float32Array[],
  texts: string[][],
  tok: WordPieceTokenizer,
  seed: number,
  settings: Partial<BaselineSettings & typeof MINI_CCA> & { weights?: number[] } = {},
): Promise<Omit<CcaTowers, 'audioLayer' | 'Waud' | 'bAud'>> {
  const s = { ...BASELINE, ...MINI_CCA, ...settings, size: MINI.imageSize, patch: MINI.imagePatch };
  const m = texts.length,
    nViews = px.length / m;
  const filters = learnBaselineFilters(px.slice(0, m), s, seed);
  const F = pyramidFeatureCount(s.filters, s.grids);
  const { rows: X, stats } = standardise(await (await pyramidFeatureSession(filters, s.size, s.patch, s.grids))(px), F);
  const docs: string[][] = [],
    owner: number[] = [];
  texts.forEach((ts, i) => {
    for (const t of ts) {
      docs.push(tokenTerms(tok, t));
      owner.push(i);
    }
  });
  const tfidf = learnTfIdf(docs, s.maxTerms);
  const q = tfidf.idf.length;
  const rows: SparseRow[] = [];
  for (let v = 0; v < nViews; v++)
    docs.forEach((d, r) => rows.push({ image: v * m + owner[r], terms: tfidf.vector(d), weight: settings.weights?.[owner[r]] }));
  const fit = await fitCca(X, nViews * m, F, rows, q, {
    k: Math.min(s.components, MINI.dim),
    regX: s.regX,
    regY: s.regY,
    seed,
    textWhitening: s.textWhitening,
  });
  const D = MINI.dim,
    k = fit.k;
  const wgt = fit.correlations.map((c) => c ** s.power);
  // Image: ((f − mean)/std − mx)·A·diag(w) = f·Wimg + bImg.
  const Wimg = new Float32Array(F * D),
    bImg = new Float32Array(D);
  for (let j = 0; j < F; j++) {
    const inv = 1 / stats.std[j],
      shift = stats.mean[j] * inv + fit.mx[j];
    for (let c = 0; c < k; c++) {
      const a = fit.A[j * k + c] * wgt[c];
      Wimg[j * D + c] = a * inv;
      bImg[c] -= shift * a;
    }
  }
  // Text: table[v] = idf[v]·B[term(v)]·diag(w); mean = my·B·diag(w).
  const V = tok.vocab.length;
  const table = new Float32Array(V * D),
    idf = new Float32Array(V),
    textMean = new Float32Array(D);
  for (const [term, i] of tfidf.index) {
    const v = Number(term);
    idf[v] = tfidf.idf[i];
    for (let c = 0; c < k; c++) table[v * D + c] = tfidf.idf[i] * fit.B[i * k + c] * wgt[c];
  }
  for (let i = 0; i < q; i++) for (let c = 0; c < k; c++) textMean[c] += fit.my[i] * fit.B[i * k + c] * wgt[c];
  return { filters, grids: [...s.grids], Wimg, bImg, table, idf, textMean, logitScale: 50 };
}

/**
 * Audio tower (v2 and later): ridge regression from the standardised audio features (all views) to the text vectors
 * of the spoken labels, so one text vector searches pictures and speech alike. Returns W [A, dim], b [dim].
 */
export async function fitAudioProjection(
  layer: FixedLayer,
  views: Float32Array[],
  targets: Float32Array,
  lambda = 1,
): Promise<{ W: Float32Array; b: Float32Array }> {
  const A = layer.mean!.length,
    D = MINI.dim,
    n = targets.length / D;
  const X = new Float32Array(views.length * n * (A + 1)),
    Y = new Float32Array(views.length * n * D);
  views.forEach((v, vi) => {
    for (let i = 0; i < n; i++) {
      const r = vi * n + i;
      X.set(v.subarray(i * A, (i + 1) * A), r * (A + 1));
      X[r * (A + 1) + A] = 1;
      Y.set(targets.subarray(i * D, (i + 1) * D), r * D);
    }
  });
  const N = views.length * n,
    P = A + 1;
  const G = Float64Array.from(await gemm(X, N, P, X, N, P, true, false));
  for (let j = 0; j < A; j++) G[j * P + j] += (lambda * N) / n;
  G[A * P + A] += 1e-6;
  const XtY = await gemm(X, N, P, Y, N, D, true, false);
  const L = cholesky(G, P);
  const sol = new Float64Array(P * D);
  // Forward then back substitution for every column.
  for (let c = 0; c < D; c++) {
    const z = new Float64Array(P);
    for (let i = 0; i < P; i++) {
      let v = XtY[i * D + c];
      for (let j = 0; j < i; j++) v -= L[i * P + j] * z[j];
      z[i] = v / L[i * P + i];
    }
    for (let i = P - 1; i >= 0; i--) {
      let v = z[i];
      for (let j = i + 1; j < P; j++) v -= L[j * P + i] * sol[j * D + c];
      sol[i * D + c] = v / L[i * P + i];
    }
  }
  return { W: Float32Array.from(sol.subarray(0, A * D)), b: Float32Array.from(sol.subarray(A * D)) };
}
