import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelRef } from '../models/model-ref.js';
import type { ResolvedRuntime } from '../models/runtime-options.js';
import { restoreEndToken } from './text-truncation.js';

/** What a CLIP text tower is fed: token ids and attention mask, one row per text, padded to the longest. */
export interface TextTokens {
  ids: BigInt64Array;
  mask: BigInt64Array;
  dims: [number, number];
}

/**
 * A CLIP text tower run straight on ONNX Runtime, its tokenizer on `@huggingface/tokenizers` (the package
 * Transformers.js tokenizes with), without loading Transformers.js and the sharp and image code it brings: about
 * 0.15 s of CPU less for a cold text search. Used only where it gives what Transformers.js gives (a local model
 * directory, the CPU, fp32 weights in `onnx/text_model.onnx` without external data); test/spaces/clip-text-direct.test.ts
 * checks token ids and vectors against Transformers.js.
 */
export class DirectClipText {
  private constructor(
    private readonly tokenizer: { encode(text: string): { ids: number[]; attention_mask: number[] } },
    private readonly session: import('onnxruntime-node').InferenceSession,
    private readonly ort: typeof import('onnxruntime-node'),
    private readonly maxLength: number,
    private readonly padId: number,
    private readonly endId: number | undefined,
  ) {}

  /**
   * The ONNX file of this model's text tower when the direct path gives what Transformers.js would: a local
   * directory with a tokenizer, the CPU, fp32 (asked, or the model's own `transformers.js_config` default).
   */
  static fileFor(ref: ModelRef, runtime: Pick<ResolvedRuntime, 'device' | 'dtype'>): string | undefined {
    if (ref.kind !== 'local' || runtime.device !== 'cpu' || runtime.dtype !== 'fp32') return undefined;
    const file = join(ref.dir, 'onnx', 'text_model.onnx');
    const needed = [file, join(ref.dir, 'tokenizer.json'), join(ref.dir, 'tokenizer_config.json'), join(ref.dir, 'config.json')];
    if (!needed.every((f) => existsSync(f)) || existsSync(`${file}_data`)) return undefined;
    return file;
  }

  static async open(ref: ModelRef & { kind: 'local' }, file: string, runtime: Pick<ResolvedRuntime, 'threads'>): Promise<DirectClipText> {
    const [{ Tokenizer }, { openOnnxSession, ort }] = await Promise.all([
      import('@huggingface/tokenizers'),
      import('../models/onnx-session.js'), // onnxruntime-node, loaded with the first text query
    ]);
    const read = (name: string) => JSON.parse(readFileSync(join(ref.dir, name), 'utf8')) as Record<string, unknown>;
    const config = read('tokenizer_config.json');
    const tokenizer = new Tokenizer(read('tokenizer.json'), config);
    // As Transformers.js' PreTrainedTokenizer reads them: special tokens by name from tokenizer_config.json.
    const tokenOf = (...keys: string[]) => {
      for (const key of keys) {
        const v = config[key];
        const name = typeof v === 'object' && v !== null ? (v as { content?: string }).content : v;
        if (typeof name === 'string' && name) return tokenizer.token_to_id(name);
      }
      return undefined;
    };
    const session = await openOnnxSession(
      file,
      { device: 'cpu', threads: runtime.threads },
      `text tower of ${ref.label}`,
      'check the directory has config.json, the tokenizer files and onnx/text_model.onnx',
    );
    const maxLength = typeof config.model_max_length === 'number' ? config.model_max_length : Infinity;
    return new DirectClipText(tokenizer, session, ort, maxLength, tokenOf('pad_token', 'eos_token') ?? 0, tokenOf('eos_token'));
  }

  /**
   * Token ids as Transformers.js gives them with `{ padding: true, truncation: true }` (right padding with the pad
   * token, rows cut at the model's maximum length), with the end token put back on cut rows (restoreEndToken).
   */
  tokenize(texts: string[]): TextTokens {
    const rows = texts.map((t) => this.tokenizer.encode(t));
    const width = Math.min(Math.max(...rows.map((r) => r.ids.length)), this.maxLength);
    const ids = new BigInt64Array(rows.length * width);
    const mask = new BigInt64Array(rows.length * width);
    rows.forEach((r, i) => {
      for (let j = 0; j < width; j++) {
        ids[i * width + j] = BigInt(j < r.ids.length ? r.ids[j] : this.padId);
        mask[i * width + j] = BigInt(j < r.ids.length ? r.attention_mask[j] : 0);
      }
    });
    const dims: [number, number] = [rows.length, width];
    restoreEndToken({ data: ids, dims }, { data: mask, dims }, this.endId, Number.isFinite(this.maxLength) ? this.maxLength : undefined);
    return { ids, mask, dims };
  }

  /** The tower's `text_embeds` for these tokens (rows × dim, not normalised) and the dimension. */
  async embed({ ids, mask, dims }: TextTokens): Promise<{ data: Float32Array; dim: number }> {
    // Only the inputs the graph takes, as Transformers.js feeds them (some CLIP exports take no attention mask).
    const feeds: Record<string, import('onnxruntime-node').Tensor> = { input_ids: new this.ort.Tensor('int64', ids, dims) };
    if (this.session.inputNames.includes('attention_mask')) feeds.attention_mask = new this.ort.Tensor('int64', mask, dims);
    const out = await this.session.run(feeds);
    const t = out.text_embeds ?? out[this.session.outputNames[0]];
    return { data: t.data as Float32Array, dim: t.dims[t.dims.length - 1] };
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
