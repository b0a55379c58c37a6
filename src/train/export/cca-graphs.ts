import { GraphBuilder } from '../onnx/graph-builder.js';
import { l2normalize, MINI } from '../model/mini-architecture.js';
import { audioFeatureNodes, type FixedLayer } from '../model/fixed-layers.js';
import { quadrantFeatureNodes } from '../features/quadrant-features.js';
import type { PatchFilters } from '../features/patch-kmeans.js';
import { buildJointClipModel, fromHalf, toHalf } from './mini-graphs.js';

/**
 * The v2 towers: closed-form linear maps into the shared space, every one folded into MatMul + Add.
 * Large matrices are stored as float16 and cast on load; `roundToHalf` lets the trainer evaluate exactly what ships.
 */
export interface CcaTowers {
  /** k-means filters of the image features (6×6 on 32 px). */
  filters: PatchFilters;
  /** Image: raw quadrant features [F] → (f·Wimg + bImg), [F, dim] and [dim]. */
  Wimg: Float32Array; bImg: Float32Array;
  /** Text: per-token table [vocab, dim] holding idf[v]·W[v,:]; idf [vocab] (0 for tokens outside the TF-IDF terms); projected mean [dim]. */
  table: Float32Array; idf: Float32Array; textMean: Float32Array;
  /** Audio: fixed layer (standardised) → features·Waud + bAud. */
  audioLayer: FixedLayer; Waud: Float32Array; bAud: Float32Array;
  logitScale: number;
}

export function roundToHalf(a: Float32Array): void { for (let i = 0; i < a.length; i++) a[i] = fromHalf(toHalf(a[i])); }

function half(g: GraphBuilder, name: string, data: Float32Array, dims: number[]): string {
  return g.op1('Cast', [g.initializer(`${name}_fp16`, { type: 'float16', dims, data: Uint16Array.from(data, toHalf) })], { to: 1 });
}

/**
 * TF-IDF text vector t (counts·idf over unmasked tokens) mapped as t/‖t‖·W − mean·W. Only the direction is
 * kept, so this equals Σ table[id] − ‖t‖·mean. ‖t‖² = Σᵢⱼ [idᵢ = idⱼ]·wᵢ·wⱼ with wᵢ = idf[idᵢ]·maskᵢ is exact with repeated tokens.
 */
function textEmbeds(g: GraphBuilder, t: CcaTowers, ids: string, mask: string, vocab: number): string {
  const m = g.op1('Cast', [mask], { to: 1 });
  const sum = g.op1('ReduceSum', [g.op1('Mul', [g.op1('Gather', [half(g, 'token_table', t.table, [vocab, MINI.dim]), ids], { axis: 0 }), g.op1('Unsqueeze', [m, g.constInt64([2])])]), g.constInt64([1])], { keepdims: 0 });
  const w = g.op1('Mul', [g.op1('Gather', [g.constFloat(t.idf, [vocab]), ids], { axis: 0 }), m]); // [B,L]
  const same = g.op1('Cast', [g.op1('Equal', [g.op1('Unsqueeze', [ids, g.constInt64([2])]), g.op1('Unsqueeze', [ids, g.constInt64([1])])])], { to: 1 });
  const outer = g.op1('Mul', [g.op1('Unsqueeze', [w, g.constInt64([2])]), g.op1('Unsqueeze', [w, g.constInt64([1])])]);
  const sq = g.op1('Unsqueeze', [g.op1('ReduceSum', [g.op1('Mul', [same, outer]), g.constInt64([1, 2])], { keepdims: 0 }), g.constInt64([1])]); // [B,1]
  const z = g.op1('Sub', [sum, g.op1('Mul', [g.op1('Sqrt', [sq]), g.constFloat(t.textMean, [1, MINI.dim])])]);
  return l2normalize(g, z).y;
}

function imageEmbeds(g: GraphBuilder, t: CcaTowers, px: string): string {
  const f = quadrantFeatureNodes(g, px, t.filters, MINI.imageSize, MINI.imagePatch);
  const F = t.Wimg.length / MINI.dim;
  return l2normalize(g, g.op1('Add', [g.op1('MatMul', [f, half(g, 'image_proj', t.Wimg, [F, MINI.dim])]), g.constFloat(t.bImg, [MINI.dim])])).y;
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
  const y = l2normalize(g, g.op1('Add', [g.op1('MatMul', [f, half(g, 'audio_proj', t.Waud, [A, MINI.dim])]), g.constFloat(t.bAud, [MINI.dim])])).y;
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
