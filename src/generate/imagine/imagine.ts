import sharp from 'sharp';
import { RosettaError } from '../../errors/rosetta-error.js';
import { ErrorCodes } from '../../errors/codes.js';
import type { MediaInput, RgbImage } from '../../types.js';
import { expectNumberIn, expectPositiveInt, invalidArgument } from '../../util/validate.js';
import { throwIfAborted } from '../abort.js';
import { readImage } from '../../media/image/read-image.js';
import type { ImageGenerationEngine, ModelChoice } from '../engine.js';
import { GENERATION_MODELS } from '../registry.js';
import { JanusEngine } from './janus-engine.js';

/** What a ranker is told besides the candidates, so it can build the weighted text+image query. */
export interface RankContext {
  prompt: string;
  reference?: RgbImage;
  /** Weight of the reference image in the query, 0–1 (text gets 1 − weight). */
  weight: number;
}

/**
 * Scores candidates, higher is better: typically the cosine between each candidate's image vector and the
 * weighted query `normalise((1 − weight)·text(prompt) + weight·image(reference))` in a shared space.
 */
export type CandidateRanker = (candidates: RgbImage[], context: RankContext) => Promise<number[]>;

export interface ImagineOptions extends ModelChoice<ImageGenerationEngine> {
  /** A reference image. See `imagine` for what it does and does not control. */
  image?: RgbImage | MediaInput;
  /** Weight of the reference in the ranking query, 0–1. Default 0.5. */
  weight?: number;
  /** Candidates to generate (and rank, best returned): default 1; 4 with a reference image, which only steers the choice among several. */
  candidates?: number;
  /** Ranks candidates; required with a reference image. */
  rank?: CandidateRanker;
  /** Describes the reference (e.g. `caption`), appended to the prompt so generation sees its content in words. */
  describeReference?: (image: RgbImage) => Promise<string>;
  signal?: AbortSignal;
}

export interface ImagineResult {
  /** The best candidate (the first, when nothing ranked them). */
  image: RgbImage;
  /** `image` as PNG bytes. */
  png: Buffer;
  /** The best candidate's rank score, when ranked. */
  score?: number;
  /** Every candidate, best first, with its score when ranked. */
  candidates: Array<{ image: RgbImage; score?: number }>;
  /** The prompt the generator saw (with the reference's description, when used). */
  prompt: string;
  model: string;
}

export function resolveImageEngine(options: ImagineOptions = {}): ImageGenerationEngine {
  const model = options.model ?? GENERATION_MODELS.imagine.default;
  if (typeof model === 'string' && model.trim()) return new JanusEngine(model, options);
  if (typeof model === 'object' && model !== null && typeof model.doGenerate === 'function') return model;
  throw invalidArgument('model', 'a Janus hub id or directory, or an ImageGenerationEngine', model);
}

/**
 * Text (+ reference image) → image, with Janus by default.
 *
 * What the reference image does: its description (when `describeReference` is given) is added to the prompt, and
 * it pulls the ranking — candidates are scored against the weighted text+image query, so with a higher `weight`
 * the returned image is the candidate closest in the shared space to the reference's content and style.
 * What it does not do: Janus does not see its pixels, so it does not control layout, pose, identity, exact
 * colours or composition; this is not image-to-image editing or inpainting, and it can only choose among what
 * the prompt produced (more `candidates` give it more to choose from).
 * @example
 * const { png, score } = await imagine('a lighthouse at dusk', { image: 'ref.jpg', weight: 0.4, rank, candidates: 6 });
 */
export async function imagine(prompt: string, options: ImagineOptions = {}): Promise<ImagineResult> {
  if (typeof prompt !== 'string' || !prompt.trim()) throw invalidArgument('prompt', 'a non-empty string', prompt);
  const weight = expectNumberIn('weight', options.weight ?? 0.5, 0, 1);
  if (options.rank !== undefined && typeof options.rank !== 'function')
    throw invalidArgument('rank', 'a function (candidates, context) => Promise<number[]>', options.rank);
  if (options.image !== undefined && !options.rank) {
    throw invalidArgument(
      'rank',
      'a ranking function when a reference image is given (it scores candidates against the text+image query)',
      options.rank,
    );
  }
  const count = expectPositiveInt('candidates', options.candidates ?? (options.image !== undefined ? 4 : 1), 64);
  throwIfAborted(options.signal, 'image generation');
  const reference = options.image !== undefined ? await readImage(options.image, { parameter: 'image' }) : undefined;
  let used = prompt.trim();
  if (reference && options.describeReference && weight > 0) {
    const description = (await options.describeReference(reference)).trim();
    if (description) used = `${used}, ${description}`;
  }
  throwIfAborted(options.signal, 'image generation');
  const engine = resolveImageEngine(options);
  const images = await engine.doGenerate(used, { count, signal: options.signal });
  if (images.length === 0)
    throw new RosettaError(ErrorCodes.MODEL_LOAD_FAILED, `${engine.modelId} generated no image`, { model: engine.modelId });
  throwIfAborted(options.signal, 'image generation');
  let candidates: Array<{ image: RgbImage; score?: number }> = images.map((image) => ({ image }));
  if (options.rank) {
    const scores = await options.rank(images, { prompt: used, reference, weight });
    if (!Array.isArray(scores) || scores.length !== images.length || scores.some((s) => !Number.isFinite(s))) {
      throw new RosettaError(
        ErrorCodes.INVALID_ARGUMENT,
        `The ranker returned ${Array.isArray(scores) ? scores.length : typeof scores} scores (finite numbers expected) for ${images.length} candidates`,
        { setting: 'rank' },
      );
    }
    candidates = images.map((image, i) => ({ image, score: scores[i] })).sort((a, b) => (b.score ?? 0) - (a.score ?? 0));
  }
  const best = candidates[0];
  const png = await sharp(Buffer.from(best.image.data.buffer, best.image.data.byteOffset, best.image.data.byteLength), {
    raw: { width: best.image.width, height: best.image.height, channels: 3 },
  })
    .png()
    .toBuffer();
  return {
    image: best.image,
    png,
    ...(best.score !== undefined ? { score: best.score } : {}),
    candidates,
    prompt: used,
    model: engine.modelId,
  };
}
