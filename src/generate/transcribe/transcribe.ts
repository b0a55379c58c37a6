import type { MediaInput, PcmAudio } from '../../types.js';
import { RosettaError } from '../../errors/rosetta-error.js';
import { ErrorCodes } from '../../errors/codes.js';
import { invalidArgument, expectOneOf, expectPositiveInt } from '../../util/validate.js';
import { throwIfAborted } from '../abort.js';
import type { ModelChoice, TranscriptionEngine, TranscriptSegment } from '../engine.js';
import { readAudio } from '../../media/audio/read-audio.js';
import { GENERATION_MODELS } from '../registry.js';
import { WhisperEngine } from './whisper-engine.js';

export interface TranscribeOptions extends ModelChoice<TranscriptionEngine> {
  /** Spoken language (`en`, `fr`, `french`…). Default: detected by multilingual models, `en` for `.en` models. */
  language?: string;
  /** `translate` makes English text from any language (multilingual models). Default `transcribe`. */
  task?: 'transcribe' | 'translate';
  signal?: AbortSignal;
  /** Streams the text decoded so far. */
  onPartial?: (text: string) => void;
  /** Cap on tokens per 30 s window. Default 440. */
  maxNewTokens?: number;
}

export interface TranscribeResult {
  text: string;
  /** The language spoken (given, or detected), when the model knows it. */
  language?: string;
  /** Timed segments in order, without overlap, inside [0, duration]. */
  segments: TranscriptSegment[];
  /** Seconds of audio transcribed. */
  duration: number;
  /** The model that made it. */
  model: string;
}

/** Resolves a transcription model option (id, directory or engine) in one place. */
export function resolveTranscriptionEngine(options: TranscribeOptions = {}): TranscriptionEngine {
  const model = options.model ?? GENERATION_MODELS.transcribe.default;
  if (typeof model === 'string') return new WhisperEngine(model, options);
  if (typeof model === 'object' && model !== null && typeof model.doTranscribe === 'function') return model;
  throw invalidArgument('model', 'a Whisper hub id, a model directory or a TranscriptionEngine', model);
}

/**
 * Speech → text with segment timestamps (Whisper by default). Accepts PCM, a WAV/audio/video path, bytes or a URL.
 * @example
 * const { text, segments } = await transcribe('talk.mp3', { language: 'en' });
 * await writeFile('talk.srt', toSrt(segments));
 */
export async function transcribe(audio: PcmAudio | MediaInput, options: TranscribeOptions = {}): Promise<TranscribeResult> {
  if (options.task !== undefined) expectOneOf('task', options.task, ['transcribe', 'translate'] as const);
  if (options.maxNewTokens !== undefined) expectPositiveInt('maxNewTokens', options.maxNewTokens, 4096);
  if (options.language !== undefined && (typeof options.language !== 'string' || !options.language.trim())) {
    throw invalidArgument('language', 'a language code or name such as en or french', options.language);
  }
  throwIfAborted(options.signal, 'transcription');
  const engine = resolveTranscriptionEngine(options);
  // Long recordings are decoded whole (4 h of 16 kHz float PCM is ~0.9 GB): Whisper reads them in windows.
  const pcm = await readAudio(audio, 16_000, { signal: options.signal, maxSeconds: 4 * 3600, timeoutMs: 30 * 60_000 });
  if (pcm.samples.length === 0) {
    throw new RosettaError(ErrorCodes.MEDIA_EMPTY, 'The audio to transcribe has no samples', { hint: 'check the file has an audio track with sound' });
  }
  throwIfAborted(options.signal, 'transcription');
  const out = await engine.doTranscribe(pcm, {
    language: options.language, task: options.task, signal: options.signal, onPartial: options.onPartial, maxNewTokens: options.maxNewTokens,
  });
  return { ...out, duration: pcm.samples.length / pcm.sampleRate, model: engine.modelId };
}
