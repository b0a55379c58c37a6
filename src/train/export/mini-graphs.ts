import { GraphBuilder } from '../../onnx/graph-builder.js';
import { head, MINI, textPool, type ParamName, type Params } from '../model/mini-architecture.js';
import { audioFeatureNodes, imageFeatureNodes, type FixedLayer } from '../model/fixed-layers.js';

/** IEEE half bit pattern of a float (round to nearest even). */
export function toHalf(v: number): number {
  const f = new Float32Array([v]);
  const x = new Uint32Array(f.buffer)[0];
  const sign = (x >>> 16) & 0x8000;
  let exp = ((x >>> 23) & 0xff) - 127 + 15;
  let mant = x & 0x7fffff;
  if (exp >= 31) return sign | 0x7c00;
  if (exp <= 0) {
    if (exp < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - exp;
    let half = mant >> shift;
    if ((mant >> (shift - 1)) & 1 && ((mant & ((1 << (shift - 1)) - 1)) || (half & 1))) half += 1;
    return sign | half;
  }
  let half = sign | (exp << 10) | (mant >> 13);
  if ((mant & 0x1000) && ((mant & 0xfff) || (half & 1))) half += 1;
  return half;
}

export function fromHalf(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 31) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** Rounds every parameter to half precision in place: the exported files store halves, so the trainer's own vectors match them exactly. */
export function roundParamsToHalf(params: Params): void {
  for (const p of Object.values(params)) for (let i = 0; i < p.data.length; i++) p.data[i] = fromHalf(toHalf(p.data[i]));
}

/** Weights are stored as float16 (half the file size) and cast to float32 on load; the graph computes in fp32. */
function weight(g: GraphBuilder, params: Params, name: ParamName): string {
  const p = params[name];
  const init = g.initializer(`${name}_fp16`, { type: 'float16', dims: p.dims, data: Uint16Array.from(p.data, toHalf) });
  return g.op1('Cast', [init], { to: 1 }, name);
}

function textEmbeds(g: GraphBuilder, params: Params, ids: string, mask: string): string {
  const pooled = textPool(g, ids, mask, weight(g, params, 'E'));
  return head(g, pooled, weight(g, params, 'Wt1'), weight(g, params, 'bt1'), weight(g, params, 'Wt2'), weight(g, params, 'bt2')).y;
}

function imageEmbeds(g: GraphBuilder, params: Params, layer: FixedLayer, pixels: string): string {
  const f = imageFeatureNodes(g, pixels, layer);
  return head(g, f, weight(g, params, 'Wi1'), weight(g, params, 'bi1'), weight(g, params, 'Wi2'), weight(g, params, 'bi2')).y;
}

/** `text_model.onnx`: input_ids, attention_mask (int64) → text_embeds (L2-normalised). */
export function buildTextModel(params: Params): Uint8Array {
  const g = new GraphBuilder('rosetta_mini_text');
  const ids = g.input('input_ids', 'int64', ['batch_size', 'sequence_length']);
  const mask = g.input('attention_mask', 'int64', ['batch_size', 'sequence_length']);
  g.op1('Identity', [textEmbeds(g, params, ids, mask)], {}, 'text_embeds');
  g.output('text_embeds', 'float32', ['batch_size', MINI.dim]);
  return g.toBytes();
}

/** `vision_model.onnx`: pixel_values [N,3,32,32] → image_embeds. */
export function buildVisionModel(params: Params, layer: FixedLayer): Uint8Array {
  const g = new GraphBuilder('rosetta_mini_vision');
  const px = g.input('pixel_values', 'float32', ['batch_size', 3, MINI.imageSize, MINI.imageSize]);
  g.op1('Identity', [imageEmbeds(g, params, layer, px)], {}, 'image_embeds');
  g.output('image_embeds', 'float32', ['batch_size', MINI.dim]);
  return g.toBytes();
}

/** `audio_model.onnx`: input_features [N,1,T,mel] → audio_embeds. */
export function buildAudioModel(params: Params, layer: FixedLayer, frames: number): Uint8Array {
  const g = new GraphBuilder('rosetta_mini_audio');
  const x = g.input('input_features', 'float32', ['batch_size', 1, frames, MINI.melBins]);
  const f = audioFeatureNodes(g, x, layer, frames);
  const y = head(g, f, weight(g, params, 'Wa1'), weight(g, params, 'ba1'), weight(g, params, 'Wa2'), weight(g, params, 'ba2')).y;
  g.op1('Identity', [y], {}, 'audio_embeds');
  g.output('audio_embeds', 'float32', ['batch_size', MINI.dim]);
  return g.toBytes();
}

/** `model.onnx` for CLIPModel and the zero-shot pipeline: all inputs → logits both ways and both embeddings. */
export function buildClipModel(params: Params, layer: FixedLayer): Uint8Array {
  return buildJointClipModel((g, ids, mask, px) => ({
    text: textEmbeds(g, params, ids, mask),
    image: imageEmbeds(g, params, layer, px),
    scale: g.op1('Exp', [weight(g, params, 'logScale')]),
  }));
}

/**
 * The CLIPModel wrapper every mini recipe shares: the three inputs, the towers `towers` adds, and
 * logits both ways plus both embeddings as outputs.
 */
export function buildJointClipModel(towers: (g: GraphBuilder, ids: string, mask: string, px: string) => { text: string; image: string; scale: string }): Uint8Array {
  const g = new GraphBuilder('rosetta_mini_clip');
  const ids = g.input('input_ids', 'int64', ['text_batch_size', 'sequence_length']);
  const mask = g.input('attention_mask', 'int64', ['text_batch_size', 'sequence_length']);
  const px = g.input('pixel_values', 'float32', ['image_batch_size', 3, MINI.imageSize, MINI.imageSize]);
  const made = towers(g, ids, mask, px);
  const t = g.op1('Identity', [made.text], {}, 'text_embeds');
  const i = g.op1('Identity', [made.image], {}, 'image_embeds');
  const lpi = g.op1('Mul', [g.op1('Gemm', [i, t], { transB: 1 }), made.scale], {}, 'logits_per_image');
  g.op1('Transpose', [lpi], { perm: [1, 0] }, 'logits_per_text');
  g.output('logits_per_image', 'float32', ['image_batch_size', 'text_batch_size']);
  g.output('logits_per_text', 'float32', ['text_batch_size', 'image_batch_size']);
  g.output('text_embeds', 'float32', ['text_batch_size', MINI.dim]);
  g.output('image_embeds', 'float32', ['image_batch_size', MINI.dim]);
  return g.toBytes();
}
