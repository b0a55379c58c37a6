import { pipeline, Tensor } from '@huggingface/transformers';
import { RosettaError } from '../../errors/rosetta-error.js';
import { ErrorCodes } from '../../errors/codes.js';
import type { ModelRuntimeOptions } from '../../models/runtime-options.js';
import type { PcmAudio } from '../../types.js';
import { invalidArgument } from '../../util/validate.js';
import { throwIfAborted, TokenStreamer } from '../abort.js';
import type { TranscriptionCallOptions, TranscriptionEngine, TranscriptSegment } from '../engine.js';
import { loadOnce } from '../load-once.js';
import { resample } from '../../media/audio/resample.js';
import { ProcessorsOnce, WhisperTimestampRules } from './whisper-timestamps.js';

/** The slice of the Transformers.js ASR pipeline this engine uses. */
interface AsrPipeline {
  (audio: Float32Array, options: Record<string, unknown>): Promise<{ text: string; chunks?: Array<{ timestamp: [number | null, number | null]; text: string }> }>;
  model: {
    generation_config?: {
      is_multilingual?: boolean; lang_to_id?: Record<string, number>; decoder_start_token_id?: number;
      no_timestamps_token_id?: number; eos_token_id?: number | number[]; max_initial_timestamp_index?: number | null;
    };
    (inputs: Record<string, unknown>): Promise<{ logits: Tensor }>;
  };
  processor: (audio: Float32Array) => Promise<{ input_features: Tensor }>;
  tokenizer: { decode(ids: bigint[] | number[], options?: { skip_special_tokens?: boolean }): string };
}

const RATE = 16_000;
/** Whisper sees 30-second windows; longer audio is cut into windows overlapping by 2 × stride. */
const WINDOW_S = 30;
const STRIDE_S = 5;

/**
 * Whisper through Transformers.js' `automatic-speech-recognition` pipeline, with segment timestamps.
 * Long audio is cut into 30 s windows with 5 s strides the pipeline merges, so timestamps stay on one clock.
 */
export class WhisperEngine implements TranscriptionEngine {
  readonly provider = 'transformers.js';
  constructor(readonly modelId: string, private readonly runtime: ModelRuntimeOptions = {}) {}

  /** Loads (downloading when allowed) every file of the model now. */
  async ready(): Promise<void> { await this.load(); }

  private load(): Promise<AsrPipeline> {
    return loadOnce('automatic-speech-recognition', this.modelId, this.runtime,
      async (path, options) => {
        const asr = await pipeline('automatic-speech-recognition', path, options) as unknown as AsrPipeline;
        tolerateEmptyChunks(asr.tokenizer);
        return asr;
      });
  }

  async prepare(): Promise<void> {
    await this.load();
  }

  async doTranscribe(audio: PcmAudio, options: TranscriptionCallOptions): Promise<{ text: string; language?: string; segments: TranscriptSegment[] }> {
    const what = `transcription with ${this.modelId}`;
    const asr = await this.load();
    throwIfAborted(options.signal, what);
    const pcm = resample(audio, RATE);
    const duration = pcm.samples.length / RATE;
    const gen = asr.model.generation_config ?? {};
    const multilingual = Boolean(gen.is_multilingual);
    let language = options.language ? normaliseLanguage(options.language) : undefined;
    if (language && !multilingual) {
      if (language !== 'en' && language !== 'english') {
        throw invalidArgument('language', `'en' or nothing (${this.modelId} is an English-only model; use a multilingual Whisper for other languages)`, options.language);
      }
      language = undefined;
    } else if (!language && multilingual) {
      language = await detectLanguage(asr, pcm.samples);
      throwIfAborted(options.signal, what);
    }
    const streamer = new TokenStreamer(what, options.signal,
      (ids) => asr.tokenizer.decode(ids, { skip_special_tokens: true }), options.onPartial);
    const long = duration > WINDOW_S;
    let out: Awaited<ReturnType<AsrPipeline>>;
    try {
      out = await asr(pcm.samples, {
        return_timestamps: true,
        ...(long ? { chunk_length_s: WINDOW_S, stride_length_s: STRIDE_S } : {}),
        ...(multilingual ? { language, task: options.task ?? 'transcribe' } : {}),
        max_new_tokens: options.maxNewTokens ?? 440,
        ...timestampRules(gen, multilingual),
        streamer,
      });
    } catch (cause) {
      if (RosettaError.is(cause)) throw cause;
      throw new RosettaError(ErrorCodes.MODEL_LOAD_FAILED, `Whisper model ${this.modelId} failed while transcribing: ${(cause as Error).message}`, { model: this.modelId, cause });
    }
    const segments = normaliseSegments(out.chunks ?? [{ timestamp: [0, duration], text: out.text }], duration);
    return { text: out.text.trim(), language: multilingual ? language : 'en', segments };
  }
}

/**
 * Whisper may close a timestamp pair with no text between (`<|1.96|><|2.40|>`). Hugging Face's decoding makes that an
 * empty chunk; Transformers.js' `_decode_asr` decodes the empty token list and throws ("token_ids must be a non-empty
 * array"), losing the whole transcript. Found by the reference-parity test: decoding no tokens is the empty string.
 */
export function tolerateEmptyChunks(tokenizer: { decode(ids: bigint[] | number[], options?: { skip_special_tokens?: boolean }): string }): void {
  const decode = tokenizer.decode.bind(tokenizer);
  tokenizer.decode = (ids, options) => ((ids as ArrayLike<unknown>).length === 0 ? '' : decode(ids, options));
}

/** Hugging Face's timestamp rules, run ahead of Transformers.js' own (see WhisperTimestampRules). */
function timestampRules(gen: NonNullable<AsrPipeline['model']['generation_config']>, multilingual: boolean): { logits_processor?: ProcessorsOnce } {
  if (typeof gen.no_timestamps_token_id !== 'number') return {};
  const eos = Array.isArray(gen.eos_token_id) ? gen.eos_token_id[0] : gen.eos_token_id;
  if (typeof eos !== 'number') return {};
  const list = new ProcessorsOnce();
  list.push(new WhisperTimestampRules({
    noTimestampsTokenId: gen.no_timestamps_token_id,
    eosTokenId: eos,
    // <|startoftranscript|>, then <|lang|> <|task|> on multilingual models (<|notimestamps|> is dropped with timestamps on).
    beginIndex: multilingual ? 3 : 1,
    maxInitialTimestampIndex: gen.max_initial_timestamp_index ?? null,
  }));
  return { logits_processor: list };
}

/** `en`, `<|en|>` and `English` all mean English; codes are kept, names lower-cased. */
function normaliseLanguage(language: string): string {
  return language.replace(/^<\|(.*)\|>$/, '$1').trim().toLowerCase();
}

/**
 * Language detection as Whisper does it: one decoder step after <|startoftranscript|> on the first window,
 * then the most likely of the model's language tokens.
 */
async function detectLanguage(asr: AsrPipeline, samples: Float32Array): Promise<string | undefined> {
  const gen = asr.model.generation_config ?? {};
  const langs = Object.entries(gen.lang_to_id ?? {});
  if (langs.length === 0 || gen.decoder_start_token_id === undefined) return undefined;
  const { input_features } = await asr.processor(samples.subarray(0, WINDOW_S * RATE));
  const decoder_input_ids = new Tensor('int64', BigInt64Array.from([BigInt(gen.decoder_start_token_id)]), [1, 1]);
  const { logits } = await asr.model({ input_features, decoder_input_ids });
  const vocab = logits.dims[logits.dims.length - 1];
  const data = logits.data as Float32Array;
  const last = data.subarray(data.length - vocab);
  let best = langs[0];
  for (const entry of langs) if (last[entry[1]] > last[best[1]]) best = entry;
  return best[0].slice(2, -2);
}

/**
 * Makes the pipeline's chunks into segments a player can use: every start and end known, inside [0, duration],
 * in order and without overlap. A window's last chunk often has no end timestamp (speech runs into the next
 * window or the model stopped); it ends where the next begins, or at the end of the audio.
 */
export function normaliseSegments(chunks: ReadonlyArray<{ timestamp: readonly [number | null, number | null]; text: string }>, duration: number): TranscriptSegment[] {
  const segments: TranscriptSegment[] = [];
  let prevEnd = 0;
  for (let i = 0; i < chunks.length; i += 1) {
    const text = chunks[i].text.trim();
    if (!text) continue;
    const [rawStart, rawEnd] = chunks[i].timestamp;
    const nextStart = chunks.slice(i + 1).find((c) => c.timestamp[0] !== null)?.timestamp[0] ?? duration;
    const t0 = clamp(rawStart ?? prevEnd, prevEnd, duration);
    const t1 = clamp(rawEnd ?? nextStart, t0, duration);
    segments.push({ t0: round3(t0), t1: round3(t1), text });
    prevEnd = t1;
  }
  return segments;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), Math.max(lo, hi));
const round3 = (v: number) => Math.round(v * 1000) / 1000;
