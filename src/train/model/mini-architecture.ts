import { seededRandom } from '../../util/random.js';
import { GraphBuilder } from '../../onnx/graph-builder.js';

/** Bump when the recipe (data, architecture, training) changes; the committed model must carry the same number. */
export const RECIPE_VERSION = 4;

/** Sizes of the mini model. Fixed first layers (k-means filters) are not trained; everything after them is. */
export const MINI = {
  dim: 256,
  vocabSize: 8000,
  maxTextLength: 48,
  textHidden: 160,
  towerHidden: 384,
  imageSize: 32,
  imagePatch: 6,
  sampleRate: 16000,
  audioSeconds: 2.5,
  melBins: 64,
  audioFilters: 128,
  audioPatchFrames: 5,
  audioSegments: 4,
} as const;

export type ParamName = 'E' | 'Wt1' | 'bt1' | 'Wt2' | 'bt2' | 'Wi1' | 'bi1' | 'Wi2' | 'bi2' | 'Wa1' | 'ba1' | 'Wa2' | 'ba2' | 'logScale';

/** Trainable parameters: name → flat data and shape. */
export type Params = Record<ParamName, { data: Float32Array; dims: number[] }>;

/** Parameter shapes given the feature widths of the fixed layers. */
export function paramShapes(vocab: number, imageFeatures: number, audioFeatures: number): Record<ParamName, number[]> {
  const { textHidden: H, towerHidden: M, dim: D } = MINI;
  return {
    E: [vocab, H],
    Wt1: [H, M],
    bt1: [M],
    Wt2: [M, D],
    bt2: [D],
    Wi1: [imageFeatures, M],
    bi1: [M],
    Wi2: [M, D],
    bi2: [D],
    Wa1: [audioFeatures, M],
    ba1: [M],
    Wa2: [M, D],
    ba2: [D],
    logScale: [1],
  };
}

/** Small deterministic PRNG (mulberry32) so a seed reproduces a run. */
export const rng = seededRandom;

export function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
}

/** He-style initialisation; biases at zero; temperature at 1/0.07 like CLIP. */
export function initParams(shapes: Record<ParamName, number[]>, seed: number): Params {
  const rand = rng(seed);
  const out = {} as Params;
  for (const name of Object.keys(shapes).sort() as ParamName[]) {
    const dims = shapes[name];
    const n = dims.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    if (name === 'logScale') data[0] = Math.log(1 / 0.07);
    else if (name === 'E') for (let i = 0; i < n; i++) data[i] = gaussian(rand) * 0.5;
    else if (dims.length === 2) {
      const std = Math.sqrt(2 / dims[0]);
      for (let i = 0; i < n; i++) data[i] = gaussian(rand) * std;
    }
    out[name] = { data, dims };
  }
  return out;
}

/** y = x·W + b (names of graph tensors). */
export function linear(g: GraphBuilder, x: string, W: string, b: string): string {
  return g.op1('Add', [g.op1('MatMul', [x, W]), b]);
}

/** Row-wise L2 normalisation; returns the normalised tensor and the norm (kept for the gradient). */
export function l2normalize(g: GraphBuilder, x: string): { y: string; norm: string } {
  const axes = g.constInt64([1]);
  const sq = g.op1('ReduceSum', [g.op1('Mul', [x, x]), axes], { keepdims: 1 });
  const norm = g.op1('Sqrt', [g.op1('Add', [sq, g.constFloat([1e-12])])]);
  return { y: g.op1('Div', [x, norm]), norm };
}

export interface TowerTrace {
  x: string;
  a1: string;
  h1: string;
  z: string;
  y: string;
  norm: string;
}

/** Two-layer projection head: Linear → ReLU → Linear → L2 norm. */
export function head(g: GraphBuilder, x: string, W1: string, b1: string, W2: string, b2: string): TowerTrace {
  const a1 = linear(g, x, W1, b1);
  const h1 = g.op1('Relu', [a1]);
  const z = linear(g, h1, W2, b2);
  const { y, norm } = l2normalize(g, z);
  return { x, a1, h1, z, y, norm };
}
