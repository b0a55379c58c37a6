import type { MediaInput, PcmAudio } from '../../types.js';
import { RosettaError } from '../../errors/rosetta-error.js';
import { ErrorCodes } from '../../errors/codes.js';
import { invalidArgument, expectOneOf, expectPositiveInt } from '../../util/validate.js';
import { throwIfAborted } from '../abort.js';
import type { ModelChoice, TranscriptionCallOptions, TranscriptionEngine, TranscriptSegment } from '../engine.js';
import { readAudio } from '../../media/audio/read-audio.js';
import { defaultTranscriptionModel } from '../registry.js';
import { WhisperEngine } from './whisper-engine.js';
import { detectSpeech } from '../../vad/detect-speech.js';
import { packedAudio, packSpans, speechSpans, toFileClock } from './speech-windows.js';

export interface TranscribeOptions extends ModelChoice<TranscriptionEngine>, TranscriptionCallOptions {
  /**
   * Decode only where people speak (Silero VAD finds the stretches first): silence and noise between speech are
   * skipped, which is faster and keeps Whisper from inventing words on silence. A file without speech gives an
   * empty transcript (no error). Default true; `false` decodes the whole file (CLI `--all-audio`), e.g. for
   * singing or speech under loud music, which a voice-activity detector may miss.
   */
  speechOnly?: boolean;
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
  /**
   * Where people speak, in seconds (with `speechOnly`, the default). Empty: no speech was found, so nothing was
   * decoded and `text` is empty. Absent when the whole file was decoded (`speechOnly: false`).
   */
  speechRegions?: { t0: number; t1: number }[];
  /** Seconds of audio Whisper decoded: the speech stretches (padded, close ones joined), or the whole file. */
  decodedSeconds: number;
}

/** Resolves a transcription model option (id, directory or engine) in one place. */
export function resolveTranscriptionEngine(options: TranscribeOptions = {}): TranscriptionEngine {
  const model = options.model ?? defaultTranscriptionModel();
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
  await engine.prepare?.();
  throwIfAborted(options.signal, 'transcription');
  // Long recordings are decoded whole (4 h of 16 kHz float PCM is ~0.9 GB): Whisper reads them in windows.
  const pcm = await readAudio(audio, 16_000, { signal: options.signal, maxSeconds: 4 * 3600, timeoutMs: 30 * 60_000 });
  if (pcm.samples.length === 0) {
    throw new RosettaError(ErrorCodes.MEDIA_EMPTY, 'The audio to transcribe has no samples', {
      hint: 'check the file has an audio track with sound',
    });
  }
  throwIfAborted(options.signal, 'transcription');
  const duration = pcm.samples.length / pcm.sampleRate;
  const call = {
    language: options.language,
    task: options.task,
    signal: options.signal,
    onPartial: options.onPartial,
    maxNewTokens: options.maxNewTokens,
  };
  if (options.speechOnly === false)
    return { ...(await engine.doTranscribe(pcm, call)), duration, model: engine.modelId, decodedSeconds: duration };
  return transcribeSpeech(engine, pcm, call, options);
}

/**
 * Speech-gated decoding: Silero VAD first; the speech stretches are packed into as few Whisper windows as they fill
 * (a window costs the same whether it holds 3 s or 30 s), decoded, and mapped back to the file's clock.
 * No speech, nothing decoded.
 */
async function transcribeSpeech(
  engine: TranscriptionEngine,
  pcm: PcmAudio,
  call: Parameters<TranscriptionEngine['doTranscribe']>[1],
  options: TranscribeOptions,
): Promise<TranscribeResult> {
  const duration = pcm.samples.length / pcm.sampleRate;
  const { regions } = await detectSpeech(pcm, { signal: options.signal, device: 'cpu' });
  const segments: TranscriptSegment[] = [];
  let language = call.language;
  let decodedSeconds = 0;
  for (const group of packSpans(speechSpans(regions, duration))) {
    throwIfAborted(options.signal, 'transcription');
    const piece = packedAudio(pcm, group);
    decodedSeconds += piece.samples.length / pcm.sampleRate;
    const out = await engine.doTranscribe(piece, { ...call, language });
    // The language found in the first window holds for the rest (one detection, not one per window).
    language ??= out.language;
    for (const seg of out.segments) {
      const t0 = toFileClock(group, seg.t0, 'start');
      segments.push({ ...seg, t0: round3(t0), t1: round3(Math.max(t0, toFileClock(group, seg.t1, 'end'))) });
    }
  }
  return {
    text: segments
      .map((seg) => seg.text.trim())
      .filter(Boolean)
      .join(' '),
    ...(language ? { language } : {}),
    segments,
    duration,
    model: engine.modelId,
    speechRegions: regions,
    decodedSeconds: round3(decodedSeconds),
  };
}

const round3 = (v: number) => Math.round(v * 1000) / 1000;
