import type { RgbImage } from '../../types.js';
import { expectPositiveInt, invalidArgument } from '../../util/validate.js';
import { dot, l2normalize } from '../../vectors/vector-math.js';
import { clipScore } from '../../vectors/scores.js';
import { writeVideo } from '../../media/video/write-video.js';
import { throwIfAborted } from '../abort.js';
import { generatorNoise, MiniGenerator } from './mini-generator.js';
import { expectOutputSize, resolveSeed, type MiniConditioner, type MiniSamplingOptions } from './imagine-mini.js';

export interface AnimateOptions extends MiniSamplingOptions {
  /** Frames in the clip (≥ 2): frame k is conditioned on slerp(A, B, k / (frames − 1)). Default 16. */
  frames?: number;
  /** Frames per second of the MP4. Default 8. */
  fps?: number;
  /** Where to write the MP4; without it only the frames and the curve are returned. */
  out?: string;
}

/** One frame of the clip, with its consistency against both prompts (cosine and CLIPScore, as `rosetta check` scores pairs). */
export interface AnimateFrame {
  index: number;
  /** Position between the prompts: 0 = A, 1 = B. */
  t: number;
  /** The frame at the generator's native size. */
  image: RgbImage;
  cosineA: number;
  cosineB: number;
  /** CLIPScore 2.5 · max(cos, 0) against prompt A. */
  scoreA: number;
  scoreB: number;
}

export interface AnimateResult {
  promptA: string;
  promptB: string;
  frames: AnimateFrame[];
  seed: number;
  model: string;
  space: string;
  fps: number;
  size: number;
  /** The MP4 written (with `out`). */
  out?: string;
  codec?: string;
}

/** Spherical interpolation between unit vectors (linear, renormalised, when they are nearly parallel). */
export function slerp(a: Float32Array, b: Float32Array, t: number): Float32Array {
  const cos = Math.max(-1, Math.min(1, dot(a, b)));
  const omega = Math.acos(cos);
  const out = new Float32Array(a.length);
  if (omega < 1e-4) {
    for (let i = 0; i < a.length; i += 1) out[i] = (1 - t) * a[i] + t * b[i];
    return l2normalize(out);
  }
  const s = Math.sin(omega);
  const wa = Math.sin((1 - t) * omega) / s;
  const wb = Math.sin(t * omega) / s;
  for (let i = 0; i < a.length; i += 1) out[i] = wa * a[i] + wb * b[i];
  return l2normalize(out);
}

/**
 * A short clip whose conditioning moves from prompt A to prompt B: frame k is sampled from the slerp of the two
 * text vectors at k / (frames − 1), every frame from the same noise (sample 0 of `seed`) so the picture changes
 * smoothly; written as MP4 (nearest-neighbour to `size` px) when `out` is given. Each frame is scored against both
 * prompts in the space (its consistency curve: A should fall and B rise along the clip).
 * @example
 * const clip = await animateMini(space, 'models/rosetta-mini', 'cat', 'dog', { frames: 16, seed: 3, out: 'cat-dog.mp4' });
 */
export async function animateMini(
  space: MiniConditioner,
  modelDir: string,
  promptA: string,
  promptB: string,
  options: AnimateOptions = {},
): Promise<AnimateResult> {
  for (const [name, p] of [
    ['promptA', promptA],
    ['promptB', promptB],
  ] as const) {
    if (typeof p !== 'string' || !p.trim()) throw invalidArgument(name, 'a non-empty string', p);
  }
  const count = expectPositiveInt('frames', options.frames ?? 16, 600);
  if (count < 2) throw invalidArgument('frames', 'at least 2 frames', count);
  const fps = expectPositiveInt('fps', options.fps ?? 8, 120);
  const size = expectOutputSize(options.size);
  const seed = resolveSeed(options.seed);
  const generator = await MiniGenerator.open(modelDir, options);
  const [a, b] = await space.embedTexts([promptA.trim(), promptB.trim()]);
  const noise = generatorNoise(seed, 0, generator.latentSize);
  const ts = Array.from({ length: count }, (_, k) => k / (count - 1));
  const images = await generator.sample(
    ts.map((t) => ({ condition: slerp(a, b, t), noise })),
    options,
  );
  throwIfAborted(options.signal, 'animation');
  const vectors = space.embedImages ? await space.embedImages(images) : undefined;
  const frames = images.map((image, index) => {
    const cosineA = vectors ? dot(vectors[index], a) : Number.NaN;
    const cosineB = vectors ? dot(vectors[index], b) : Number.NaN;
    return { index, t: ts[index], image, cosineA, cosineB, scoreA: clipScore(cosineA), scoreB: clipScore(cosineB) };
  });
  const result: AnimateResult = {
    promptA: promptA.trim(),
    promptB: promptB.trim(),
    frames,
    seed,
    model: modelDir,
    space: space.id,
    fps,
    size,
  };
  if (options.out) {
    const written = await writeVideo(images, options.out, { fps, size, signal: options.signal });
    result.out = written.file;
    result.codec = written.codec;
  }
  return result;
}

/** The consistency curve as a small table (one line per frame). */
export function formatCurve(result: AnimateResult): string {
  const head = `frame     t   cos(A)  cos(B)  CLIPScore A  CLIPScore B   (A = "${result.promptA}", B = "${result.promptB}", space ${result.space})`;
  const lines = result.frames.map(
    (f) =>
      `${String(f.index).padStart(5)} ${f.t.toFixed(2).padStart(5)}  ${f.cosineA.toFixed(3).padStart(6)}  ${f.cosineB.toFixed(3).padStart(6)}` +
      `  ${f.scoreA.toFixed(3).padStart(11)}  ${f.scoreB.toFixed(3).padStart(11)}`,
  );
  return [head, ...lines].join('\n');
}
