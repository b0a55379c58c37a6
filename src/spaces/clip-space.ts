import type { Tensor } from '@huggingface/transformers';
import { loadPretrained, pretrainedAs } from '../models/load-pretrained.js';
import { modelVersion } from '../models/model-version.js';
import type { ModelRef } from '../models/model-ref.js';
import type { ResolvedRuntime } from '../models/runtime-options.js';
import { preprocessImages, readImagePreprocessConfig, type ImagePreprocessConfig } from '../media/image/preprocess-image.js';
import type { Modality, PcmAudio, RgbImage } from '../types.js';
import { rowsNormalized } from '../vectors/vector-math.js';
import { inBatches } from '../util/batches.js';
import { restoreEndToken } from './text-truncation.js';
import { DirectClipText } from './clip-text-direct.js';
import { unsupportedModality, type Space } from './space.js';

export type ClipFamily = 'clip' | 'siglip';

/** SigLIP's text is always padded (with </s>) or cut to this many tokens, as it was trained. */
const SIGLIP_TEXT_LENGTH = 64;

type Callable = ((inputs: Record<string, unknown>) => Promise<Record<string, Tensor>>) & { dispose?: () => Promise<unknown> };
type TokenizerFn = ((texts: string[], opts: Record<string, unknown>) => Record<string, Tensor>) & {
  model_max_length?: number;
  eos_token_id?: number;
};

export interface ClipSpaceOptions {
  id: string;
  ref: ModelRef;
  runtime: ResolvedRuntime;
  family: ClipFamily;
  /** Stored in the space's identity; defaults to the model's own version. */
  version?: string;
  dim?: number;
  logitScale?: number;
}

/**
 * A text+image space over a CLIP or SigLIP model, run by Transformers.js. The text and vision towers
 * load separately and lazily, so a text query never loads the vision tower. Images are resized and
 * normalised with sharp (faster than the library's own path, same arithmetic).
 */
export class ClipSpace implements Space {
  readonly id: string;
  readonly model: string;
  readonly modalities: Space['modalities'] = ['text', 'image'];
  dim: number;
  readonly version: string;
  readonly logitScale: number;
  private tokenizer?: Promise<TokenizerFn>;
  private textModel?: Promise<Callable>;
  private visionModel?: Promise<Callable>;
  private preprocess?: Promise<ImagePreprocessConfig>;
  private direct?: Promise<DirectClipText | undefined>;

  constructor(private readonly options: ClipSpaceOptions) {
    this.id = options.id;
    this.model = options.ref.label;
    this.version = options.version ?? modelVersion(options.ref);
    this.dim = options.dim ?? 0;
    this.logitScale = options.logitScale ?? 100;
  }

  private get textBatch() {
    return this.options.runtime.batchSize ?? 32;
  }
  private get imageBatch() {
    return this.options.runtime.batchSize ?? 16;
  }

  /**
   * The text tower on ONNX Runtime and the tokenizers package, without Transformers.js (see DirectClipText), for a
   * CLIP model where that gives the same vectors; undefined otherwise (SigLIP, hub models, GPU, fp16, q8).
   */
  private loadDirectText(): Promise<DirectClipText | undefined> {
    const { ref, runtime, family } = this.options;
    const file = family === 'clip' ? DirectClipText.fileFor(ref, runtime) : undefined;
    this.direct ??= file && ref.kind === 'local' ? DirectClipText.open(ref, file, runtime) : Promise.resolve(undefined);
    return this.direct;
  }

  // Transformers.js (with sharp and its image code) loads on the first tower or processor that needs it.
  private loadTokenizer(): Promise<TokenizerFn> {
    this.tokenizer ??= import('@huggingface/transformers').then((tf) =>
      loadPretrained(pretrainedAs<TokenizerFn>(tf.AutoTokenizer), this.options.ref, this.options.runtime, {}, 'tokenizer'),
    );
    return this.tokenizer;
  }

  private loadText(): Promise<Callable> {
    this.textModel ??= import('@huggingface/transformers').then((tf) => {
      const cls = this.options.family === 'siglip' ? tf.SiglipTextModel : tf.CLIPTextModelWithProjection;
      return loadPretrained(pretrainedAs<Callable>(cls), this.options.ref, this.options.runtime, {}, 'text tower');
    });
    return this.textModel;
  }

  private loadVision(): Promise<Callable> {
    this.visionModel ??= import('@huggingface/transformers').then((tf) => {
      const cls = this.options.family === 'siglip' ? tf.SiglipVisionModel : tf.CLIPVisionModelWithProjection;
      return loadPretrained(pretrainedAs<Callable>(cls), this.options.ref, this.options.runtime, {}, 'vision tower');
    });
    return this.visionModel;
  }

  private loadPreprocess(): Promise<ImagePreprocessConfig> {
    this.preprocess ??= import('@huggingface/transformers')
      .then((tf) =>
        loadPretrained(
          pretrainedAs<{ config?: Record<string, unknown> }>(tf.AutoImageProcessor),
          this.options.ref,
          this.options.runtime,
          {},
          'image processor',
        ),
      )
      .then((p) => readImagePreprocessConfig(p.config ?? {}));
    return this.preprocess;
  }

  private get tokenOptions() {
    return this.options.family === 'siglip'
      ? { padding: 'max_length', max_length: SIGLIP_TEXT_LENGTH, truncation: true }
      : { padding: true, truncation: true };
  }

  /**
   * Tokenises like the model was trained. CLIP pools its text at the end-of-text token (the highest id), but
   * Transformers.js' truncation cuts it off texts longer than the context (77 tokens): put it back in the last
   * place, as Hugging Face's Python tokenizer does, or such a text is embedded at an arbitrary word.
   */
  private encode(tokenizer: TokenizerFn, texts: string[]): Record<string, Tensor> {
    const inputs = tokenizer(texts, this.tokenOptions);
    // SigLIP pools at the last position, which must be </s> for a text cut at its 64 tokens, as in Hugging Face's.
    const max = this.options.family === 'siglip' ? SIGLIP_TEXT_LENGTH : tokenizer.model_max_length;
    restoreEndToken(inputs.input_ids, inputs.attention_mask, tokenizer.eos_token_id, max);
    return inputs;
  }

  /** The token ids (and attention mask) the text tower is fed for these texts, padded to the longest. */
  async tokenize(texts: string[]): Promise<{ ids: number[][]; mask: number[][] }> {
    const direct = await this.loadDirectText();
    if (direct) {
      const { ids, mask, dims } = direct.tokenize(texts);
      const rows = (a: BigInt64Array) =>
        Array.from({ length: dims[0] }, (_, i) => Array.from(a.subarray(i * dims[1], (i + 1) * dims[1]), Number));
      return { ids: rows(ids), mask: rows(mask) };
    }
    const tokenizer = await this.loadTokenizer();
    const { input_ids: ids, attention_mask: mask } = this.encode(tokenizer, texts);
    const rows = (t: Tensor) => (t.tolist() as bigint[][]).map((r) => r.map(Number));
    return { ids: rows(ids), mask: rows(mask) };
  }

  /** The pixel tensor the vision tower is fed for these images (NCHW float32, the model's processor settings). */
  async pixelValues(images: RgbImage[]): Promise<{ data: Float32Array; dims: [number, number, number, number] }> {
    return preprocessImages(images, await this.loadPreprocess());
  }

  async load(modalities: readonly Modality[] = this.modalities): Promise<void> {
    if (modalities.includes('text') && !(await this.loadDirectText())) await Promise.all([this.loadTokenizer(), this.loadText()]);
    if (modalities.includes('image')) await Promise.all([this.loadPreprocess(), this.loadVision()]);
  }

  async embedTexts(texts: string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const direct = await this.loadDirectText();
    if (direct) {
      return inBatches(texts, this.textBatch, async (batch) => {
        const { data, dim } = await direct.embed(direct.tokenize(batch));
        this.dim = dim;
        return rowsNormalized(data, batch.length, dim);
      });
    }
    const [tokenizer, model] = await Promise.all([this.loadTokenizer(), this.loadText()]);
    return inBatches(texts, this.textBatch, async (batch) => {
      const inputs = this.encode(tokenizer, batch);
      const out = await model(inputs);
      const emb = (out.text_embeds ?? out.pooler_output) as Tensor;
      return this.rows(emb, batch.length);
    });
  }

  async embedImages(images: RgbImage[]): Promise<Float32Array[]> {
    if (images.length === 0) return [];
    const [cfg, model] = await Promise.all([this.loadPreprocess(), this.loadVision()]);
    return inBatches(images, this.imageBatch, async (batch) => this.embedPixels(model, await preprocessImages(batch, cfg)));
  }

  /** CLIP and SigLIP have no audio tower: ROSETTA_ERR_SPACE_MODALITY_UNSUPPORTED. */
  async embedAudio(_clips: PcmAudio[]): Promise<Float32Array[]> {
    throw unsupportedModality(this, 'audio');
  }

  /** Embeds pixel tensors already preprocessed (NCHW float32, as `pixelValues` gives): the vision tower alone. */
  async embedPixelValues(pixels: { data: Float32Array; dims: [number, number, number, number] }): Promise<Float32Array[]> {
    return this.embedPixels(await this.loadVision(), pixels);
  }

  private async embedPixels(
    model: Callable,
    { data, dims }: { data: Float32Array; dims: [number, number, number, number] },
  ): Promise<Float32Array[]> {
    const { Tensor } = await import('@huggingface/transformers'); // loaded already, with the vision tower
    const out = await model({ pixel_values: new Tensor('float32', data, dims) });
    const emb = (out.image_embeds ?? out.pooler_output) as Tensor;
    return this.rows(emb, dims[0]);
  }

  private rows(t: Tensor, n: number): Float32Array[] {
    const d = t.dims[t.dims.length - 1];
    this.dim = d;
    return rowsNormalized(t.data as Float32Array, n, d);
  }

  async dispose(): Promise<void> {
    for (const m of [this.textModel, this.visionModel]) {
      if (m) await (await m.catch(() => undefined))?.dispose?.();
    }
    if (this.direct) await (await this.direct.catch(() => undefined))?.dispose();
    this.textModel = this.visionModel = this.direct = undefined;
  }
}
