import { LogitsProcessor, LogitsProcessorList, pipeline, Tensor } from '@huggingface/transformers';
import { RosettaError } from '../../errors/rosetta-error.js';
import { ErrorCodes } from '../../errors/codes.js';
import type { ModelRuntimeOptions } from '../../models/runtime-options.js';
import type { PcmAudio } from '../../types.js';
import { invalidArgument } from '../../util/validate.js';
import { throwIfAborted, TokenStreamer } from '../abort.js';
import type { TranscriptionCallOptions, TranscriptionEngine, TranscriptSegment } from '../engine.js';
import { loadOnce } from '../load-once.js';
import { resample } from '../../media/audio/resample.js';

/** The slice of the Transformers.js ASR pipeline this engine uses. */
interface AsrPipeline {
  model: {
    generation_config?: WhisperGeneration;
    config: { max_target_positions?: number };
    (inputs: Record<string, unknown>): Promise<{ logits: Tensor }>;
    generate(options: Record<string, unknown>): Promise<Tensor>;
  };
  processor: {
    feature_extractor: {
      config: Record<string, unknown> & { hop_length: number; feature_size: number };
      window: unknown;
      _extract_fbank_features(this: unknown, waveform: Float32Array): Promise<Tensor>;
    };
  };
  tokenizer: { decode(ids: bigint[] | number[], options?: { skip_special_tokens?: boolean }): string };
}

interface WhisperGeneration {
  is_multilingual?: boolean;
  lang_to_id?: Record<string, number>;
  task_to_id?: Record<string, number>;
  decoder_start_token_id?: number;
  eos_token_id?: number | number[];
  no_timestamps_token_id?: number;
  prev_sot_token_id?: number;
  max_initial_timestamp_index?: number;
}

const RATE = 16_000;
/** Whisper's window: 3000 mel frames of 10 ms (30 s); its timestamps step by 20 ms (2 frames). */
const WINDOW_FRAMES = 3000;
const FRAME_S = 0.01;
const TIME_STEP = 0.02;
/** Tokens of earlier text given as the prompt of the next window (Whisper's max_length / 2 - 1). */
const PROMPT_TOKENS = 223;

/**
 * Whisper through Transformers.js (its ONNX encoder/decoder, tokenizer and mel filters), decoded the way OpenAI's
 * reference and faster-whisper decode, so the same weights give the same words and times:
 * - the log-mel spectrogram is computed once over the whole audio (normalised by its loudest frame), and each 30 s
 *   window is cut from it and padded with zeros in the mel domain (Transformers.js' pipeline pads the audio instead,
 *   which changes words near the end of short clips);
 * - greedy decoding with Whisper's timestamp rules: pairs, never decreasing, the first one within 1 s, timestamps
 *   forced when their total probability beats any word (the pipeline lacks the last two rules);
 * - long audio is read window after window from the last complete segment (seek), each window prompted with the
 *   text before it (<|startofprev|>), as `condition_on_previous_text` does.
 */
export class WhisperEngine implements TranscriptionEngine {
  readonly provider = 'transformers.js';
  constructor(
    readonly modelId: string,
    private readonly runtime: ModelRuntimeOptions = {},
  ) {}

  /** Loads (downloading when allowed) every file of the model now. */
  async ready(): Promise<void> {
    await this.load();
  }

  private load(): Promise<AsrPipeline> {
    return loadOnce(
      'automatic-speech-recognition',
      this.modelId,
      this.runtime,
      async (path, options) => (await pipeline('automatic-speech-recognition', path, options)) as unknown as AsrPipeline,
    );
  }

  async prepare(): Promise<void> {
    await this.load();
  }

  async doTranscribe(
    audio: PcmAudio,
    options: TranscriptionCallOptions,
  ): Promise<{ text: string; language?: string; segments: TranscriptSegment[] }> {
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
        throw invalidArgument(
          'language',
          `'en' or nothing (${this.modelId} is an English-only model; use a multilingual Whisper for other languages)`,
          options.language,
        );
      }
      language = undefined;
    }
    if (options.task === 'translate' && !multilingual) {
      throw invalidArgument(
        'task',
        `'transcribe' (${this.modelId} is an English-only model; translation needs a multilingual Whisper such as Xenova/whisper-tiny)`,
        options.task,
      );
    }
    try {
      const mel = await logMel(asr, pcm.samples);
      throwIfAborted(options.signal, what);
      if (!language && multilingual) {
        language = await detectLanguage(asr, melWindow(mel, 0, Math.min(WINDOW_FRAMES, mel.content)));
        throwIfAborted(options.signal, what);
      }
      const segments = await this.decodeWindows(asr, mel, { ...options, language: multilingual ? language : undefined }, what);
      return {
        text: segments
          .map((seg) => seg.text)
          .join(' ')
          .trim(),
        language: multilingual ? language : 'en',
        segments: normaliseSegments(
          segments.map((seg) => ({ timestamp: [seg.t0, seg.t1] as const, text: seg.text })),
          duration,
        ),
      };
    } catch (cause) {
      if (RosettaError.is(cause)) throw cause;
      throw new RosettaError(
        ErrorCodes.MODEL_LOAD_FAILED,
        `Whisper model ${this.modelId} failed while transcribing: ${(cause as Error).message}`,
        { model: this.modelId, cause },
      );
    }
  }

  /** The seek loop: one greedy decode per 30 s window, each starting where the last complete segment ended. */
  private async decodeWindows(asr: AsrPipeline, mel: Mel, options: TranscriptionCallOptions, what: string): Promise<TranscriptSegment[]> {
    const gen = asr.model.generation_config ?? {};
    const noTimestamps = gen.no_timestamps_token_id;
    const sot = gen.decoder_start_token_id;
    if (noTimestamps === undefined || sot === undefined) {
      throw new RosettaError(
        ErrorCodes.MODEL_LOAD_FAILED,
        `${this.modelId}/generation_config.json lacks no_timestamps_token_id or decoder_start_token_id`,
        { model: this.modelId, hint: 'use a Whisper model directory with a complete generation_config.json' },
      );
    }
    const tsBegin = noTimestamps + 1;
    const eot = Array.isArray(gen.eos_token_id) ? gen.eos_token_id[0] : (gen.eos_token_id ?? 50256);
    const sotSequence = [sot];
    if (gen.is_multilingual) {
      const lang = gen.lang_to_id?.[`<|${options.language ?? 'en'}|>`];
      const task = gen.task_to_id?.[options.task ?? 'transcribe'];
      if (lang !== undefined) sotSequence.push(lang);
      if (task !== undefined) sotSequence.push(task);
    }
    const maxPositions = asr.model.config.max_target_positions ?? 448;
    const decodeText = (ids: number[]) => {
      const words = ids.filter((id) => id < eot);
      return words.length ? asr.tokenizer.decode(words, { skip_special_tokens: true }) : '';
    };
    const streamer = new TokenStreamer(what, options.signal, (ids) => decodeText(ids.map(Number)), options.onPartial);
    const segments: TranscriptSegment[] = [];
    const allTokens: number[] = [];
    let seek = 0;
    while (seek < mel.content) {
      throwIfAborted(options.signal, what);
      const size = Math.min(WINDOW_FRAMES, mel.content - seek);
      const offset = seek * FRAME_S;
      const previous = allTokens.slice(-PROMPT_TOKENS);
      const init =
        previous.length && gen.prev_sot_token_id !== undefined ? [gen.prev_sot_token_id, ...previous, ...sotSequence] : [...sotSequence];
      const maxNew = Math.max(1, Math.min(options.maxNewTokens ?? 440, maxPositions - init.length));
      const processors = new LogitsProcessorList();
      processors.push(new TimestampRules(init.length, tsBegin, noTimestamps, eot, gen.max_initial_timestamp_index ?? 50));
      const out = await asr.model.generate({
        inputs: melWindow(mel, seek, size),
        decoder_input_ids: init,
        return_timestamps: false,
        max_new_tokens: maxNew,
        logits_processor: processors,
        streamer,
      });
      const tokens = (out.tolist() as bigint[][])[0]
        .slice(init.length)
        .map(Number)
        .filter((id) => id !== eot);
      const { pieces, advance } = splitByTimestamps(tokens, tsBegin, size);
      for (const piece of pieces) {
        const text = decodeText(piece.tokens).trim();
        const t0 = offset + piece.t0;
        const t1 = offset + (piece.t1 ?? size * FRAME_S);
        if (t0 === t1 || !text) continue;
        segments.push({ t0, t1, text });
        allTokens.push(...piece.tokens);
      }
      seek += advance;
    }
    return segments;
  }
}

/** A log-mel spectrogram [mels × frames] of a whole recording; `content` frames hold the audio. */
interface Mel {
  data: Float32Array;
  mels: number;
  frames: number;
  content: number;
}

/**
 * The log-mel spectrogram of the whole audio, as faster-whisper and OpenAI's `transcribe` compute it: 160 zero
 * samples appended, one frame per 10 ms, normalised by the loudest frame of the recording.
 */
async function logMel(asr: AsrPipeline, samples: Float32Array): Promise<Mel> {
  const fe = asr.processor.feature_extractor;
  const hop = fe.config.hop_length;
  const padded = new Float32Array(samples.length + hop);
  padded.set(samples);
  // The extractor caps its frames at one window; the whole recording is wanted here.
  const t = await fe._extract_fbank_features.call(
    { config: { ...fe.config, nb_max_frames: Number.MAX_SAFE_INTEGER }, window: fe.window },
    padded,
  );
  const [mels, frames] = t.dims;
  return { data: t.data as Float32Array, mels, frames, content: Math.max(0, frames - 1) };
}

/** A 30 s model input [1, mels, 3000] cut from the spectrogram at `seek` for `size` frames, zeros after. */
function melWindow(mel: Mel, seek: number, size: number): Tensor {
  const out = new Float32Array(mel.mels * WINDOW_FRAMES);
  for (let m = 0; m < mel.mels; m += 1) {
    out.set(mel.data.subarray(m * mel.frames + seek, m * mel.frames + seek + size), m * WINDOW_FRAMES);
  }
  return new Tensor('float32', out, [1, mel.mels, WINDOW_FRAMES]);
}

/**
 * Cuts one window's tokens into segments at each pair of timestamps, as Whisper's reference does, and says how
 * far to move: to the end of the window when the text ends with a single timestamp (nothing more is said) or has
 * no pair, else to the last complete segment's end so the unfinished one is read again in the next window.
 */
export function splitByTimestamps(
  tokens: number[],
  tsBegin: number,
  windowFrames: number,
): { pieces: { t0: number; t1?: number; tokens: number[] }[]; advance: number } {
  const isTs = (id: number) => id >= tsBegin;
  const singleEnding = tokens.length >= 2 && !isTs(tokens[tokens.length - 2]) && isTs(tokens[tokens.length - 1]);
  const cuts: number[] = [];
  for (let i = 1; i < tokens.length; i += 1) if (isTs(tokens[i]) && isTs(tokens[i - 1])) cuts.push(i);
  if (cuts.length === 0) {
    const stamps = tokens.filter(isTs);
    const last = stamps.length ? stamps[stamps.length - 1] : undefined;
    const t1 = last !== undefined && last !== tsBegin ? (last - tsBegin) * TIME_STEP : undefined;
    return { pieces: [{ t0: 0, t1, tokens }], advance: windowFrames };
  }
  if (singleEnding) cuts.push(tokens.length);
  const pieces: { t0: number; t1?: number; tokens: number[] }[] = [];
  let last = 0;
  for (const cut of cuts) {
    const slice = tokens.slice(last, cut);
    pieces.push({ t0: (slice[0] - tsBegin) * TIME_STEP, t1: (slice[slice.length - 1] - tsBegin) * TIME_STEP, tokens: slice });
    last = cut;
  }
  const advance = singleEnding ? windowFrames : (tokens[last - 1] - tsBegin) * (TIME_STEP / FRAME_S);
  return { pieces, advance };
}

/**
 * Whisper's timestamp rules (OpenAI's ApplyTimestampRules, as CTranslate2 applies them): no <|notimestamps|>;
 * timestamps come in pairs except before the end; they never go back and each segment has a length; the first
 * token is a timestamp no later than `maxInitial` steps (1 s); a timestamp is forced when the timestamps' total
 * probability beats the most likely word.
 */
class TimestampRules extends LogitsProcessor {
  constructor(
    private readonly begin: number,
    private readonly tsBegin: number,
    private readonly noTimestamps: number,
    private readonly eot: number,
    private readonly maxInitial: number,
  ) {
    super();
  }

  _call(inputIds: bigint[][], logits: Tensor): Tensor {
    for (let b = 0; b < inputIds.length; b += 1) {
      const row = (logits.dims.length === 1 ? logits : (logits as unknown as Tensor[])[b]).data as Float32Array;
      row[this.noTimestamps] = -Infinity;
      const seq = inputIds[b].slice(this.begin).map(Number);
      if (seq.length === 0) {
        row.fill(-Infinity, 0, this.tsBegin);
        row.fill(-Infinity, this.tsBegin + this.maxInitial + 1);
      } else {
        const lastTs = seq[seq.length - 1] >= this.tsBegin;
        const penultimateTs = seq.length < 2 || seq[seq.length - 2] >= this.tsBegin;
        if (lastTs) {
          if (penultimateTs) row.fill(-Infinity, this.tsBegin);
          else row.fill(-Infinity, 0, this.eot);
        }
        const stamps = seq.filter((id) => id >= this.tsBegin);
        if (stamps.length) {
          const floor = lastTs && !penultimateTs ? stamps[stamps.length - 1] : stamps[stamps.length - 1] + 1;
          row.fill(-Infinity, this.tsBegin, floor);
        }
      }
      let maxAll = -Infinity;
      for (let i = 0; i < row.length; i += 1) if (row[i] > maxAll) maxAll = row[i];
      let sum = 0;
      for (let i = 0; i < row.length; i += 1) sum += Math.exp(row[i] - maxAll);
      const logZ = maxAll + Math.log(sum);
      let tsMax = -Infinity;
      for (let i = this.tsBegin; i < row.length; i += 1) if (row[i] > tsMax) tsMax = row[i];
      let tsSum = 0;
      for (let i = this.tsBegin; i < row.length; i += 1) tsSum += Math.exp(row[i] - tsMax);
      const tsLogProb = tsMax + Math.log(tsSum) - logZ;
      let textMax = -Infinity;
      for (let i = 0; i < this.tsBegin; i += 1) if (row[i] > textMax) textMax = row[i];
      if (tsLogProb > textMax - logZ) row.fill(-Infinity, 0, this.tsBegin);
    }
    return logits;
  }
}

/** `en`, `<|en|>` and `English` all mean English; codes are kept, names lower-cased. */
function normaliseLanguage(language: string): string {
  return language
    .replace(/^<\|(.*)\|>$/, '$1')
    .trim()
    .toLowerCase();
}

/**
 * Language detection as Whisper does it: one decoder step after <|startoftranscript|> on the first window,
 * then the most likely of the model's language tokens.
 */
async function detectLanguage(asr: AsrPipeline, input_features: Tensor): Promise<string | undefined> {
  const gen = asr.model.generation_config ?? {};
  const langs = Object.entries(gen.lang_to_id ?? {});
  if (langs.length === 0 || gen.decoder_start_token_id === undefined) return undefined;
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
export function normaliseSegments(
  chunks: ReadonlyArray<{ timestamp: readonly [number | null, number | null]; text: string }>,
  duration: number,
): TranscriptSegment[] {
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
