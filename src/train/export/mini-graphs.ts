import { GraphBuilder } from '../../onnx/graph-builder.js';
import { MINI } from '../model/mini-architecture.js';

/** IEEE half bit pattern of a float (round to nearest even). */
export function toHalf(v: number): number {
  const f = new Float32Array([v]);
  const x = new Uint32Array(f.buffer)[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = ((x >>> 23) & 0xff) - 127 + 15;
  let mant = x & 0x7fffff;
  if (exp >= 31) return sign | 0x7c00;
  if (exp <= 0) {
    if (exp < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - exp;
    let half = mant >> shift;
    if ((mant >> (shift - 1)) & 1 && (mant & ((1 << (shift - 1)) - 1) || half & 1)) half += 1;
    return sign | half;
  }
  let half = sign | (exp << 10) | (mant >> 13);
  if (mant & 0x1000 && (mant & 0xfff || half & 1)) half += 1;
  return half;
}

export function fromHalf(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f,
    mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 31) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/**
 * The CLIPModel wrapper every mini recipe shares: the three inputs, the towers `towers` adds, and
 * logits both ways plus both embeddings as outputs.
 */
export function buildJointClipModel(
  towers: (g: GraphBuilder, ids: string, mask: string, px: string) => { text: string; image: string; scale: string },
): Uint8Array {
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
