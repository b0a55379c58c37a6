import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../onnx/graph-builder.js';
import type { PatchFilters } from './patch-kmeans.js';

/** Bins per colour channel of the histogram (4×4×4 = 64 bins). */
export const HIST_BINS = 4;

/** Width of the features: K filters × 4 quadrants + the colour histogram. */
export const quadrantFeatureCount = (filters: number): number => filters * 4 + HIST_BINS ** 3;

/**
 * Coates–Ng style image features as ONNX nodes: pixel_values [N,3,S,S] (CLIP-normalised, −1…1) →
 * k-means Conv (whitening folded in) → Relu (threshold in the bias) → mean over the 4 quadrants → [N, 4K],
 * concatenated with a 4×4×4 colour histogram (per-pixel one-hot of the binned RGB, averaged) → [N, 4K + 64].
 */
export function quadrantFeatureNodes(g: GraphBuilder, pixels: string, filters: PatchFilters, size: number, patch: number): string {
  const K = filters.count;
  const W = g.constFloat(filters.weights, [K, 3, patch, patch]);
  const b = g.constFloat(filters.bias, [K]);
  const conv = g.op1('Relu', [g.op1('Conv', [pixels, W, b], { kernel_shape: [patch, patch] })]);
  const cell = Math.floor((size - patch + 1) / 2);
  const pooled = g.op1('Flatten', [g.op1('AveragePool', [conv], { kernel_shape: [cell, cell], strides: [cell, cell] })], { axis: 1 });
  // Bin index per channel: floor((x + 1)/2 · bins), clipped to the last bin.
  const binned = g.op1('Clip', [g.op1('Floor', [g.op1('Mul', [g.op1('Add', [pixels, g.constFloat([1], [])]), g.constFloat([HIST_BINS / 2], [])])]), g.constFloat([0], []), g.constFloat([HIST_BINS - 1], [])]);
  const weights = g.constFloat([HIST_BINS * HIST_BINS, HIST_BINS, 1], [1, 3, 1, 1]);
  const index = g.op1('ReduceSum', [g.op1('Mul', [binned, weights]), g.constInt64([1])], { keepdims: 0 }); // [N,S,S]
  const flat = g.op1('Reshape', [g.op1('Cast', [index], { to: 7 }), g.constInt64([0, -1])]);
  const onehot = g.op1('OneHot', [flat, g.constInt64([HIST_BINS ** 3], []), g.constFloat([0, 1])], { axis: -1 });
  const hist = g.op1('ReduceMean', [onehot], { axes: [1], keepdims: 0 });
  return g.op1('Concat', [pooled, hist], { axis: 1 });
}

/** A session computing the raw features for batches of pixel arrays. */
export async function quadrantFeatureSession(filters: PatchFilters, size: number, patch: number): Promise<(pixels: Float32Array[]) => Promise<Float32Array>> {
  const g = new GraphBuilder('quadrant_features');
  const x = g.input('x', 'float32', ['n', 3, size, size]);
  g.op1('Identity', [quadrantFeatureNodes(g, x, filters, size, patch)], {}, 'f');
  g.output('f', 'float32', ['n', quadrantFeatureCount(filters.count)]);
  const session = await ort.InferenceSession.create(g.toBytes(), { intraOpNumThreads: 2 });
  const F = quadrantFeatureCount(filters.count), per = 3 * size * size;
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
