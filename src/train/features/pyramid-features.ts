import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../../onnx/graph-builder.js';
import type { PatchFilters } from './patch-kmeans.js';

/** Bins per colour channel of the histogram (4×4×4 = 64 bins). */
export const HIST_BINS = 4;

/** Pooling grids: the baseline's quadrants, and the pyramid (whole, 2×2, 3×3) rosetta-mini v3 uses. */
export const QUADRANTS: readonly number[] = [2];
export const PYRAMID: readonly number[] = [1, 2, 3];

/** Width of the features: K filters × the cells of every grid + the colour histogram. */
export const pyramidFeatureCount = (filters: number, grids: readonly number[] = QUADRANTS): number =>
  filters * grids.reduce((a, n) => a + n * n, 0) + HIST_BINS ** 3;

/**
 * Coates–Ng style image features as ONNX nodes: pixel_values [N,3,S,S] (CLIP-normalised, −1…1) →
 * k-means Conv (whitening folded in) → Relu (threshold in the bias) → mean over the cells of each n×n grid
 * (n = 2: the 4 quadrants) → [N, K·Σn²], concatenated with a 4×4×4 colour histogram (per-pixel one-hot of
 * the binned RGB, averaged) → [N, K·Σn² + 64]. The whole-picture cell says what is there, the finer grids where.
 */
export function pyramidFeatureNodes(
  g: GraphBuilder,
  pixels: string,
  filters: PatchFilters,
  size: number,
  patch: number,
  grids: readonly number[] = QUADRANTS,
): string {
  const K = filters.count;
  const W = g.constFloat(filters.weights, [K, 3, patch, patch]);
  const b = g.constFloat(filters.bias, [K]);
  const conv = g.op1('Relu', [g.op1('Conv', [pixels, W, b], { kernel_shape: [patch, patch] })]);
  // A grid whose cells do not divide the map evenly drops the last row/column of responses.
  const pooled = grids.map((n) => {
    const cell = Math.floor((size - patch + 1) / n);
    return g.op1('Flatten', [g.op1('AveragePool', [conv], { kernel_shape: [cell, cell], strides: [cell, cell] })], { axis: 1 });
  });
  // Bin index per channel: floor((x + 1)/2 · bins), clipped to the last bin.
  const binned = g.op1('Clip', [
    g.op1('Floor', [g.op1('Mul', [g.op1('Add', [pixels, g.constFloat([1], [])]), g.constFloat([HIST_BINS / 2], [])])]),
    g.constFloat([0], []),
    g.constFloat([HIST_BINS - 1], []),
  ]);
  const weights = g.constFloat([HIST_BINS * HIST_BINS, HIST_BINS, 1], [1, 3, 1, 1]);
  const index = g.op1('ReduceSum', [g.op1('Mul', [binned, weights]), g.constInt64([1])], { keepdims: 0 }); // [N,S,S]
  const flat = g.op1('Reshape', [g.op1('Cast', [index], { to: 7 }), g.constInt64([0, -1])]);
  const onehot = g.op1('OneHot', [flat, g.constInt64([HIST_BINS ** 3], []), g.constFloat([0, 1])], { axis: -1 });
  const hist = g.op1('ReduceMean', [onehot], { axes: [1], keepdims: 0 });
  return g.op1('Concat', [...pooled, hist], { axis: 1 });
}

/** A session computing the raw features for batches of pixel arrays. */
export async function pyramidFeatureSession(
  filters: PatchFilters,
  size: number,
  patch: number,
  grids: readonly number[] = QUADRANTS,
): Promise<(pixels: Float32Array[]) => Promise<Float32Array>> {
  const g = new GraphBuilder('quadrant_features');
  const x = g.input('x', 'float32', ['n', 3, size, size]);
  g.op1('Identity', [pyramidFeatureNodes(g, x, filters, size, patch, grids)], {}, 'f');
  g.output('f', 'float32', ['n', pyramidFeatureCount(filters.count, grids)]);
  const session = await ort.InferenceSession.create(g.toBytes(), { intraOpNumThreads: 2 });
  const F = pyramidFeatureCount(filters.count, grids),
    per = 3 * size * size;
  return async (pixels) => {
    const out = new Float32Array(pixels.length * F);
    for (let s = 0; s < pixels.length; s += 256) {
      const chunk = pixels.slice(s, s + 256);
      const buf = new Float32Array(chunk.length * per);
      chunk.forEach((a, i) => buf.set(a, i * per));
      const r = await session.run({ x: new ort.Tensor('float32', buf, [chunk.length, 3, size, size]) });
      out.set(r.f.data as Float32Array, s * F);
    }
    return out;
  };
}
