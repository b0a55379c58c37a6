import type { ModelRuntimeOptions } from '../models/runtime-options.js';
import type { PcmAudio, RgbImage } from '../types.js';

/**
 * Small engine interfaces, one per task (AI SDK style): a `provider`, a `modelId`, and one `do*` method. The
 * public functions (`transcribe`, `caption`, `speak`, `imagine`) validate, resolve and call these.
 */
export interface EngineBase {
  /** Who runs it: `transformers.js`, `espeak-ng`, or a user's own. */
  readonly provider: string;
  readonly modelId: string;
}

export interface TranscriptSegment {
  /** Start, seconds from the beginning of the audio. */
  t0: number;
  /** End, seconds; t0 ≤ t1, and segments are in order without overlap. */
  t1: number;
  text: string;
}

export interface TranscriptionCallOptions {
  /** Spoken language (`en`, `fr`, `french`…). Default: detected by multilingual models, `en` for `.en` models. */
  language?: string;
  /** `translate` makes English text from any language (multilingual models). Default `transcribe`. */
  task?: 'transcribe' | 'translate';
  signal?: AbortSignal;
  /** Called with the text decoded so far, as tokens arrive. */
  onPartial?: (text: string) => void;
  /** Cap on tokens generated per 30-second window. Default 440. */
  maxNewTokens?: number;
}

export interface TranscriptionEngine extends EngineBase {
  /**
   * Loads the model now (optional): `transcribe` calls it before looking for speech, so a missing model is
   * reported even for a file in which nobody speaks (and nothing would be decoded).
   */
  prepare?(): Promise<void>;
  /** `audio` is mono PCM at any sample rate (the engine resamples). */
  doTranscribe(
    audio: PcmAudio,
    options: TranscriptionCallOptions,
  ): Promise<{ text: string; language?: string; segments: TranscriptSegment[] }>;
}

export type CaptionDetail = 'short' | 'detailed';

export interface CaptionCallOptions {
  detail: CaptionDetail;
  /** Also return the text found in the image (engines that can: Florence-2). */
  ocr?: boolean;
  signal?: AbortSignal;
  maxNewTokens?: number;
}

export interface CaptionEngine extends EngineBase {
  /** Whether `ocr: true` is honoured. */
  readonly supportsOcr: boolean;
  doCaption(images: RgbImage[], options: CaptionCallOptions): Promise<Array<{ text: string; ocr?: string }>>;
}

export interface SpeechCallOptions {
  /** espeak-ng voice (`en-us`, `fr`, `de+f3`). */
  voice?: string;
  /** Language code for espeak-ng when no voice is given. */
  language?: string;
  /** Words per minute (espeak-ng; 80–450). */
  rate?: number;
  signal?: AbortSignal;
}

export interface SpeechEngine extends EngineBase {
  /** Which of `voice`, `language` and `rate` the engine honours; asking one that does not is an UNSUPPORTED error. */
  readonly supports: { voice: boolean; language: boolean; rate: boolean };
  doSpeak(text: string, options: SpeechCallOptions): Promise<PcmAudio>;
}

export interface ImageGenerationCallOptions {
  /** How many images to make from this prompt. */
  count: number;
  signal?: AbortSignal;
  /** Seed for engines that sample. */
  seed?: number;
}

export interface ImageGenerationEngine extends EngineBase {
  doGenerate(prompt: string, options: ImageGenerationCallOptions): Promise<RgbImage[]>;
}

/** Model choice and runtime for the Transformers.js engines: a hub id, a local directory, or an engine object. */
export interface ModelChoice<E extends EngineBase> extends ModelRuntimeOptions {
  model?: string | E;
}
