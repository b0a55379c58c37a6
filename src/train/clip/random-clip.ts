import { GraphBuilder } from '../../onnx/graph-builder.js';

/** The sizes that define a CLIP (HF `CLIPModel`): a ViT image tower and a causal text transformer. */
export interface ClipArchitecture {
  vision: { layers: number; width: number; heads: number; mlp: number; patch: number; image: number };
  text: { layers: number; width: number; heads: number; mlp: number; vocab: number; context: number };
  projection: number;
}

/** openai/clip-vit-base-patch32, from its config.json: 87.8 M vision and 63.2 M text parameters. */
export const CLIP_VIT_B32: ClipArchitecture = Object.freeze({
  vision: { layers: 12, width: 768, heads: 12, mlp: 3072, patch: 32, image: 224 },
  text: { layers: 12, width: 512, heads: 8, mlp: 2048, vocab: 49408, context: 77 },
  projection: 512,
});

export interface RandomTowerOptions {
  /** Seed of the weights (a build is byte-reproducible). Default 1. */
  seed?: number;
  /**
   * Store every linear layer's weights as int8 (one scale per matrix) and quantise activations on the fly
   * (DynamicQuantizeLinear + MatMulInteger), as ONNX Runtime's dynamic quantisation writes Transformers.js'
   * `*_quantized.onnx` files. Default false (fp32).
   */
  quantize?: boolean;
}

/** Uniform random numbers with a given standard deviation (mulberry32; fast and seeded). */
class Weights {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 1;
  }
  private next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  fill(n: number, std: number): Float32Array {
    const out = new Float32Array(n);
    const a = std * Math.sqrt(3);
    for (let i = 0; i < n; i += 1) out[i] = (this.next() * 2 - 1) * a;
    return out;
  }
}

/** Writes the layers of a CLIP transformer into one graph. */
class TowerWriter {
  constructor(
    readonly g: GraphBuilder,
    readonly w: Weights,
    readonly quantize: boolean,
  ) {}

  /** x · W (+ b), W of shape [inDim, outDim]. */
  linear(x: string, inDim: number, outDim: number, name: string, bias = true): string {
    const data = this.w.fill(inDim * outDim, 0.02);
    let y: string;
    if (this.quantize) {
      let max = 0;
      for (const v of data) max = Math.max(max, Math.abs(v));
      const scale = max / 127 || 1;
      const q = new Int8Array(data.length);
      for (let i = 0; i < data.length; i += 1) q[i] = Math.round(data[i] / scale);
      const wq = this.g.initializer(`${name}.weight_quantized`, { type: 'int8', dims: [inDim, outDim], data: q });
      const wZero = this.g.initializer(`${name}.weight_zero_point`, { type: 'int8', dims: [], data: [0] });
      const [xq, xScale, xZero] = this.g.op('DynamicQuantizeLinear', [x], {}, 3);
      const acc = this.g.op1('MatMulInteger', [xq, wq, xZero, wZero]);
      const rescale = this.g.op1('Mul', [xScale, this.g.constFloat([scale], [])]);
      y = this.g.op1('Mul', [this.g.op1('Cast', [acc], { to: 1 }), rescale]);
    } else {
      y = this.g.op1('MatMul', [x, this.g.initializer(`${name}.weight`, { type: 'float32', dims: [inDim, outDim], data })]);
    }
    return bias
      ? this.g.op1('Add', [y, this.g.initializer(`${name}.bias`, { type: 'float32', dims: [outDim], data: this.w.fill(outDim, 0.02) })])
      : y;
  }

  layerNorm(x: string, dim: number, name: string): string {
    const gamma = this.g.initializer(`${name}.weight`, { type: 'float32', dims: [dim], data: new Float32Array(dim).fill(1) });
    const beta = this.g.initializer(`${name}.bias`, { type: 'float32', dims: [dim], data: new Float32Array(dim) });
    return this.g.op1('LayerNormalization', [x, gamma, beta], { axis: -1, epsilon: 1e-5 });
  }

  /** Multi-head self-attention over x [batch, seq, dim]; `mask` is added to the scores when given. */
  attention(x: string, dim: number, heads: number, name: string, mask?: string): string {
    const head = dim / heads;
    const split = this.g.constInt64([0, 0, heads, head]);
    const q = this.g.op1('Transpose', [this.g.op1('Reshape', [this.linear(x, dim, dim, `${name}.q_proj`), split])], { perm: [0, 2, 1, 3] });
    const k = this.g.op1('Transpose', [this.g.op1('Reshape', [this.linear(x, dim, dim, `${name}.k_proj`), split])], { perm: [0, 2, 3, 1] });
    const v = this.g.op1('Transpose', [this.g.op1('Reshape', [this.linear(x, dim, dim, `${name}.v_proj`), split])], { perm: [0, 2, 1, 3] });
    let scores = this.g.op1('Mul', [this.g.op1('MatMul', [q, k]), this.g.constFloat([1 / Math.sqrt(head)], [])]);
    if (mask) scores = this.g.op1('Add', [scores, mask]);
    const context = this.g.op1('MatMul', [this.g.op1('Softmax', [scores], { axis: -1 }), v]);
    const merged = this.g.op1('Reshape', [this.g.op1('Transpose', [context], { perm: [0, 2, 1, 3] }), this.g.constInt64([0, 0, dim])]);
    return this.linear(merged, dim, dim, `${name}.out_proj`);
  }

  /** One pre-norm encoder layer: x + attn(LN(x)), then + MLP(LN(·)) with quick-GELU. */
  layer(x: string, dim: number, heads: number, mlp: number, name: string, mask?: string): string {
    const h = this.g.op1('Add', [x, this.attention(this.layerNorm(x, dim, `${name}.layer_norm1`), dim, heads, `${name}.self_attn`, mask)]);
    const up = this.linear(this.layerNorm(h, dim, `${name}.layer_norm2`), dim, mlp, `${name}.mlp.fc1`);
    const act = this.g.op1('Mul', [up, this.g.op1('Sigmoid', [this.g.op1('Mul', [up, this.g.constFloat([1.702], [])])])]);
    return this.g.op1('Add', [h, this.linear(act, mlp, dim, `${name}.mlp.fc2`)]);
  }
}

/**
 * The CLIP vision tower with projection (Transformers.js' `CLIPVisionModelWithProjection` layout):
 * pixel_values [batch, 3, image, image] → image_embeds [batch, projection]. Random weights, exact sizes.
 */
export function buildClipVisionTower(arch: ClipArchitecture = CLIP_VIT_B32, options: RandomTowerOptions = {}): Uint8Array {
  const { layers, width, heads, mlp, patch, image } = arch.vision;
  const g = new GraphBuilder('clip_vision');
  const t = new TowerWriter(g, new Weights(options.seed ?? 1), options.quantize ?? false);
  const pixels = g.input('pixel_values', 'float32', ['batch', 3, image, image]);
  const patches = (image / patch) ** 2;
  const conv = g.initializer('vision.patch_embedding.weight', {
    type: 'float32',
    dims: [width, 3, patch, patch],
    data: t.w.fill(width * 3 * patch * patch, 0.02),
  });
  const grid = g.op1('Conv', [pixels, conv], { kernel_shape: [patch, patch], strides: [patch, patch] });
  const tokens = g.op1('Transpose', [g.op1('Reshape', [grid, g.constInt64([0, width, -1])])], { perm: [0, 2, 1] });
  const batch = g.op1('Slice', [g.op1('Shape', [pixels]), g.constInt64([0]), g.constInt64([1])]);
  const clsShape = g.op1('Concat', [batch, g.constInt64([1, width])], { axis: 0 });
  const cls = g.op1('Expand', [
    g.initializer('vision.class_embedding', { type: 'float32', dims: [1, 1, width], data: t.w.fill(width, 0.02) }),
    clsShape,
  ]);
  const positions = g.initializer('vision.position_embedding', {
    type: 'float32',
    dims: [patches + 1, width],
    data: t.w.fill((patches + 1) * width, 0.02),
  });
  let x = g.op1('Add', [g.op1('Concat', [cls, tokens], { axis: 1 }), positions]);
  x = t.layerNorm(x, width, 'vision.pre_layrnorm');
  for (let i = 0; i < layers; i += 1) x = t.layer(x, width, heads, mlp, `vision.layers.${i}`);
  const pooled = t.layerNorm(g.op1('Gather', [x, g.constInt64([0], [])], { axis: 1 }), width, 'vision.post_layernorm');
  g.op1('Identity', [t.linear(pooled, width, arch.projection, 'visual_projection', false)], {}, 'image_embeds');
  g.output('image_embeds', 'float32', ['batch', arch.projection]);
  return g.toBytes();
}

/**
 * The CLIP text tower with projection (`CLIPTextModelWithProjection`): input_ids, attention_mask
 * [batch, seq] → text_embeds [batch, projection]. Causal attention; pooled at the first end-of-text token
 * (the highest id, as HF's CLIP takes the argmax of the ids). Random weights, exact sizes.
 */
export function buildClipTextTower(arch: ClipArchitecture = CLIP_VIT_B32, options: RandomTowerOptions = {}): Uint8Array {
  const { layers, width, heads, mlp, vocab, context } = arch.text;
  const g = new GraphBuilder('clip_text');
  const t = new TowerWriter(g, new Weights((options.seed ?? 1) + 7919), options.quantize ?? false);
  const ids = g.input('input_ids', 'int64', ['batch', 'sequence']);
  const mask = g.input('attention_mask', 'int64', ['batch', 'sequence']);
  const table = g.initializer('text.token_embedding', { type: 'float32', dims: [vocab, width], data: t.w.fill(vocab * width, 0.02) });
  const positions = g.initializer('text.position_embedding', {
    type: 'float32',
    dims: [context, width],
    data: t.w.fill(context * width, 0.01),
  });
  const seq = g.op1('Gather', [g.op1('Shape', [ids]), g.constInt64([1], [])], { axis: 0 });
  const seq1 = g.op1('Unsqueeze', [seq, g.constInt64([0])]);
  const range = g.op1('Range', [g.constInt64([0], []), seq, g.constInt64([1], [])]);
  let x = g.op1('Add', [g.op1('Gather', [table, ids], { axis: 0 }), g.op1('Gather', [positions, range], { axis: 0 })]);
  // Causal mask [seq, seq] (−1e9 above the diagonal) plus padding mask [batch, 1, 1, seq].
  const ones = g.op1('ConstantOfShape', [g.op1('Concat', [seq1, seq1], { axis: 0 })], {
    value: { tensor: { type: 'float32', dims: [1], data: [1] } },
  });
  const causal = g.op1('Mul', [g.op1('Trilu', [ones, g.constInt64([1], [])], { upper: 1 }), g.constFloat([-1e9], [])]);
  const padding = g.op1('Mul', [g.op1('Sub', [g.constFloat([1], []), g.op1('Cast', [mask], { to: 1 })]), g.constFloat([-1e9], [])]);
  const attnMask = g.op1('Add', [causal, g.op1('Unsqueeze', [padding, g.constInt64([1, 2])])]);
  for (let i = 0; i < layers; i += 1) x = t.layer(x, width, heads, mlp, `text.layers.${i}`, attnMask);
  x = t.layerNorm(x, width, 'text.final_layer_norm');
  const eos = g.op1('ArgMax', [ids], { axis: 1, keepdims: 0 });
  const pick = g.op1('Unsqueeze', [g.op1('OneHot', [eos, seq1, g.constFloat([0, 1])], { axis: -1 }), g.constInt64([1])]);
  const pooled = g.op1('Reshape', [g.op1('MatMul', [pick, x]), g.constInt64([0, width])]);
  g.op1('Identity', [t.linear(pooled, width, arch.projection, 'text_projection', false)], {}, 'text_embeds');
  g.output('text_embeds', 'float32', ['batch', arch.projection]);
  return g.toBytes();
}
