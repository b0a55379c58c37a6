import { caption as captionImage, type CaptionOptions, type CaptionResult } from '../generate/caption/caption.js';
import { readImage } from '../media/image/read-image.js';
import { describe as describeScenes, type DescribeResult, type TimelineEntry } from '../generate/describe/describe.js';
import { imagine as imagineImage, type CandidateRanker, type ImagineOptions, type ImagineResult } from '../generate/imagine/imagine.js';
import { transcribe as transcribeAudio, type TranscribeOptions, type TranscribeResult } from '../generate/transcribe/transcribe.js';
import { extractScenes } from '../media/video/extract-scenes.js';
import { dot, weightedMean } from '../vectors/vector-math.js';
import { clipScore } from '../vectors/scores.js';
import { spaceTagger } from '../spaces/zero-shot.js';
import type { Space } from '../spaces/space.js';
import type { MediaInput, RgbImage } from '../types.js';
import { isFlorence } from '../generate/registry.js';
import { ocr as ocrImage } from '../ocr/read-image-text.js';
import type { OcrLine } from '../ocr/text-reader.js';
import { detectSpeech } from '../vad/detect-speech.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseModelRef } from '../models/model-ref.js';
import { resolveRuntime, type ModelRuntimeOptions } from '../models/runtime-options.js';
import { loadSpace } from '../spaces/load-space.js';
import { ErrorCodes } from '../errors/codes.js';
import { RosettaError } from '../errors/rosetta-error.js';
import { imagineMini, type MiniSample } from '../generate/mini/imagine-mini.js';
import { animateMini, type AnimateOptions, type AnimateResult } from '../generate/mini/animate-mini.js';
import type { SpeechRegion } from '../vad/speech-tracker.js';

export interface CollectionCaptionResult extends CaptionResult {
  /** With `ocr`: the lines read by PaddleOCR, with boxes (when the captioner is not Florence-2). */
  ocrLines?: OcrLine[];
  /** CLIPScore of the caption against the image in the collection's image space (0–2.5). */
  consistency?: number;
  consistencySpace?: string;
}

/** Captions an image; offline without a captioner it falls back to the space's zero-shot tags. */
export async function captionInSpace(
  space: Space | undefined,
  input: MediaInput | RgbImage,
  options: CaptionOptions = {},
): Promise<CollectionCaptionResult> {
  // Captioners and OCR resize to their own input size (Florence-2 reads at 768 px): decode at full size.
  const image = await readImage(input, { maxSide: 'original' });
  // Only Florence-2 reads text itself; for any other captioner (and the offline tags) PaddleOCR reads it.
  const paddle = Boolean(options.ocr) && !(typeof options.model === 'string' && isFlorence(options.model));
  const result: CollectionCaptionResult = await captionImage(image, {
    ...options,
    ocr: paddle ? false : options.ocr,
    tagger: options.tagger ?? (space ? spaceTagger(space) : undefined),
  });
  if (paddle) {
    const read = await ocrImage(image, { device: options.device, threads: (options as { threads?: number }).threads });
    result.ocr = read.text;
    result.ocrLines = read.lines;
  }
  if (space?.modalities.includes('image') && result.text) {
    const [iv] = await space.embedImages([image]);
    const [tv] = await space.embedTexts([result.text]);
    result.consistency = clipScore(dot(iv, tv));
    result.consistencySpace = space.id;
  }
  return result;
}

/**
 * Ranks generated candidates by closeness to the query the user meant: the prompt, mixed with the
 * reference image by `weight` (q = normalise((1−w)·t + w·r)), in the collection's image space.
 */
export function spaceRanker(space: Space): CandidateRanker {
  return async (candidates, ctx) => {
    const [t] = await space.embedTexts([ctx.prompt]);
    let q = t;
    if (ctx.reference) {
      const [r] = await space.embedImages([ctx.reference]);
      q = weightedMean([
        { w: 1 - ctx.weight, v: t },
        { w: ctx.weight, v: r },
      ]);
    }
    const vecs = await space.embedImages(candidates);
    return vecs.map((v) => dot(v, q));
  };
}

export interface CollectionImagineResult extends ImagineResult {
  /** CLIPScore of the chosen image against the prompt. */
  consistency?: number;
  /** rosetta-mini: the seed of the samples' noise (give it back with `seed` to get the same pixels). */
  seed?: number;
  /** rosetta-mini: every sample, best first, with its PNG. */
  samples?: MiniSample[];
}

/** What rosetta-mini's generator takes besides the common imagine options. */
export interface MiniGenerationOptions {
  /** Seed of the noise: one seed gives identical pixels. Default: drawn at random (and returned). */
  seed?: number;
  /** Side of the written PNG / video in px (nearest-neighbour from 32 px). Default 256. */
  size?: number;
  /** Euler steps and guidance (default: the model's generator.json). */
  steps?: number;
  guidance?: number;
}

/** The rosetta-mini directory a model reference names (`mini`, or a directory with rosetta.json), else undefined. */
export function miniModelDir(model: string | undefined): string | undefined {
  if (typeof model !== 'string' || !model.trim()) return undefined;
  const ref = parseModelRef(model);
  return ref.kind === 'local' && existsSync(join(ref.dir, 'rosetta.json')) ? ref.dir : undefined;
}

/**
 * Which rosetta-mini generator draws, and the space that conditions it (the model's own towers): the one named by
 * `model` (`mini` or a directory), else the collection's space when it is a rosetta-mini space; undefined otherwise.
 */
async function miniSource(
  space: Space | undefined,
  model: unknown,
  runtime: ModelRuntimeOptions,
): Promise<{ dir: string; space: Space } | undefined> {
  const spaceDir = miniModelDir(space?.model);
  const dir = model === undefined ? spaceDir : typeof model === 'string' ? miniModelDir(model) : undefined;
  if (!dir) return undefined;
  return { dir, space: space && spaceDir === dir ? space : await loadSpace({ model: dir }, resolveRuntime(runtime)) };
}

/**
 * Text (+ reference image) → image; `bestOf` candidates ranked in the space, the best returned. With a rosetta-mini
 * space (`--model mini`) or generator (`model: 'mini'` / its directory), its own generator draws: the reference
 * image then steers the condition itself (`weight`), not only the choice.
 */
export async function imagineInSpace(
  space: Space | undefined,
  prompt: string,
  options: ImagineOptions & { bestOf?: number } & MiniGenerationOptions = {},
): Promise<CollectionImagineResult> {
  const mini = await miniSource(space, options.model, options);
  if (mini) {
    const r = await imagineMini(mini.space, mini.dir, prompt, {
      ...options,
      samples: options.bestOf ?? options.candidates,
      imageWeight: options.image !== undefined ? options.weight : undefined,
    });
    const [iv] = await mini.space.embedImages([r.image]);
    const [tv] = await mini.space.embedTexts([r.prompt]);
    return {
      image: r.image,
      png: r.png,
      score: r.score,
      candidates: r.candidates,
      samples: r.candidates,
      prompt: r.prompt,
      model: r.model,
      seed: r.seed,
      consistency: clipScore(dot(iv, tv)),
    };
  }
  const rank = options.rank ?? (space?.modalities.includes('image') ? spaceRanker(space) : undefined);
  const result: CollectionImagineResult = await imagineImage(prompt, {
    ...options,
    rank,
    candidates: options.bestOf ?? options.candidates,
  });
  if (space?.modalities.includes('image')) {
    const [iv] = await space.embedImages([result.image]);
    const [tv] = await space.embedTexts([prompt]);
    result.consistency = clipScore(dot(iv, tv));
  }
  return result;
}

/**
 * A clip from prompt A to prompt B with a rosetta-mini generator (`model`, else the collection's mini space, else
 * the shipped `mini`), with each frame's consistency against both prompts.
 */
export async function animateInSpace(
  space: Space | undefined,
  promptA: string,
  promptB: string,
  options: AnimateOptions & { model?: string } = {},
): Promise<AnimateResult> {
  const model = options.model ?? (miniModelDir(space?.model) ? undefined : 'mini');
  const mini = await miniSource(space, model, options);
  if (!mini) {
    throw new RosettaError(
      ErrorCodes.INVALID_ARGUMENT,
      `animate draws with a rosetta-mini generator; '${String(options.model)}' is not a rosetta-mini model directory`,
      { setting: 'generator', hint: 'use --model mini (or --generator mini), or a directory holding rosetta.json and generator/' },
    );
  }
  return animateMini(mini.space, mini.dir, promptA, promptB, options);
}

export interface DescribeVideoOptions extends CaptionOptions {
  /** Transcribe the audio track too (default true; skipped with a note when no speech model loads). */
  transcript?: boolean;
  transcribeOptions?: TranscribeOptions;
  /** Mark where people speak in each scene (Silero VAD over the sound track). Default true. */
  speech?: boolean;
}

/** A timeline entry with the stretches of it where someone speaks. */
export type MarkedTimelineEntry = TimelineEntry & { speaking?: SpeechRegion[] };

/** A description whose scenes say where someone speaks. */
export type MarkedDescription = Omit<DescribeResult, 'timeline'> & {
  timeline: MarkedTimelineEntry[];
  transcriptError?: string;
  speechRegions?: SpeechRegion[];
};

/**
 * Describes a video as a timeline: its scenes (ffmpeg scene cuts) captioned from their middle
 * keyframe, with what is said in each, from the transcript.
 */
export async function describeVideo(
  space: Space | undefined,
  path: string,
  options: DescribeVideoOptions = {},
): Promise<MarkedDescription> {
  const scenes: { t0: number; t1: number; keyframe: RgbImage }[] = [];
  for await (const scene of extractScenes(path, { signal: options.signal })) {
    const key = scene.keyframes[Math.floor(scene.keyframes.length / 2)];
    scenes.push({ t0: scene.t0, t1: scene.t1, keyframe: key.image });
  }
  let transcript: TranscribeResult | undefined;
  let transcriptError: string | undefined;
  if (options.transcript !== false) {
    try {
      transcript = await transcribeAudio(path, {
        signal: options.signal,
        offline: options.offline,
        cacheDir: options.cacheDir,
        ...options.transcribeOptions,
      });
    } catch (error) {
      transcriptError = (error as Error).message.split('\n')[0];
    }
  }
  const tagger = options.tagger ?? (space ? spaceTagger(space) : undefined);
  const result = await describeScenes(scenes, { ...options, tagger, transcript: transcript?.segments });
  const marked = options.speech === false ? result : await markSpeech(path, result, options.signal);
  return transcriptError ? { ...marked, transcriptError } : marked;
}

/** Adds to each scene the stretches where someone speaks, and `(speech mm:ss–mm:ss)` to its line. */
async function markSpeech(
  path: string,
  result: DescribeResult,
  signal?: AbortSignal,
): Promise<DescribeResult & { timeline: MarkedTimelineEntry[]; speechRegions: SpeechRegion[] }> {
  let regions: SpeechRegion[] = [];
  try {
    regions = (await detectSpeech(path, { signal })).regions;
  } catch (error) {
    // A silent video has no speech to mark; anything else is a real failure.
    if ((error as { code?: string }).code !== 'ROSETTA_ERR_MEDIA_NO_STREAM') throw error;
  }
  const lines = result.text.split('\n');
  const timeline = result.timeline.map((entry, i) => {
    const speaking = regions
      .filter((r) => r.t0 < entry.t1 && r.t1 > entry.t0)
      .map((r) => ({ t0: Math.max(r.t0, entry.t0), t1: Math.min(r.t1, entry.t1) }));
    if (speaking.length && lines[i] !== undefined)
      lines[i] += ` (speech ${speaking.map((r) => `${clock(r.t0)}–${clock(r.t1)}`).join(', ')})`;
    return { ...entry, speaking };
  });
  return { timeline, text: lines.join('\n'), speechRegions: regions };
}

const clock = (seconds: number) => `${String(Math.floor(seconds / 60)).padStart(2, '0')}:${(seconds % 60).toFixed(1).padStart(4, '0')}`;
