import { LogitsProcessor, type Tensor } from '@huggingface/transformers';

export interface TimestampRulesConfig {
  /** `<|notimestamps|>`; the timestamp tokens `<|0.00|>` … follow it. */
  noTimestampsTokenId: number;
  eosTokenId: number;
  /** Tokens of the prompt (`<|startoftranscript|>` [lang] [task]): the first generated token's index. */
  beginIndex: number;
  /** The first timestamp may be at most this many steps (of 20 ms) in; null for no limit. */
  maxInitialTimestampIndex: number | null;
}

/**
 * Whisper's timestamp rules as Hugging Face's `WhisperTimeStampLogitsProcessor` (and OpenAI's decoder) apply them.
 * Transformers.js' own processor misses two: its `max_initial_timestamp_index` check sits after an early `continue`
 * and never runs (the first segment could start anywhere in the 30 s), and timestamps may go backwards (OpenAI's
 * "timestamps shouldn't decrease" rule is absent). Found by the reference-parity test (test/models/parity-whisper).
 * Run before Transformers.js' processor, which then changes nothing: its rules are a subset of these.
 */
export class WhisperTimestampRules extends LogitsProcessor {
  private readonly timestampBegin: number;

  constructor(private readonly config: TimestampRulesConfig) {
    super();
    this.timestampBegin = config.noTimestampsTokenId + 1;
  }

  _call(inputIds: bigint[][], logits: Tensor): Tensor {
    const { noTimestampsTokenId, eosTokenId, beginIndex, maxInitialTimestampIndex } = this.config;
    const begin = this.timestampBegin;
    for (let row = 0; row < inputIds.length; row += 1) {
      const scores = (logits as unknown as Tensor[])[row].data as Float32Array;
      scores[noTimestampsTokenId] = -Infinity;
      const seq = inputIds[row].slice(beginIndex).map(Number);
      const lastWasTimestamp = seq.length >= 1 && seq[seq.length - 1] >= begin;
      const penultimateWasTimestamp = seq.length < 2 || seq[seq.length - 2] >= begin;
      if (lastWasTimestamp) {
        if (penultimateWasTimestamp) scores.fill(-Infinity, begin);
        else scores.fill(-Infinity, 0, eosTokenId);
      }
      // Timestamps never decrease; after a closed pair the next one must move on (no second <|0.00|>).
      const stamps = seq.filter((t) => t >= begin);
      if (stamps.length > 0) {
        const last = stamps[stamps.length - 1];
        scores.fill(-Infinity, begin, lastWasTimestamp && !penultimateWasTimestamp ? last : last + 1);
      }
      if (inputIds[row].length === beginIndex) {
        scores.fill(-Infinity, 0, begin);
        if (maxInitialTimestampIndex !== null) scores.fill(-Infinity, begin + maxInitialTimestampIndex + 1);
      }
      if (timestampLogprob(scores, begin) > maxTextLogprob(scores, begin)) scores.fill(-Infinity, 0, begin);
    }
    return logits;
  }
}

/** log Σ softmax(scores)[begin:] and max log softmax(scores)[:begin] share the normaliser: compare the raw sums. */
function timestampLogprob(scores: Float32Array, begin: number): number {
  let max = -Infinity;
  for (let i = begin; i < scores.length; i += 1) if (scores[i] > max) max = scores[i];
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (let i = begin; i < scores.length; i += 1) sum += Math.exp(scores[i] - max);
  return max + Math.log(sum);
}

function maxTextLogprob(scores: Float32Array, begin: number): number {
  let max = -Infinity;
  for (let i = 0; i < begin; i += 1) if (scores[i] > max) max = scores[i];
  return max;
}

/**
 * A logits-processor list for the ASR pipeline's `logits_processor` option. The pipeline hands the same list to
 * `generate` for every 30 s window, and Whisper's `generate` pushes its own processors onto it each time; a plain
 * array would grow by two per window (hundreds over an hour, each re-scoring the whole vocabulary every step). This
 * one keeps a single processor of each class.
 */
export class ProcessorsOnce extends Array<LogitsProcessor> {
  static get [Symbol.species]() { return Array; }

  override push(...items: LogitsProcessor[]): number {
    for (const item of items) if (!this.some((p) => p.constructor === item.constructor)) super.push(item);
    return this.length;
  }
}
