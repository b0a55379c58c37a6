import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../../onnx/graph-builder.js';
import type { PatchFilters } from '../features/patch-kmeans.js';
import { MINI } from './mini-architecture.js';

/** A fixed first layer plus the per-feature standardisation learned on the training set. */
export interface FixedLayer {
  filters: PatchFilters;
  mean?: Float32Array;
  std?: Float32Array;
}

export const audioFeatureCount = (): number => MINI.audioFilters * (MINI.audioSegments + 1);

function standardize(g: GraphBuilder, x: string, layer: FixedLayer): string {
  if (!layer.mean || !layer.std) return x;
  const n = layer.mean.length;
  const inv = Float32Array.from(layer.std, (s) => 1 / s);
  return g.op1('Mul', [g.op1('Sub', [x, g.constFloat(layer.mean, [n])]), g.constFloat(inv, [n])]);
}

/** input_features [N,1,T,mel] → k-means Conv over frames → Relu → segment means + global max → [N, K·(segments+1)]. */
export function audioFeatureNodes(g: GraphBuilder, features: string, layer: FixedLayer, frames: number): string {
  const { audioPatchFrames: f, melBins: mel, audioSegments: segs } = MINI;
  const K = layer.filters.count;
  const W = g.constFloat(layer.filters.weights, [K, 1, f, mel]);
  const b = g.constFloat(layer.filters.bias, [K]);
  const conv = g.op1('Relu', [g.op1('Conv', [features, W, b], { kernel_shape: [f, mel] })]);
  const seg = Math.floor((frames - f + 1) / segs);
  const means = g.op1('AveragePool', [conv], { kernel_shape: [seg, 1], strides: [seg, 1] });
  const max = g.op1('GlobalMaxPool', [conv]);
  const both = g.op1('Concat', [means, max], { axis: 2 });
  return standardize(g, g.op1('Flatten', [both], { axis: 1 }), layer);
}

/** A session that runs only the audio tower's fixed layer (for the trainer's feature pools). */
export async function audioLayerSession(layer: FixedLayer, frames: number): Promise<(x: Float32Array, n: number) => Promise<Float32Array>> {
  const g = new GraphBuilder('rosetta_mini_audio_features');
  const x = g.input('x', 'float32', ['n', 1, frames, MINI.melBins]);
  g.op1('Identity', [audioFeatureNodes(g, x, layer, frames)], {}, 'features');
  g.output('features', 'float32', ['n', audioFeatureCount()]);
  const session = await ort.InferenceSession.create(g.toBytes(), { intraOpNumThreads: 2 });
  return async (data, n) => {
    const out = await session.run({ x: new ort.Tensor('float32', data, [n, 1, frames, MINI.melBins]) });
    return out.features.data as Float32Array;
  };
}

/** Per-feature mean and standard deviation over rows of [n, d]. */
export function featureStats(rows: Float32Array, d: number): { mean: Float32Array; std: Float32Array } {
  const n = rows.length / d;
  const mean = new Float32Array(d),
    std = new Float32Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += rows[i * d + j] / n;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) std[j] += (rows[i * d + j] - mean[j]) ** 2 / n;
  for (let j = 0; j < d; j++) std[j] = Math.sqrt(std[j]) + 1e-3;
  return { mean, std };
}

export function applyStats(rows: Float32Array, stats: { mean: Float32Array; std: Float32Array }): Float32Array {
  const d = stats.mean.length;
  const out = new Float32Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = (rows[i] - stats.mean[i % d]) / stats.std[i % d];
  return out;
}
