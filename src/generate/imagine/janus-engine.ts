import { AutoProcessor, MultiModalityCausalLM, type RawImage } from '@huggingface/transformers';
import type { ModelRuntimeOptions } from '../../models/runtime-options.js';
import type { RgbImage } from '../../types.js';
import { throwIfAborted, TokenStreamer } from '../abort.js';
import { fromRawImage } from '../../media/image/raw-image.js';
import type { ImageGenerationCallOptions, ImageGenerationEngine } from '../engine.js';
import { loadOnce } from '../load-once.js';

interface JanusProcessor {
  (conversation: Array<{ role: string; content: string }>, options: { chat_template: string }): Promise<Record<string, unknown>>;
  num_image_tokens: number;
}
interface JanusModel { generate_images(inputs: Record<string, unknown>): Promise<RawImage[]> }

/**
 * Janus (text → image) through Transformers.js: `MultiModalityCausalLM` and its processor with the
 * `text_to_image` chat template; each image is a fixed number of sampled image tokens. Too large to fake in
 * tests (1.3B parameters); run it with ROSETTA_MODELS set.
 */
export class JanusEngine implements ImageGenerationEngine {
  readonly provider = 'transformers.js';
  constructor(readonly modelId: string, private readonly runtime: ModelRuntimeOptions = {}) {}

  /** Loads (downloading when allowed) every file of the model now. */
  async ready(): Promise<void> { await this.load(); }

  private load(): Promise<[JanusProcessor, JanusModel]> {
    return Promise.all([
      loadOnce('janus-processor', this.modelId, this.runtime,
        async (path, options) => await AutoProcessor.from_pretrained(path, options) as unknown as JanusProcessor, 'processor'),
      loadOnce('janus-model', this.modelId, this.runtime,
        async (path, options) => await MultiModalityCausalLM.from_pretrained(path, options) as unknown as JanusModel),
    ]);
  }

  async doGenerate(prompt: string, options: ImageGenerationCallOptions): Promise<RgbImage[]> {
    const what = `image generation with ${this.modelId}`;
    const [processor, model] = await this.load();
    const inputs = await processor([{ role: '<|User|>', content: prompt }], { chat_template: 'text_to_image' });
    const n = processor.num_image_tokens;
    const images: RgbImage[] = [];
    for (let i = 0; i < options.count; i += 1) {
      throwIfAborted(options.signal, what);
      const out = await model.generate_images({ ...inputs, min_new_tokens: n, max_new_tokens: n, do_sample: true, streamer: new TokenStreamer(what, options.signal) });
      images.push(...out.map(fromRawImage));
    }
    return images.slice(0, options.count);
  }
}
