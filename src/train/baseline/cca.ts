import { cholesky, gemm, invertLower, ridge, topSvd } from './linalg.js';

/** One text row of the paired data: the image it describes and its sparse TF-IDF vector. */
/** `weight` (default 1) scales the row's share of the covariances, e.g. to down-weight a kind of picture. */
export interface SparseRow {
  image: number;
  terms: Map<number, number>;
  weight?: number;
}

export interface CcaOptions {
  /** Canonical directions kept. */
  k: number;
  /** Ridge on each view's covariance, relative to its mean eigenvalue. */
  regX: number;
  regY: number;
  seed?: number;
  /**
   * Whitening of the text view: `full` (inverse Cholesky of the ridged covariance, O(q³)) or `diagonal`
   * (per-term variance only), which scales to every word of the training text.
   */
  textWhitening?: 'full' | 'diagonal';
}

/** Linear maps into the shared space: x ↦ (x − mx)·A, y ↦ (y − my)·B, both [·, k], scaled by the canonical correlations. */
export interface CcaFit {
  A: Float32Array;
  B: Float32Array;
  mx: Float32Array;
  my: Float32Array;
  k: number;
  correlations: number[];
}

/**
 * Regularised linear CCA between dense image rows X [m, p] and sparse text rows (many per image): each view is
 * whitened by the inverse Cholesky factor of its ridged covariance (the text view optionally by its per-term
 * variance only), then the top-k SVD of the whitened cross-covariance gives the canonical directions. Nothing is projected away before the fit.
 */
export async function fitCca(X: Float32Array, m: number, p: number, rows: SparseRow[], q: number, opts: CcaOptions): Promise<CcaFit> {
  let N = 0;
  for (const r of rows) N += r.weight ?? 1;
  const perImage = new Float64Array(m);
  for (const r of rows) perImage[r.image] += (r.weight ?? 1) / N;
  const mx = new Float32Array(p);
  for (let e = 0; e < m; e++) for (let j = 0; j < p; j++) mx[j] += perImage[e] * X[e * p + j];
  const Xc = new Float32Array(m * p),
    Xw = new Float32Array(m * p);
  for (let e = 0; e < m; e++) {
    const w = Math.sqrt(perImage[e]);
    for (let j = 0; j < p; j++) {
      const v = X[e * p + j] - mx[j];
      Xc[e * p + j] = v;
      Xw[e * p + j] = v * w;
    }
  }
  const Cxx = Float64Array.from(await gemm(Xw, m, p, Xw, m, p, true, false));
  // Σ_rows xc·yᵀ, accumulated sparsely as its transpose [q, p]: rows of one image share xc, and Σ_e weighted
  // xc = 0 makes centring y unnecessary. (A dense [m, q] text matrix and its product cost m·p·q: too much at 30k pictures.)
  const CyxT = new Float32Array(q * p);
  const my = new Float32Array(q);
  const diagonal = opts.textWhitening === 'diagonal';
  const Cyy = new Float64Array(diagonal ? q : q * q);
  const perImageTerms = new Map<number, Map<number, number>>();
  for (const r of rows) {
    const t = [...r.terms];
    let acc = perImageTerms.get(r.image);
    if (!acc) {
      acc = new Map();
      perImageTerms.set(r.image, acc);
    }
    const w = (r.weight ?? 1) / N;
    for (const [i, v] of t) {
      acc.set(i, (acc.get(i) ?? 0) + v * w);
      my[i] += v * w;
    }
    if (diagonal) for (const [i, v] of t) Cyy[i] += v * v * w;
    else for (const [i, vi] of t) for (const [j, vj] of t) Cyy[i * q + j] += vi * vj * w;
  }
  for (const [e, acc] of perImageTerms) {
    const xe = Xc.subarray(e * p, (e + 1) * p);
    for (const [i, v] of acc) {
      const o = i * p;
      for (let j = 0; j < p; j++) CyxT[o + j] += v * xe[j];
    }
  }
  ridge(Cxx, p, opts.regX);
  const Wx = Float32Array.from(invertLower(cholesky(Cxx, p), p));
  const WxCxyT = await gemm(CyxT, q, p, Wx, p, p, false, true); // (Wx·Cxy)ᵀ [q, p]
  const WxCxy = new Float32Array(p * q);
  for (let i = 0; i < q; i++) for (let j = 0; j < p; j++) WxCxy[j * q + i] = WxCxyT[i * p + j];
  const k = Math.min(opts.k, p, q);
  if (diagonal) {
    // Wy = diag(1/√(var + ridge)), the ridge scaled to the mean variance as in `ridge`.
    let tr = 0;
    for (let i = 0; i < q; i++) {
      Cyy[i] -= my[i] ** 2;
      tr += Cyy[i];
    }
    const add = (opts.regY * tr) / q + 1e-9;
    const wy = Float32Array.from(Cyy, (v) => 1 / Math.sqrt(Math.max(v, 0) + add));
    for (let r = 0; r < p; r++) for (let i = 0; i < q; i++) WxCxy[r * q + i] *= wy[i];
    const { U, s, V } = await topSvd(WxCxy, p, q, k, opts.seed ?? 1);
    for (let i = 0; i < q; i++) for (let c = 0; c < k; c++) V[i * k + c] *= wy[i];
    return { A: await gemm(Wx, p, p, U, p, k, true, false), B: V, mx, my, k, correlations: s };
  }
  for (let i = 0; i < q; i++) {
    const mi = my[i];
    if (mi === 0) continue;
    for (let j = 0; j < q; j++) Cyy[i * q + j] -= mi * my[j];
  }
  ridge(Cyy, q, opts.regY);
  const Wy = Float32Array.from(invertLower(cholesky(Cyy, q), q));
  const M = await gemm(WxCxy, p, q, Wy, q, q, false, true);
  const { U, s, V } = await topSvd(M, p, q, k, opts.seed ?? 1);
  const A = await gemm(Wx, p, p, U, p, k, true, false);
  const B = await gemm(Wy, q, q, V, q, k, true, false);
  return { A, B, mx, my, k, correlations: s };
}

/** Projects rows [n, d] with (row − mean)·P, column c scaled by weight[c], then L2-normalises. */
export function projectRows(
  rows: Float32Array,
  n: number,
  d: number,
  mean: Float32Array,
  P: Float32Array,
  k: number,
  weight: number[],
): Float32Array {
  const out = new Float32Array(n * k);
  for (let s = 0; s < n; s++) {
    const o = s * k;
    for (let j = 0; j < d; j++) {
      const v = rows[s * d + j] - mean[j];
      if (v === 0) continue;
      const pj = j * k;
      for (let c = 0; c < k; c++) out[o + c] += v * P[pj + c];
    }
    let norm = 0;
    for (let c = 0; c < k; c++) {
      out[o + c] *= weight[c];
      norm += out[o + c] ** 2;
    }
    norm = Math.sqrt(norm) || 1;
    for (let c = 0; c < k; c++) out[o + c] /= norm;
  }
  return out;
}
