import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Tensor } from '@huggingface/transformers';
import { loadPretrained, pretrainedAs } from '../models/load-pretrained.js';
import { modelVersion } from '../models/model-version.js';
import type { ModelRef } from '../models/model-ref.js';
import type { ResolvedRuntime } from '../models/runtime-options.js';
import type { Modality, PcmAudio, RgbImage } from '../types.js';
import { l2normalize } from '../vectors/vector-math.js';
import { inBatches } from '../util/batches.js';
import { unsupportedModality, type Space } from './space.js';

type Callable = ((inputs: Record<string, unknown>) => Promise<Record<string, Tensor>>) & { dispose?: () => Promise<unknown> };
type TokenizerFn = ((texts: string[], opts: Record<string, unknown>) => Record<string, Tensor>) & { sep_token_id?: number };

/** A sentence-transformers model directory: a BERT-like encoder with a mean-pooling module (1_Pooling/config.json). */
export function isSentenceModelDir(dir: string): boolean {
  return existsSync(join(dir, '1_Pooling', 'config.json')) && existsSync(join(dir, 'config.json'));
}

/** The longest input in tokens, as sentence-transformers cuts it (sentence_bert_config.json; 256 for all-MiniLM-L6-v2). */
function maxSequenceLength(dir: string): number {
  const path = join(dir, 'sentence_bert_config.json');
  const n = existsSync(path) ? Number(JSON.parse(readFileSync(path, 'utf8')).max_seq_length) : NaN;
  return Number.isInteger(n) && n > 0 ? n : 256;
}

/**
 * A text-only space over a sentence encoder (all-MiniLM-L6-v2 by default, see `rosetta models`): the encoder's
 * last hidden state, averaged over the real tokens and L2-normalised, as sentence-transformers does. It finds
 * notes, transcripts, captions and words in pictures by meaning; search fuses its ranking with the picture spaces'.
 */
export class SentenceSpace implements Space {
  readonly modalities: Space['modalities'] = ['text'];
  readonly model: string;
  readonly version: string;
  dim = 0;
  private readonly maxLength: number;
  private tokenizer?: Promise<TokenizerFn>;
  private encoder?: Promise<Callable>;

  constructor(
    readonly id: string,
    private readonly ref: ModelRef & { kind: 'local' },
    private readonly runtime: ResolvedRuntime,
  ) {
    this.model = ref.label;
    this.version = modelVersion(ref);
    this.maxLength = maxSequenceLength(ref.dir);
  }

  private loadTokenizer(): Promise<TokenizerFn> {
    // Transformers.js loads with the first tower, not when a collection with this space opens.
    this.tokenizer ??= import('@huggingface/transformers').then((tf) =>
      loadPretrained(pretrainedAs<TokenizerFn>(tf.AutoTokenizer), this.ref, this.runtime, {}, 'tokenizer'),
    );
    return this.tokenizer;
  }

  private loadEncoder(): Promise<Callable> {
    this.encoder ??= import('@huggingface/transformers').then((tf) =>
      loadPretrained(pretrainedAs<Callable>(tf.AutoModel), this.ref, this.runtime, {}, 'text encoder'),
    );
    return this.encoder;
  }

  async load(modalities: readonly Modality[] = this.modalities): Promise<void> {
    if (modalities.includes('text')) await Promise.all([this.loadTokenizer(), this.loadEncoder()]);
  }

  /**
   * Tokenises as sentence-transformers does: [CLS] … [SEP], cut at the model's maximum length. Transformers.js cuts
   * after adding the special tokens, so a long text would lose its [SEP]; Python's tokenizer keeps it in the last
   * place, and the embedding of a long text differs without it (cosine 0.9986 on a 420-token text).
   */
  private encode(tokenizer: TokenizerFn, texts: string[]): Record<string, Tensor> {
    const inputs = tokenizer(texts, { padding: true, truncation: true, max_length: this.maxLength });
    const sep = tokenizer.sep_token_id;
    const ids = inputs.input_ids;
    if (typeof sep !== 'number' || ids.dims[1] !== this.maxLength) return inputs;
    const data = ids.data as BigInt64Array;
    const mask = inputs.attention_mask.data as BigInt64Array;
    for (let row = 0; row < ids.dims[0]; row += 1) {
      const last = row * this.maxLength + this.maxLength - 1;
      if (mask[last] === 1n) data[last] = BigInt(sep);
    }
    return inputs;
  }

  /** Token ids as the encoder sees them: [CLS] … [SEP], lower-cased WordPiece, cut at the model's maximum length. */
  async tokenize(texts: string[]): Promise<number[][]> {
    const tokenizer = await this.loadTokenizer();
    const { input_ids: ids, attention_mask: mask } = this.encode(tokenizer, texts);
    const rows = (t: Tensor) => (t.tolist() as bigint[][]).map((r) => r.map(Number));
    const m = rows(mask);
    return rows(ids).map((r, i) => r.filter((_, j) => m[i][j] === 1));
  }

  /** A sentence encoder embeds text only: ROSETTA_ERR_SPACE_MODALITY_UNSUPPORTED. */
  async embedImages(_images: RgbImage[]): Promise<Float32Array[]> {
    throw unsupportedModality(this, 'image');
  }

  /** A sentence encoder embeds text only: ROSETTA_ERR_SPACE_MODALITY_UNSUPPORTED. */
  async embedAudio(_clips: PcmAudio[]): Promise<Float32Array[]> {
    throw unsupportedModality(this, 'audio');
  }

  async embedTexts(texts: string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const [tokenizer, encoder] = await Promise.all([this.loadTokenizer(), this.loadEncoder()]);
    return inBatches(texts, this.runtime.batchSize ?? 32, async (batch) => {
      const inputs = this.encode(tokenizer, batch);
      const out = await encoder(inputs);
      return meanPooled(out.last_hidden_state, inputs.attention_mask).map((v) => {
        this.dim = v.length;
        return l2normalize(v);
      });
    });
  }

  async dispose(): Promise<void> {
    if (this.encoder) await (await this.encoder.catch(() => undefined))?.dispose?.();
    this.encoder = undefined;
  }
}

/** The mean of each row's hidden states over the positions its attention mask keeps (float64 sums). */
export function meanPooled(hidden: Tensor, mask: Tensor): Float32Array[] {
  const [n, seq, d] = hidden.dims;
  const h = hidden.data as Float32Array;
  const m = mask.data as BigInt64Array;
  const out: Float32Array[] = [];
  for (let i = 0; i < n; i += 1) {
    const sum = new Float64Array(d);
    let count = 0;
    for (let t = 0; t < seq; t += 1) {
      if (m[i * seq + t] === 0n) continue;
      count += 1;
      const base = (i * seq + t) * d;
      for (let j = 0; j < d; j += 1) sum[j] += h[base + j];
    }
    out.push(Float32Array.from(sum, (s) => s / Math.max(count, 1)));
  }
  return out;
}
