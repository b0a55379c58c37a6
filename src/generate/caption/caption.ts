import { RosettaError } from '../../errors/rosetta-error.js';
import { ErrorCodes } from '../../errors/codes.js';
import type { MediaInput, RgbImage } from '../../types.js';
import { expectOneOf, expectPositiveInt, invalidArgument } from '../../util/validate.js';
import { throwIfAborted } from '../abort.js';
import type { CaptionDetail, CaptionEngine, ModelChoice } from '../engine.js';
import { GENERATION_MODELS, isFlorence } from '../registry.js';
import { FlorenceCaptioner } from './florence-captioner.js';
import { readImage } from '../../media/image/read-image.js';
import { DEFAULT_TAG_LABELS } from './tag-vocabulary.js';
import { VisionCaptioner } from './vision-captioner.js';

/** Zero-shot tagging: one score per label (higher is closer), e.g. cosine similarity in the mini model's space. */
export type ZeroShotTagger = (image: RgbImage, labels: readonly string[]) => Promise<number[]>;

export interface CaptionOptions extends ModelChoice<CaptionEngine> {
  /** `short` (default): one line; `detailed`: a longer description where the model can. */
  detail?: CaptionDetail;
  /** Also read the text in the image (Florence-2's OCR task). */
  ocr?: boolean;
  signal?: AbortSignal;
  maxNewTokens?: number;
  /**
   * Zero-shot tagger used when `model` is `tags`, or when no model was named and the default captioner cannot
   * load (offline). A captioner the caller named that fails to load is an error, never silently replaced by tags.
   */
  tagger?: ZeroShotTagger;
  /** Label vocabulary for tags. Default: DEFAULT_TAG_LABELS. */
  labels?: readonly string[];
  /** How many tags to return. Default 5. */
  topTags?: number;
}

export interface CaptionResult {
  /** The caption, or for `kind: 'tags'` the tags joined by commas. */
  text: string;
  /** `caption` from a captioning model; `tags` from the zero-shot fallback (a list of labels, not a sentence). */
  kind: 'caption' | 'tags';
  tags?: Array<{ label: string; score: number }>;
  /** Text found in the image, when asked and the engine can read. */
  ocr?: string;
  /** Which model or engine produced it. */
  model: string;
  /** Why the fallback was used, when it was. */
  fallbackReason?: string;
}

/** Resolves a caption model option: Florence-2 ids get their own engine; other ids use `image-to-text`. */
export function resolveCaptionEngine(options: CaptionOptions = {}): CaptionEngine {
  const model = options.model ?? GENERATION_MODELS.caption.default;
  if (typeof model === 'string') return isFlorence(model) ? new FlorenceCaptioner(model, options) : new VisionCaptioner(model, options);
  if (typeof model === 'object' && model !== null && typeof model.doCaption === 'function') return model;
  throw invalidArgument('model', 'a captioner hub id, a model directory, `tags` or a CaptionEngine', model);
}

/** Errors that mean "no captioner here" (so tags may stand in), as opposed to a broken input. */
const MISSING = new Set<string>([ErrorCodes.MODEL_OFFLINE_MISSING, ErrorCodes.MODEL_NOT_FOUND, ErrorCodes.MODEL_LOAD_FAILED]);

/**
 * Captions several images with one model load; results in input order.
 * When the default captioner cannot load and a `tagger` is given, returns zero-shot tags marked `kind: 'tags'`.
 */
export async function captionBatch(images: ReadonlyArray<RgbImage | MediaInput>, options: CaptionOptions = {}): Promise<CaptionResult[]> {
  if (!Array.isArray(images) || images.length === 0) throw invalidArgument('images', 'a non-empty array of images', images);
  const detail = expectOneOf('detail', options.detail ?? 'short', ['short', 'detailed'] as const);
  if (options.maxNewTokens !== undefined) expectPositiveInt('maxNewTokens', options.maxNewTokens, 1024);
  const topTags = expectPositiveInt('topTags', options.topTags ?? 5, 1000);
  const labels = options.labels ?? DEFAULT_TAG_LABELS;
  if (!Array.isArray(labels) || labels.length === 0 || labels.some((l) => typeof l !== 'string' || !l.trim())) {
    throw invalidArgument('labels', 'a non-empty array of non-empty strings', labels);
  }
  if (options.tagger !== undefined && typeof options.tagger !== 'function')
    throw invalidArgument('tagger', 'a function (image, labels) => Promise<number[]>', options.tagger);
  throwIfAborted(options.signal, 'captioning');
  const decoded = await Promise.all(images.map((img, i) => readImage(img, { parameter: `images[${i}]`, maxSide: 'original' })));
  throwIfAborted(options.signal, 'captioning');

  if (options.model === 'tags') return tagAll(decoded, options, labels, topTags, 'model: tags');
  const engine = resolveCaptionEngine(options);
  if (options.ocr && !engine.supportsOcr) {
    throw invalidArgument(
      'ocr',
      `a captioner that reads text (Florence-2, e.g. ${GENERATION_MODELS.caption.options[0]}); ${engine.modelId} does not`,
      true,
    );
  }
  try {
    const out = await engine.doCaption(decoded, { detail, ocr: options.ocr, signal: options.signal, maxNewTokens: options.maxNewTokens });
    return out.map((r) => ({
      text: r.text,
      kind: 'caption' as const,
      ...(r.ocr !== undefined ? { ocr: r.ocr } : {}),
      model: engine.modelId,
    }));
  } catch (error) {
    if (options.model === undefined && options.tagger && RosettaError.is(error) && MISSING.has(error.code)) {
      return tagAll(decoded, options, labels, topTags, error.message.split('\n')[0]);
    }
    throw error;
  }
}

async function tagAll(
  images: RgbImage[],
  options: CaptionOptions,
  labels: readonly string[],
  top: number,
  reason: string,
): Promise<CaptionResult[]> {
  const tagger = options.tagger;
  if (!tagger) throw invalidArgument('tagger', 'a zero-shot tagging function when model is `tags`', tagger);
  const results: CaptionResult[] = [];
  for (const image of images) {
    throwIfAborted(options.signal, 'tagging');
    const scores = await tagger(image, labels);
    if (!Array.isArray(scores) || scores.length !== labels.length) {
      throw new RosettaError(
        ErrorCodes.INVALID_ARGUMENT,
        `The tagger returned ${Array.isArray(scores) ? scores.length : typeof scores} scores for ${labels.length} labels`,
        { setting: 'tagger' },
      );
    }
    const tags = labels
      .map((label, i) => ({ label, score: scores[i] }))
      .sort((a, b) => b.score - a.score)
      .slice(0, Math.min(top, labels.length));
    results.push({ text: tags.map((t) => t.label).join(', '), kind: 'tags', tags, model: 'zero-shot tags', fallbackReason: reason });
  }
  return results;
}

/**
 * Image → caption (ViT-GPT2 by default; Florence-2 for detailed captions and OCR).
 * @example
 * const { text } = await caption('photo.jpg');                                  // "a dog running on a beach"
 * const d = await caption(img, { model: 'onnx-community/Florence-2-base-ft', detail: 'detailed', ocr: true });
 */
export async function caption(image: RgbImage | MediaInput, options: CaptionOptions = {}): Promise<CaptionResult> {
  return (await captionBatch([image], options))[0];
}
