import { AutoProcessor, Florence2ForConditionalGeneration, type Tensor } from '@huggingface/transformers';
import type { ModelRuntimeOptions } from '../../models/runtime-options.js';
import type { RgbImage } from '../../types.js';
import { throwIfAborted, TokenStreamer } from '../abort.js';
import type { CaptionCallOptions, CaptionEngine } from '../engine.js';
import { loadOnce } from '../load-once.js';
import { toRawImage } from '../../media/image/raw-image.js';

interface FlorenceProcessor {
  (images: unknown, prompts: string[]): Promise<Record<string, Tensor>>;
  construct_prompts(task: string): string[];
  post_process_generation(text: string, task: string, size: [number, number]): Record<string, unknown>;
  batch_decode(ids: Tensor, options: { skip_special_tokens: boolean }): string[];
}
interface FlorenceModel {
  generate(inputs: Record<string, unknown>): Promise<Tensor>;
}

/**
 * Florence-2 through Transformers.js: its own task prompts — `<CAPTION>` (short), `<MORE_DETAILED_CAPTION>`
 * (detailed) and `<OCR>` (text in the image). Too large to fake in tests; run it with ROSETTA_MODELS set.
 */
export class FlorenceCaptioner implements CaptionEngine {
  readonly provider = 'transformers.js';
  readonly supportsOcr = true;
  constructor(
    readonly modelId: string,
    private readonly runtime: ModelRuntimeOptions = {},
  ) {}

  /** Loads (downloading when allowed) every file of the model now. */
  async ready(): Promise<void> {
    await this.load();
  }

  private load(): Promise<[FlorenceProcessor, FlorenceModel]> {
    return Promise.all([
      loadOnce(
        'florence2-processor',
        this.modelId,
        this.runtime,
        async (path, options) => (await AutoProcessor.from_pretrained(path, options)) as unknown as FlorenceProcessor,
        'processor',
      ),
      loadOnce(
        'florence2-model',
        this.modelId,
        this.runtime,
        async (path, options) => (await Florence2ForConditionalGeneration.from_pretrained(path, options)) as unknown as FlorenceModel,
      ),
    ]);
  }

  private async run(
    processor: FlorenceProcessor,
    model: FlorenceModel,
    image: RgbImage,
    task: string,
    options: CaptionCallOptions,
  ): Promise<string> {
    const what = `${task} with ${this.modelId}`;
    const inputs = await processor(toRawImage(image), processor.construct_prompts(task));
    throwIfAborted(options.signal, what);
    const ids = await model.generate({
      ...inputs,
      max_new_tokens: options.maxNewTokens ?? 100,
      streamer: new TokenStreamer(what, options.signal),
    });
    const raw = processor.batch_decode(ids, { skip_special_tokens: false })[0];
    const parsed = processor.post_process_generation(raw, task, [image.width, image.height]);
    return String(parsed[task] ?? '').trim();
  }

  async doCaption(images: RgbImage[], options: CaptionCallOptions): Promise<Array<{ text: string; ocr?: string }>> {
    const [processor, model] = await this.load();
    const task = options.detail === 'detailed' ? '<MORE_DETAILED_CAPTION>' : '<CAPTION>';
    const results: Array<{ text: string; ocr?: string }> = [];
    for (const image of images) {
      throwIfAborted(options.signal, `captioning with ${this.modelId}`);
      const text = await this.run(processor, model, image, task, options);
      const ocr = options.ocr ? await this.run(processor, model, image, '<OCR>', options) : undefined;
      results.push(ocr === undefined ? { text } : { text, ocr });
    }
    return results;
  }
}
