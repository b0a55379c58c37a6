import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../../onnx/graph-builder.js';
import { gaussian, rng } from '../model/mini-architecture.js';

/**
 * Dense linear algebra for regularised CCA. Large products run in onnxruntime (~100 GFLOP/s here, against
 * ~1 GFLOP/s for ml-matrix, whose 1664² eigendecomposition alone takes minutes); Cholesky and triangular
 * inversion are tight row-major loops; only small (≤ a few hundred) eigenproblems go to ml-matrix.
 * Matrices are row-major Float32Array/Float64Array with explicit shapes.
 */

let gemmSessions: Map<string, ort.InferenceSession> | undefined;

/** C = op(A)·op(B), with op = transpose when the flag is set. A is [ra, ca], B is [rb, cb]. */
export async function gemm(
  a: Float32Array,
  ra: number,
  ca: number,
  b: Float32Array,
  rb: number,
  cb: number,
  transA = false,
  transB = false,
): Promise<Float32Array> {
  gemmSessions ??= new Map();
  const key = `${+transA}${+transB}`;
  let s = gemmSessions.get(key);
  if (!s) {
    const g = new GraphBuilder('gemm');
    g.input('a', 'float32', ['ra', 'ca']);
    g.input('b', 'float32', ['rb', 'cb']);
    g.op1('Gemm', ['a', 'b'], { transA: +transA, transB: +transB }, 'c');
    g.output('c', 'float32', ['m', 'n']);
    s = await ort.InferenceSession.create(g.toBytes(), { intraOpNumThreads: 2 });
    gemmSessions.set(key, s);
  }
  const out = await s.run({ a: new ort.Tensor('float32', a, [ra, ca]), b: new ort.Tensor('float32', b, [rb, cb]) });
  return out.c.data as Float32Array;
}

/** Lower Cholesky factor of a symmetric positive-definite [n, n] matrix. */
export function cholesky(c: Float64Array, n: number): Float64Array {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let s = c[ri + j];
      for (let k = 0; k < j; k++) s -= L[ri + k] * L[rj + k];
      if (i === j) L[ri + i] = Math.sqrt(Math.max(s, 1e-12));
      else L[ri + j] = s / L[rj + j];
    }
  }
  return L;
}

/** Inverse of a lower-triangular [n, n] matrix (also lower triangular), row by row. */
export function invertLower(L: Float64Array, n: number): Float64Array {
  const X = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    // Row i of X: (e_i − Σ_{k<i} L[i,k]·X[k,:]) / L[i,i]; X[k,:] is zero beyond column k.
    X[ri + i] = 1;
    for (let k = 0; k < i; k++) {
      const l = L[ri + k];
      if (l === 0) continue;
      const rk = k * n;
      for (let j = 0; j <= k; j++) X[ri + j] -= l * X[rk + j];
    }
    const d = L[ri + i];
    for (let j = 0; j <= i; j++) X[ri + j] /= d;
  }
  return X;
}

/** Adds reg·(trace/n) to the diagonal: ridge scaled to the matrix's own size. */
export function ridge(c: Float64Array, n: number, reg: number): void {
  let tr = 0;
  for (let i = 0; i < n; i++) tr += c[i * n + i];
  const add = (reg * tr) / n + 1e-9;
  for (let i = 0; i < n; i++) c[i * n + i] += add;
}

/** Orthonormal columns spanning G [r, l] (Cholesky QR, applied twice for stability). */
async function orthonormalize(G: Float32Array, r: number, l: number): Promise<Float32Array> {
  let Q = G;
  for (let pass = 0; pass < 2; pass++) {
    const gram = Float64Array.from(await gemm(Q, r, l, Q, r, l, true, false));
    ridge(gram, l, 1e-7);
    const Rinv = invertLower(cholesky(gram, l), l); // (Lᵀ)⁻¹ = (L⁻¹)ᵀ
    Q = await gemm(Q, r, l, Float32Array.from(Rinv), l, l, false, true);
  }
  return Q;
}

/**
 * Top-k singular triplets of M [p, q] by randomised subspace iteration (Halko et al.): returns U [p, k],
 * singular values and V [q, k]. Oversampling and a few power passes make the top directions accurate.
 */
export async function topSvd(
  M: Float32Array,
  p: number,
  q: number,
  k: number,
  seed: number,
  passes = 4,
): Promise<{ U: Float32Array; s: number[]; V: Float32Array }> {
  const l = Math.min(p, q, k + 48);
  const rand = rng(seed);
  const omega = Float32Array.from({ length: q * l }, () => gaussian(rand));
  let Q = await orthonormalize(await gemm(M, p, q, omega, q, l), p, l);
  for (let i = 0; i < passes; i++) {
    const Z = await orthonormalize(await gemm(M, p, q, Q, p, l, true, false), q, l);
    Q = await orthonormalize(await gemm(M, p, q, Z, q, l), p, l);
  }
  const B = await gemm(Q, p, l, M, p, q, true, false); // [l, q]
  const BBt = await gemm(B, l, q, B, l, q, false, true);
  const { EigenvalueDecomposition, Matrix } = await import('ml-matrix'); // loaded here, not at package start-up
  const e = new EigenvalueDecomposition(new Matrix(Array.from({ length: l }, (_, i) => Array.from(BBt.subarray(i * l, (i + 1) * l)))), {
    assumeSymmetric: true,
  });
  const order = e.realEigenvalues
    .map((v, i) => [v, i] as const)
    .sort((a, b) => b[0] - a[0])
    .slice(0, k);
  const W = new Float32Array(l * k);
  const Wv = e.eigenvectorMatrix;
  order.forEach(([, idx], c) => {
    for (let r = 0; r < l; r++) W[r * k + c] = Wv.get(r, idx);
  });
  const s = order.map(([v]) => Math.sqrt(Math.max(v, 0)));
  const U = await gemm(Q, p, l, W, l, k);
  const V = await gemm(B, l, q, W, l, k, true, false); // Bᵀ W = V Σ
  for (let r = 0; r < q; r++) for (let c = 0; c < k; c++) V[r * k + c] /= s[c] || 1;
  return { U, s, V };
}
