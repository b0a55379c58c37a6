import { EigenvalueDecomposition, Matrix, SingularValueDecomposition } from 'ml-matrix';
import type { EmojiPair } from '../data/emoji-pairs.js';
import { learnPatchFilters } from '../features/patch-kmeans.js';
import { PLAIN, renderPixels, samplePatches, type Rgba } from '../features/image-input.js';
import { normalizeText, preTokenize } from '../tokenizer/wordpiece.js';
import { GraphBuilder } from '../onnx/graph-builder.js';
import * as ort from 'onnxruntime-node';
import { gaussian, MINI, rng } from '../model/mini-architecture.js';

/**
 * The classical baseline the mini model must beat: linear CCA between image features (400 k-means filters on
 * whitened 6×6 patches, quadrant-pooled, plus a 4×4×4 colour histogram) and TF-IDF text. Both views are first
 * reduced to 512 dimensions by a fixed random projection so the CCA stays a small, fast eigenproblem.
 */
export interface CcaBaseline {
  embedImages(pairs: EmojiPair[]): Promise<Float32Array>;
  embedTexts(texts: string[]): Float32Array;
  dim: number;
}

const FILTERS = 400, REDUCED = 512, COMPONENTS = 128;

function words(text: string): string[] { return preTokenize(normalizeText(text)); }

function randomProjection(inDim: number, outDim: number, seed: number): Float32Array {
  const r = rng(seed);
  const P = new Float32Array(inDim * outDim);
  for (let i = 0; i < P.length; i++) P[i] = gaussian(r) / Math.sqrt(outDim);
  return P;
}

function invSqrt(C: Matrix, reg: number): Matrix {
  const n = C.rows;
  let tr = 0; for (let i = 0; i < n; i++) tr += C.get(i, i);
  const R = C.clone(); for (let i = 0; i < n; i++) R.set(i, i, R.get(i, i) + reg * tr / n);
  const e = new EigenvalueDecomposition(R, { assumeSymmetric: true });
  const V = e.eigenvectorMatrix;
  return V.mulRowVector(e.realEigenvalues.map((l) => 1 / Math.sqrt(Math.max(l, 1e-9)))).mmul(V.transpose());
}

function covariance(a: Float64Array[], b: Float64Array[]): Matrix {
  const p = a[0].length, q = b[0].length, n = a.length;
  const C = new Float64Array(p * q);
  for (let s = 0; s < n; s++) { const x = a[s], y = b[s]; for (let i = 0; i < p; i++) { const xi = x[i]; if (xi === 0) continue; const o = i * q; for (let j = 0; j < q; j++) C[o + j] += xi * y[j]; } }
  const M = new Matrix(p, q);
  for (let i = 0; i < p; i++) for (let j = 0; j < q; j++) M.set(i, j, C[i * q + j] / n);
  return M;
}

/** Fits the baseline on the training pairs in all given languages. */
export async function fitCcaBaseline(train: EmojiPair[], languages: string[], images: Map<string, Rgba>, seed = 1): Promise<CcaBaseline> {
  const rand = rng(seed);
  const S = MINI.imageSize, p = 6;
  const render = (ps: EmojiPair[]) => ps.map((x) => renderPixels(images.get(x.id)!, PLAIN));
  const trainPx = render(train);
  const filters = learnPatchFilters(samplePatches(trainPx, p, 20000, rand), 3 * p * p, FILTERS, seed, 8);
  const g = new GraphBuilder('cca_baseline_features');
  const x = g.input('x', 'float32', ['n', 3, S, S]);
  const conv = g.op1('Relu', [g.op1('Conv', [x, g.constFloat(filters.weights, [FILTERS, 3, p, p]), g.constFloat(filters.bias, [FILTERS])], { kernel_shape: [p, p] })]);
  const cell = Math.floor((S - p + 1) / 2);
  g.op1('Flatten', [g.op1('AveragePool', [conv], { kernel_shape: [cell, cell], strides: [cell, cell] })], { axis: 1 }, 'f');
  g.output('f', 'float32', ['n', FILTERS * 4]);
  const session = await ort.InferenceSession.create(g.toBytes(), { intraOpNumThreads: 2 });
  const imgDim = FILTERS * 4 + 64;
  const P = randomProjection(imgDim, REDUCED, seed + 2);
  const rawImage = async (px: Float32Array[]): Promise<Float64Array[]> => {
    const per = 3 * S * S, buf = new Float32Array(px.length * per);
    px.forEach((a, i) => buf.set(a, i * per));
    const f = (await session.run({ x: new ort.Tensor('float32', buf, [px.length, 3, S, S]) })).f.data as Float32Array;
    return px.map((a, i) => {
      const v = new Float64Array(imgDim);
      for (let k = 0; k < FILTERS * 4; k++) v[k] = f[i * FILTERS * 4 + k];
      for (let q = 0; q < S * S; q++) {
        const bin = (c: number) => Math.min(3, Math.floor(((a[c * S * S + q] + 1) / 2) * 4));
        v[FILTERS * 4 + bin(0) * 16 + bin(1) * 4 + bin(2)] += 4 / (S * S);
      }
      const out = new Float64Array(REDUCED);
      for (let k = 0; k < imgDim; k++) { const vk = v[k]; if (vk === 0) continue; const o = k * REDUCED; for (let j = 0; j < REDUCED; j++) out[j] += vk * P[o + j]; }
      return out;
    });
  };
  // TF-IDF over whole words of every training text.
  const df = new Map<string, number>();
  const docs: string[][] = [];
  for (const e of train) for (const l of languages) docs.push(words(`${e.labels[l]} ${e.tags[l].join(' ')}`));
  for (const d of docs) for (const w of new Set(d)) df.set(w, (df.get(w) ?? 0) + 1);
  const vocab = new Map([...df.keys()].map((w, i) => [w, i]));
  const idf = [...df.values()].map((c) => Math.log((1 + docs.length) / (1 + c)) + 1);
  const T = randomProjection(vocab.size, REDUCED, seed + 3);
  const rawText = (text: string): Float64Array => {
    const tf = new Map<number, number>();
    for (const w of words(text)) { const i = vocab.get(w); if (i !== undefined) tf.set(i, (tf.get(i) ?? 0) + 1); }
    let norm = 0; for (const [i, c] of tf) norm += (c * idf[i]) ** 2;
    norm = Math.sqrt(norm) || 1;
    const out = new Float64Array(REDUCED);
    for (const [i, c] of tf) { const w = (c * idf[i]) / norm; for (let j = 0; j < REDUCED; j++) out[j] += w * T[i * REDUCED + j]; }
    return out;
  };
  const img = await rawImage(trainPx);
  const X: Float64Array[] = [], Y: Float64Array[] = [];
  train.forEach((e, i) => { for (const l of languages) { X.push(img[i]); Y.push(rawText(e.labels[l])); X.push(img[i]); Y.push(rawText(`${e.labels[l]} ${e.tags[l].join(' ')}`)); } });
  const mean = (rows: Float64Array[]) => { const m = new Float64Array(REDUCED); for (const r of rows) for (let j = 0; j < REDUCED; j++) m[j] += r[j] / rows.length; return m; };
  const mx = mean(X), my = mean(Y);
  const cx = X.map((r) => r.map((v, j) => v - mx[j])), cy = Y.map((r) => r.map((v, j) => v - my[j]));
  const Wx = invSqrt(covariance(cx, cx), 0.05), Wy = invSqrt(covariance(cy, cy), 0.05);
  const svd = new SingularValueDecomposition(Wx.mmul(covariance(cx, cy)).mmul(Wy), { autoTranspose: true });
  const sv = svd.diagonal.slice(0, COMPONENTS);
  const A = Wx.mmul(svd.leftSingularVectors.subMatrix(0, REDUCED - 1, 0, COMPONENTS - 1)).mulRowVector(sv);
  const B = Wy.mmul(svd.rightSingularVectors.subMatrix(0, REDUCED - 1, 0, COMPONENTS - 1)).mulRowVector(sv);
  const project = (rows: Float64Array[], m: Float64Array, W: Matrix): Float32Array => {
    const out = new Float32Array(rows.length * COMPONENTS);
    const Wa = W.to2DArray();
    rows.forEach((r, s) => {
      let norm = 0;
      for (let k = 0; k < COMPONENTS; k++) { let v = 0; for (let j = 0; j < REDUCED; j++) v += (r[j] - m[j]) * Wa[j][k]; out[s * COMPONENTS + k] = v; norm += v * v; }
      norm = Math.sqrt(norm) || 1;
      for (let k = 0; k < COMPONENTS; k++) out[s * COMPONENTS + k] /= norm;
    });
    return out;
  };
  return {
    dim: COMPONENTS,
    embedImages: async (pairs) => project(await rawImage(render(pairs)), mx, A),
    embedTexts: (texts) => project(texts.map(rawText), my, B),
  };
}
