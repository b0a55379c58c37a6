import sharp from 'sharp';
import type { ModelRuntimeOptions } from '../../models/runtime-options.js';
import type { Space } from '../../spaces/space.js';
import type { MediaInput, RgbImage } from '../../types.js';
import { expectNumberIn, expectPositiveInt, invalidArgument } from '../../util/validate.js';
import { dot, weightedMean } from '../../vectors/vector-math.js';
import { readImage } from '../../media/image/read-image.js';
import { throwIfAborted } from '../abort.js';
import { generatorNoise, MiniGenerator } from './mini-generator.js';

/** Side of the PNGs written by default: the 32 px samples enlarged 8× with nearest-neighbour (crisp pixels, nothing invented). */
export const MINI_OUTPUT_SIZE = 256;

/** The space a rosetta-mini generator is conditioned on: its own text (and image) towers. */
export type MiniConditioner = Pick<Space, 'id' | 'dim' | 'embedTexts' | 'embedImages'>;

export interface MiniSamplingOptions extends ModelRuntimeOptions {
  /** Seed of the starting noise (0 … 2³²−1): one seed gives identical pixels. Default: drawn at random and returned. */
  seed?: number;
  /** Side of the PNGs in pixels, enlarged from the native 32 px with nearest-neighbour. Default 256. */
  size?: number;
  /** Euler steps (default: generator.json's, 30 for v5). */
  steps?: number;
  /** Classifier-free guidance scale (default: generator.json's, 3 for v5). */
  guidance?: number;
  signal?: AbortSignal;
}

export interface MiniImagineOptions extends MiniSamplingOptions {
  /** Pictures to sample, each from its own noise; they are ranked, best first. Default 4. */
  samples?: number;
  /** A reference picture whose image-tower vector is mixed into the condition (it steers the pixels, not only the choice). */
  image?: RgbImage | MediaInput;
  /** Weight of the reference in the condition, 0–1: c = normalise((1 − w)·text + w·image). Default 0.5 with `image`. */
  imageWeight?: number;
}

export interface MiniSample {
  /** The sample at the generator's native size (32 px for v5). */
  image: RgbImage;
  /** `image` enlarged to `size` px, as PNG. */
  png: Buffer;
  /** Cosine of the sample's image vector with the condition (the ranking score). */
  score: number;
  /** Which noise it came from: sample `index` of `seed`. */
  index: number;
}

export interface MiniImagineResult {
  /** The best sample (native size). */
  image: RgbImage;
  /** The best sample as a `size` px PNG. */
  png: Buffer;
  score: number;
  /** Every sample, best first. */
  candidates: MiniSample[];
  prompt: string;
  /** The model directory whose generator drew them. */
  model: string;
  seed: number;
  /** The condition the generator saw (unit vector in the space). */
  condition: Float32Array;
  imageWeight: number;
  size: number;
}

/** Validates the seed, or draws one (returned, so a picture can be made again). */
export function resolveSeed(seed: number | undefined): number {
  if (seed === undefined) return Math.floor(Math.random() * 2 ** 32);
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) throw invalidArgument('seed', 'an integer from 0 to 4294967295', seed);
  return seed;
}

/** Enlarges a native sample to `size` px (nearest-neighbour) as PNG. */
export async function samplePng(image: RgbImage, size: number): Promise<Buffer> {
  return sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), {
    raw: { width: image.width, height: image.height, channels: 3 },
  })
    .resize(size, size, { kernel: 'nearest' })
    .png()
    .toBuffer();
}

export function expectOutputSize(size: number | undefined): number {
  const s = expectPositiveInt('size', size ?? MINI_OUTPUT_SIZE, 2048);
  if (s < 16 || s % 2) throw invalidArgument('size', 'an even number of pixels from 16 to 2048', size);
  return s;
}

/**
 * Text (+ reference picture) → pictures with a rosetta-mini v5 generator: the prompt's text-tower vector is the
 * condition — mixed with the reference's image-tower vector by `imageWeight` when a reference is given — and each
 * sample starts from its own seeded noise. Samples are ranked by the cosine of their image vector with the
 * condition (the space's ranking of candidates), best first.
 * @example
 * const r = await imagineMini(space, 'models/rosetta-mini', 'pizza', { samples: 4, seed: 7 });
 */
export async function imagineMini(
  space: MiniConditioner,
  modelDir: string,
  prompt: string,
  options: MiniImagineOptions = {},
): Promise<MiniImagineResult> {
  if (typeof prompt !== 'string' || !prompt.trim()) throw invalidArgument('prompt', 'a non-empty string', prompt);
  const samples = expectPositiveInt('samples', options.samples ?? 4, 64);
  const imageWeight = options.image !== undefined ? expectNumberIn('imageWeight', options.imageWeight ?? 0.5, 0, 1) : 0;
  const size = expectOutputSize(options.size);
  const seed = resolveSeed(options.seed);
  const generator = await MiniGenerator.open(modelDir, options);
  throwIfAborted(options.signal, 'image generation');
  const [text] = await space.embedTexts([prompt.trim()]);
  let condition = text;
  if (options.image !== undefined) {
    if (!space.embedImages) throw invalidArgument('image', `a space with an image tower (space ${space.id} has none)`, 'image');
    const reference = await readImage(options.image, { parameter: 'image' });
    const [r] = await space.embedImages([reference]);
    condition = weightedMean([
      { w: 1 - imageWeight, v: text },
      { w: imageWeight, v: r },
    ]);
  }
  const rows = Array.from({ length: samples }, (_, index) => ({ condition, noise: generatorNoise(seed, index, generator.latentSize) }));
  const images = await generator.sample(rows, options);
  const scores = space.embedImages ? (await space.embedImages(images)).map((v) => dot(v, condition)) : images.map(() => 0);
  const candidates = await Promise.all(
    images.map(async (image, index) => ({ image, png: await samplePng(image, size), score: scores[index], index })),
  );
  candidates.sort((a, b) => b.score - a.score || a.index - b.index);
  const best = candidates[0];
  return {
    image: best.image,
    png: best.png,
    score: best.score,
    candidates,
    prompt: prompt.trim(),
    model: modelDir,
    seed,
    condition,
    imageWeight,
    size,
  };
}
