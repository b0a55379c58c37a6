/**
 * A tiny but real embedding space for evaluation tests: three towers written as ONNX graphs with GraphBuilder
 * and run by onnxruntime-node. Its geometry is designed so the right answers are known by construction:
 * - image tower: average-pool a 16×16 resize to 2×2 pixels, centre at 0.5 and project onto RGB, so an image
 *   embeds as the direction of its mean colour;
 * - text tower: token embeddings (colour words point at their RGB corner, other words are zero) mean-pooled and
 *   projected, so "a red square" embeds like a red image;
 * - audio tower: mean |amplitude| in each third of a 0.3 s clip, read as R, G, B.
 */
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { GraphBuilder } from '../../src/onnx/graph-builder.js';
import type { Space } from '../../src/spaces/space.js';
import type { PcmAudio, RgbImage } from '../../src/types.js';

export const COLOURS: Record<string, [number, number, number]> = {
  red: [1, 0, 0],
  green: [0, 1, 0],
  blue: [0, 0, 1],
  yellow: [1, 1, 0],
  cyan: [0, 1, 1],
  magenta: [1, 0, 1],
  white: [1, 1, 1],
  black: [0, 0, 0],
};

const DIM = 3;
const IMAGE_SIDE = 16;
const AUDIO_RATE = 1000;
const AUDIO_SAMPLES = 300;

export interface EvalSpaceOptions {
  /** Extra or replacing word vectors, in the centred RGB space (each component in [-0.5, 0.5]). */
  words?: Record<string, number[]>;
  id?: string;
}

function normalise(row: Float32Array): Float32Array {
  let n = 0;
  for (const v of row) n += v * v;
  n = Math.sqrt(n);
  return n > 1e-12 ? row.map((v) => v / n) : row;
}

function rows(flat: Float32Array, dim: number): Float32Array[] {
  return Array.from({ length: flat.length / dim }, (_, k) => normalise(flat.slice(k * dim, (k + 1) * dim)));
}

function textGraph(table: Float32Array, vocab: number): Uint8Array {
  const g = new GraphBuilder('eval_text');
  const ids = g.input('input_ids', 'int64', ['batch', 'seq']);
  const mask = g.input('attention_mask', 'float32', ['batch', 'seq']);
  const emb = g.op1('Gather', [g.initializer('table', { type: 'float32', dims: [vocab, DIM], data: table }), ids]);
  const m3 = g.op1('Unsqueeze', [mask, g.constInt64([2])]);
  const sum = g.op1('ReduceSum', [g.op1('Mul', [emb, m3]), g.constInt64([1])], { keepdims: 0 });
  const count = g.op1('Max', [g.op1('ReduceSum', [m3, g.constInt64([1])], { keepdims: 0 }), g.constFloat([1], [1])]);
  const proj = g.initializer('text_proj', { type: 'float32', dims: [DIM, DIM], data: [1, 0, 0, 0, 1, 0, 0, 0, 1] });
  g.op1('MatMul', [g.op1('Div', [sum, count]), proj], {}, 'text_embeds');
  g.output('text_embeds', 'float32', ['batch', DIM]);
  return g.toBytes();
}

function imageGraph(): Uint8Array {
  const g = new GraphBuilder('eval_image');
  const px = g.input('pixel_values', 'float32', ['batch', 3, IMAGE_SIDE, IMAGE_SIDE]);
  const pooled = g.op1('AveragePool', [px], { kernel_shape: [8, 8], strides: [8, 8] });
  const flat = g.op1('Reshape', [pooled, g.constInt64([-1, 12])]);
  // 12 pooled values (3 channels × 2×2 cells) → 3 dims: average the cells of each channel.
  const w = new Float32Array(12 * DIM);
  for (let c = 0; c < 3; c += 1) for (let p = 0; p < 4; p += 1) w[(c * 4 + p) * DIM + c] = 0.25;
  const centred = g.op1('Sub', [flat, g.constFloat([0.5], [1])]);
  g.op1('MatMul', [centred, g.initializer('image_proj', { type: 'float32', dims: [12, DIM], data: w })], {}, 'image_embeds');
  g.output('image_embeds', 'float32', ['batch', DIM]);
  return g.toBytes();
}

function audioGraph(): Uint8Array {
  const g = new GraphBuilder('eval_audio');
  const x = g.input('samples', 'float32', ['batch', AUDIO_SAMPLES]);
  const thirds = g.op1('Reshape', [x, g.constInt64([-1, 3, AUDIO_SAMPLES / 3])]);
  const energy = g.op1('ReduceMean', [g.op1('Abs', [thirds])], { axes: [2], keepdims: 0 });
  g.op1('Sub', [energy, g.constFloat([0.5], [1])], {}, 'audio_embeds');
  g.output('audio_embeds', 'float32', ['batch', DIM]);
  return g.toBytes();
}

/** Builds the tiny space; sessions are created once and released by `dispose`. */
export async function createEvalSpace(options: EvalSpaceOptions = {}): Promise<Space> {
  const words = new Map<string, number[]>();
  for (const [w, rgb] of Object.entries(COLOURS))
    words.set(
      w,
      rgb.map((v) => v - 0.5),
    );
  for (const [w, v] of Object.entries(options.words ?? {})) words.set(w.toLowerCase(), v);
  const vocab = ['<unk>', ...words.keys()];
  const table = new Float32Array(vocab.length * DIM);
  vocab.forEach((w, k) => {
    if (k > 0) table.set(words.get(w)!, k * DIM);
  });
  const index = new Map(vocab.map((w, k) => [w, k]));
  const [text, image, audio] = await Promise.all([
    ort.InferenceSession.create(textGraph(table, vocab.length)),
    ort.InferenceSession.create(imageGraph()),
    ort.InferenceSession.create(audioGraph()),
  ]);
  return {
    id: options.id ?? 'evaltiny',
    model: 'test/helpers/eval-space.ts',
    modalities: ['text', 'image', 'audio'],
    dim: DIM,
    version: '1',
    // The sessions are created above, so there is nothing left to load.
    async load() {},
    audioSampleRate: AUDIO_RATE,
    audioWindowSeconds: AUDIO_SAMPLES / AUDIO_RATE,
    async embedTexts(texts: string[]) {
      if (texts.length === 0) return [];
      const tokens = texts.map((t) =>
        t
          .toLowerCase()
          .split(/[^\p{L}\p{N}]+/u)
          .filter(Boolean),
      );
      const seq = Math.max(1, ...tokens.map((t) => t.length));
      const ids = new BigInt64Array(texts.length * seq);
      const mask = new Float32Array(texts.length * seq);
      tokens.forEach((t, b) =>
        t.forEach((w, s) => {
          ids[b * seq + s] = BigInt(index.get(w) ?? 0);
          mask[b * seq + s] = 1;
        }),
      );
      const out = await text.run({
        input_ids: new ort.Tensor('int64', ids, [texts.length, seq]),
        attention_mask: new ort.Tensor('float32', mask, [texts.length, seq]),
      });
      return rows(out.text_embeds.data as Float32Array, DIM);
    },
    async embedImages(images: RgbImage[]) {
      if (images.length === 0) return [];
      const plane = IMAGE_SIDE * IMAGE_SIDE;
      const px = new Float32Array(images.length * 3 * plane);
      for (let b = 0; b < images.length; b += 1) {
        const im = images[b];
        const small = await sharp(im.data, { raw: { width: im.width, height: im.height, channels: 3 } })
          .resize(IMAGE_SIDE, IMAGE_SIDE, { fit: 'fill' })
          .raw()
          .toBuffer();
        for (let p = 0; p < plane; p += 1) for (let c = 0; c < 3; c += 1) px[b * 3 * plane + c * plane + p] = small[p * 3 + c] / 255;
      }
      const out = await image.run({ pixel_values: new ort.Tensor('float32', px, [images.length, 3, IMAGE_SIDE, IMAGE_SIDE]) });
      return rows(out.image_embeds.data as Float32Array, DIM);
    },
    async embedAudio(clips: PcmAudio[]) {
      if (clips.length === 0) return [];
      const x = new Float32Array(clips.length * AUDIO_SAMPLES);
      clips.forEach((c, b) => x.set(c.samples.subarray(0, AUDIO_SAMPLES), b * AUDIO_SAMPLES));
      const out = await audio.run({ samples: new ort.Tensor('float32', x, [clips.length, AUDIO_SAMPLES]) });
      return rows(out.audio_embeds.data as Float32Array, DIM);
    },
    async dispose() {
      await Promise.all([text.release(), image.release(), audio.release()]);
    },
  };
}

/** A solid-colour image (optionally with seeded noise), as decoded RGB pixels. */
export function solidImage(rgb: [number, number, number], side = 32, noise = 0, seed = 1): RgbImage {
  const data = new Uint8Array(side * side * 3);
  let s = seed >>> 0;
  const rand = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296 - 0.5;
  };
  for (let p = 0; p < side * side; p += 1) {
    for (let c = 0; c < 3; c += 1) data[p * 3 + c] = Math.max(0, Math.min(255, Math.round(rgb[c] * 255 + noise * 255 * rand())));
  }
  return { data, width: side, height: side, channels: 3 };
}

/** Writes a solid-colour PNG, for dataset-driven tests. */
export async function writeSolidPng(path: string, rgb: [number, number, number], side = 32, noise = 0, seed = 1): Promise<void> {
  const im = solidImage(rgb, side, noise, seed);
  await sharp(im.data, { raw: { width: side, height: side, channels: 3 } })
    .png()
    .toFile(path);
}
