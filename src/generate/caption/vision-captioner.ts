import { pipeline } from '@huggingface/transformers';
import type { ModelRuntimeOptions } from '../../models/runtime-options.js';
import type { RgbImage } from '../../types.js';
import { throwIfAborted, TokenStreamer } from '../abort.js';
import type { CaptionCallOptions, CaptionEngine } from '../engine.js';
import { loadOnce } from '../load-once.js';
import { toRawImage } from '../../media/image/raw-image.js';

interface ImageToTextPipeline {
  (images: unknown[], options: Record<string, unknown>): Promise<Array<Array<{ generated_text: string }>>>;
}

/**
 * A VisionEncoderDecoder captioner (ViT-GPT2 and kin) through the `image-to-text` pipeline. It knows one kind
 * of caption; `detailed` lets it write longer (more tokens, beam search) rather than asking a different question.
 */
export class VisionCaptioner implements CaptionEngine {
  readonly provider = 'transformers.js';
  readonly supportsOcr = false;
  constructor(readonly modelId: string, private readonly runtime: ModelRuntimeOptions = {}) {}

  /** Loads (downloading when allowed) every file of the model now. */
  async ready(): Promise<void> { await this.load(); }

  private load(): Promise<ImageToTextPipeline> {
    return loadOnce('image-to-text', this.modelId, this.runtime,
      async (path, options) => await pipeline('image-to-text', path, options) as unknown as ImageToTextPipeline);
  }

  async doCaption(images: RgbImage[], options: CaptionCallOptions): Promise<Array<{ text: string }>> {
    const what = `captioning with ${this.modelId}`;
    const captioner = await this.load();
    throwIfAborted(options.signal, what);
    const detailed = options.detail === 'detailed';
    const out = await captioner(images.map(toRawImage), {
      max_new_tokens: options.maxNewTokens ?? (detailed ? 48 : 20),
      ...(detailed ? { num_beams: 1, repetition_penalty: 1.2 } : {}),
      streamer: new TokenStreamer(what, options.signal),
    });
    return out.map((candidates) => ({ text: (candidates[0]?.generated_text ?? '').trim() }));
  }
}
