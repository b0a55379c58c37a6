import { pipeline, Tensor } from '@huggingface/transformers';
import type { ModelRuntimeOptions } from '../../models/runtime-options.js';
import type { RgbImage } from '../../types.js';
import { throwIfAborted, TokenStreamer } from '../abort.js';
import type { CaptionCallOptions, CaptionEngine } from '../engine.js';
import { loadOnce } from '../load-once.js';
import {
  kernelForResample,
  preprocessImages,
  readImagePreprocessConfig,
  type ImagePreprocessConfig,
} from '../../media/image/preprocess-image.js';

/** The parts of the `image-to-text` pipeline this engine uses: its loaded model, tokenizer and processor settings. */
interface ImageToTextPipeline {
  model: { generate(options: Record<string, unknown>): Promise<Tensor> };
  tokenizer: { batch_decode(ids: Tensor, options: { skip_special_tokens: boolean }): string[] };
  processor: { config?: Record<string, unknown>; image_processor?: { config?: Record<string, unknown> } };
}

/**
 * A VisionEncoderDecoder captioner (ViT-GPT2 and kin). The `image-to-text` pipeline loads the model, tokenizer and
 * processor; the pixels come from Rosetta's own preprocessing (sharp, with the kernel the processor names: bilinear
 * for ViT-GPT2), which matches Pillow where Transformers.js' resize does not closely enough for greedy decoding to
 * agree (test/models/parity-vit-gpt2.test.ts). It knows one kind of caption; `detailed` lets it write longer (more
 * tokens, a repetition penalty) rather than asking a different question.
 */
export class VisionCaptioner implements CaptionEngine {
  readonly provider = 'transformers.js';
  readonly supportsOcr = false;
  constructor(
    readonly modelId: string,
    private readonly runtime: ModelRuntimeOptions = {},
  ) {}

  /** Loads (downloading when allowed) every file of the model now. */
  async ready(): Promise<void> {
    await this.load();
  }

  private load(): Promise<ImageToTextPipeline> {
    return loadOnce(
      'image-to-text',
      this.modelId,
      this.runtime,
      async (path, options) => (await pipeline('image-to-text', path, options)) as unknown as ImageToTextPipeline,
    );
  }

  private static preprocessConfig(captioner: ImageToTextPipeline): ImagePreprocessConfig {
    const json = captioner.processor.image_processor?.config ?? captioner.processor.config ?? {};
    return { ...readImagePreprocessConfig(json), kernel: kernelForResample(json.resample) };
  }

  async doCaption(images: RgbImage[], options: CaptionCallOptions): Promise<Array<{ text: string }>> {
    const what = `captioning with ${this.modelId}`;
    const captioner = await this.load();
    const cfg = VisionCaptioner.preprocessConfig(captioner);
    const detailed = options.detail === 'detailed';
    const results: Array<{ text: string }> = [];
    for (const image of images) {
      throwIfAborted(options.signal, what);
      const { data, dims } = await preprocessImages([image], cfg);
      const ids = await captioner.model.generate({
        inputs: new Tensor('float32', data, dims),
        max_new_tokens: options.maxNewTokens ?? (detailed ? 48 : 20),
        ...(detailed ? { num_beams: 1, repetition_penalty: 1.2 } : {}),
        streamer: new TokenStreamer(what, options.signal),
      });
      results.push({ text: (captioner.tokenizer.batch_decode(ids, { skip_special_tokens: true })[0] ?? '').trim() });
    }
    return results;
  }
}
