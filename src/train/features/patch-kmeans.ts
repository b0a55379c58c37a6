import { createRequire } from 'node:module';
import type * as MlMatrix from 'ml-matrix';
import { rng } from '../model/mini-architecture.js';

/** A fixed first layer: filters over raw patches with whitening folded in, plus a threshold bias. */
export interface PatchFilters {
  weights: Float32Array;
  bias: Float32Array;
  count: number;
  patchDim: number;
}

/**
 * Learns K filters from patches without labels: ZCA whitening, spherical k-means on the whitened,
 * unit-length patches, then folds the whitening into the filters (w = Z·c, b = −w·μ − median response),
 * so the layer is a plain Conv + Relu. `patches` is [n, d] row-major.
 */
export function learnPatchFilters(patches: Float32Array, d: number, k: number, seed: number, iterations = 10): PatchFilters {
  const n = patches.length / d;
  const mu = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mu[j] += patches[i * d + j] / n;
  const cov = new Float64Array(d * d);
  const row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) row[j] = patches[i * d + j] - mu[j];
    for (let a = 0; a < d; a++) {
      const ra = row[a];
      if (ra === 0) continue;
      const off = a * d;
      for (let b = a; b < d; b++) cov[off + b] += ra * row[b];
    }
  }
  const { EigenvalueDecomposition, Matrix } = createRequire(import.meta.url)('ml-matrix') as typeof MlMatrix; // loaded here, not at package start-up
  const C = new Matrix(d, d);
  for (let a = 0; a < d; a++)
    for (let b = a; b < d; b++) {
      C.set(a, b, cov[a * d + b] / n);
      C.set(b, a, cov[a * d + b] / n);
    }
  const evd = new EigenvalueDecomposition(C, { assumeSymmetric: true });
  const V = evd.eigenvectorMatrix;
  const lam = evd.realEigenvalues;
  const eps = (0.01 * Math.max(...lam)) / 10 + 1e-6;
  const Z = V.mulRowVector(lam.map((l) => 1 / Math.sqrt(Math.max(l, 0) + eps))).mmul(V.transpose());
  const Zf = Float64Array.from(Z.to1DArray());
  // Whitened, unit-length patches.
  const W = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) row[j] = patches[i * d + j] - mu[j];
    let norm = 0;
    for (let a = 0; a < d; a++) {
      let s = 0;
      const off = a * d;
      for (let b = 0; b < d; b++) s += Zf[off + b] * row[b];
      W[i * d + a] = s;
      norm += s * s;
    }
    norm = Math.sqrt(norm) + 1e-8;
    for (let a = 0; a < d; a++) W[i * d + a] /= norm;
  }
  const rand = rng(seed);
  const cent = new Float32Array(k * d);
  for (let c = 0; c < k; c++) {
    const src = Math.floor(rand() * n);
    cent.set(W.subarray(src * d, src * d + d), c * d);
  }
  const assign = new Int32Array(n);
  for (let it = 0; it < iterations; it++) {
    for (let i = 0; i < n; i++) {
      let best = -Infinity,
        arg = 0;
      const off = i * d;
      for (let c = 0; c < k; c++) {
        let s = 0;
        const co = c * d;
        for (let j = 0; j < d; j++) s += W[off + j] * cent[co + j];
        if (s > best) {
          best = s;
          arg = c;
        }
      }
      assign[i] = arg;
    }
    cent.fill(0);
    for (let i = 0; i < n; i++) {
      const co = assign[i] * d;
      for (let j = 0; j < d; j++) cent[co + j] += W[i * d + j];
    }
    for (let c = 0; c < k; c++) {
      let norm = 0;
      const co = c * d;
      for (let j = 0; j < d; j++) norm += cent[co + j] ** 2;
      if (norm < 1e-12) {
        const src = Math.floor(rand() * n);
        cent.set(W.subarray(src * d, src * d + d), co);
        continue;
      }
      norm = Math.sqrt(norm);
      for (let j = 0; j < d; j++) cent[co + j] /= norm;
    }
  }
  // Fold whitening: w_c = Z c (Z symmetric); response on a raw patch x is w_c·(x − μ).
  const weights = new Float32Array(k * d);
  const bias = new Float32Array(k);
  const sample = Math.min(n, 4000);
  const resp = new Float64Array(sample);
  for (let c = 0; c < k; c++) {
    for (let a = 0; a < d; a++) {
      let s = 0;
      for (let b = 0; b < d; b++) s += Zf[a * d + b] * cent[c * d + b];
      weights[c * d + a] = s;
    }
    let wm = 0;
    for (let a = 0; a < d; a++) wm += weights[c * d + a] * mu[a];
    for (let i = 0; i < sample; i++) {
      let s = -wm;
      for (let a = 0; a < d; a++) s += weights[c * d + a] * patches[i * d + a];
      resp[i] = s;
    }
    const sorted = Array.from(resp).sort((x, y) => x - y);
    // Threshold at the median response: a sparse, half-rectified code.
    bias[c] = -wm - sorted[Math.floor(sample / 2)];
  }
  return { weights, bias, count: k, patchDim: d };
}
