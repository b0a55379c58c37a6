import { GraphBuilder } from '../../onnx/graph-builder.js';
import { l2normalize, MINI } from '../model/mini-architecture.js';
import { audioFeatureNodes, type FixedLayer } from '../model/fixed-layers.js';
import { pyramidFeatureNodes } from '../features/pyramid-features.js';
import type { PatchFilters } from '../features/patch-kmeans.js';
import { buildJointClipModel, fromHalf, toHalf } from './mini-graphs.js';

/**
 * The CCA towers (recipe v2 and later): closed-form linear maps into the shared space, every one folded into MatMul + Add.
 * The token table is stored as int8 with a scale per token, the other large matrices as float16, decoded on load;
 * `roundRowsToInt8` and `roundToHalf` let the trainer evaluate exactly what ships.
 */
export interface CcaTowers {
  /** k-means filters of the image features (6×6 on 32 px). */
  filters: PatchFilters;
  /** Pooling grids of the filter responses (v2: [2], the quadrants; v3: [1, 2, 3]). */
  grids: number[];
  /** Image: raw pooled features [F] → (f·Wimg + bImg), [F, dim] and [dim]. */
  Wimg: Float32Array;
  bImg: Float32Array;
  /** Text: per-token table [vocab, dim] holding idf[v]·W[v,:]; idf [vocab] (0 for tokens outside the TF-IDF terms); projected mean [dim]. */
  table: Float32Array;
  idf: Float32Array;
  textMean: Float32Array;
  /** Audio: fixed layer (standardised) → features·Waud + bAud. */
  audioLayer: FixedLayer;
  Waud: Float32Array;
  bAud: Float32Array;
  logitScale: number;
}

export function roundToHalf(a: Float32Array): void {
  for (let i = 0; i < a.length; i++) a[i] = fromHalf(toHalf(a[i]));
}

/**
 * Symmetric int8 rows of a [rows, cols] table with one scale per row. The token table is most of the text
 * tower's size (8,000 tokens × 256); a text vector sums a few rows, so the ±0.4 % rounding does not move rankings.
 */
export function quantizeRows(a: Float32Array, cols: number): { q: Int8Array; scale: Float32Array } {
  const rows = a.length / cols;
  const q = new Int8Array(a.length),
    scale = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let max = 0;
    for (let c = 0; c < cols; c++) max = Math.max(max, Math.abs(a[r * cols + c]));
    scale[r] = max / 127 || 1;
    for (let c = 0; c < cols; c++) q[r * cols + c] = Math.round(a[r * cols + c] / scale[r]);
  }
  return { q, scale };
}

/** Replaces a table by what its int8 form decodes to, so the trainer evaluates exactly what ships. */
export function roundRowsToInt8(a: Float32Array, cols: number): void {
  const { q, scale } = quantizeRows(a, cols);
  for (let i = 0; i < a.length; i++) a[i] = q[i] * scale[Math.floor(i / cols)];
}

/** Rows of an int8 table for ids [B,L] → float [B,L,cols]: gather the rows and their scales, then multiply. */
function gatherInt8Rows(g: GraphBuilder, name: string, table: Float32Array, cols: number, ids: string): string {
  const { q, scale } = quantizeRows(table, cols);
  const rows = table.length / cols;
  const t = g.initializer(`${name}_int8`, { type: 'int8', dims: [rows, cols], data: q });
  const picked = g.op1('Cast', [g.op1('Gather', [t, ids], { axis: 0 })], { to: 1 });
  const s = g.op1('Gather', [g.constFloat(scale, [rows]), ids], { axis: 0 });
  return g.op1('Mul', [picked, g.op1('Unsqueeze', [s, g.constInt64([2])])]);
}

function half(g: GraphBuilder, name: string, data: Float32Array, dims: number[]): string {
  return g.op1('Cast', [g.initializer(`${name}_fp16`, { type: 'float16', dims, data: Uint16Array.from(data, toHalf) })], { to: 1 });
}

/**
 * TF-IDF text vector t (counts·idf over unmasked tokens) mapped as t/‖t‖·W − mean·W. Only the direction is
 * kept, so this equals Σ table[id] − ‖t‖·mean. ‖t‖² = Σᵢⱼ [idᵢ = idⱼ]·wᵢ·wⱼ with wᵢ = idf[idᵢ]·maskᵢ is exact with repeated tokens.
 */
function textEmbeds(g: GraphBuilder, t: CcaTowers, ids: string, mask: string, vocab: number): string {
  const m = g.op1('Cast', [mask], { to: 1 });
  const sum = g.op1(
    'ReduceSum',
    [
      g.op1('Mul', [gatherInt8Rows(g, 'token_table', t.table, MINI.dim, ids), g.op1('Unsqueeze', [m, g.constInt64([2])])]),
      g.constInt64([1]),
    ],
    { keepdims: 0 },
  );
  const w = g.op1('Mul', [g.op1('Gather', [g.constFloat(t.idf, [vocab]), ids], { axis: 0 }), m]); // [B,L]
  const same = g.op1(
    'Cast',
    [g.op1('Equal', [g.op1('Unsqueeze', [ids, g.constInt64([2])]), g.op1('Unsqueeze', [ids, g.constInt64([1])])])],
    { to: 1 },
  );
  const outer = g.op1('Mul', [g.op1('Unsqueeze', [w, g.constInt64([2])]), g.op1('Unsqueeze', [w, g.constInt64([1])])]);
  const sq = g.op1('Unsqueeze', [
    g.op1('ReduceSum', [g.op1('Mul', [same, outer]), g.constInt64([1, 2])], { keepdims: 0 }),
    g.constInt64([1]),
  ]); // [B,1]
  const z = g.op1('Sub', [sum, g.op1('Mul', [g.op1('Sqrt', [sq]), g.constFloat(t.textMean, [1, MINI.dim])])]);
  return l2normalize(g, z).y;
}

function imageEmbeds(g: GraphBuilder, t: CcaTowers, px: string): string {
  const f = pyramidFeatureNodes(g, px, t.filters, MINI.imageSize, MINI.imagePatch, t.grids);
  const F = t.Wimg.length / MINI.dim;
  return l2normalize(
    g,
    g.op1('Add', [g.op1('MatMul', [f, half(g, 'image_proj', t.Wimg, [F, MINI.dim])]), g.constFloat(t.bImg, [MINI.dim])]),
  ).y;
}

export function buildCcaTextModel(t: CcaTowers, vocab: number): Uint8Array {
  const g = new GraphBuilder('rosetta_mini_text');
  const ids = g.input('input_ids', 'int64', ['batch_size', 'sequence_length']);
  const mask = g.input('attention_mask', 'int64', ['batch_size', 'sequence_length']);
  g.op1('Identity', [textEmbeds(g, t, ids, mask, vocab)], {}, 'text_embeds');
  g.output('text_embeds', 'float32', ['batch_size', MINI.dim]);
  return g.toBytes();
}

export function buildCcaVisionModel(t: CcaTowers): Uint8Array {
  const g = new GraphBuilder('rosetta_mini_vision');
  const px = g.input('pixel_values', 'float32', ['batch_size', 3, MINI.imageSize, MINI.imageSize]);
  g.op1('Identity', [imageEmbeds(g, t, px)], {}, 'image_embeds');
  g.output('image_embeds', 'float32', ['batch_size', MINI.dim]);
  return g.toBytes();
}

export function buildCcaAudioModel(t: CcaTowers, frames: number): Uint8Array {
  const g = new GraphBuilder('rosetta_mini_audio');
  const x = g.input('input_features', 'float32', ['batch_size', 1, frames, MINI.melBins]);
  const f = audioFeatureNodes(g, x, t.audioLayer, frames);
  const A = t.Waud.length / MINI.dim;
  const y = l2normalize(
    g,
    g.op1('Add', [g.op1('MatMul', [f, half(g, 'audio_proj', t.Waud, [A, MINI.dim])]), g.constFloat(t.bAud, [MINI.dim])]),
  ).y;
  g.op1('Identity', [y], {}, 'audio_embeds');
  g.output('audio_embeds', 'float32', ['batch_size', MINI.dim]);
  return g.toBytes();
}

/** `model.onnx` for CLIPModel and the zero-shot pipeline. */
export function buildCcaClipModel(t: CcaTowers, vocab: number): Uint8Array {
  return buildJointClipModel((g, ids, mask, px) => ({
    text: textEmbeds(g, t, ids, mask, vocab),
    image: imageEmbeds(g, t, px),
    scale: g.constFloat([t.logitScale], []),
  }));
}
