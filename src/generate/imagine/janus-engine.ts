import { AutoProcessor, BaseStreamer, MultiModalityCausalLM, Tensor, type RawImage } from '@huggingface/transformers';
import type { ModelRuntimeOptions } from '../../models/runtime-options.js';
import type { RgbImage } from '../../types.js';
import { throwIfAborted } from '../abort.js';
import { fromRawImage } from '../../media/image/raw-image.js';
import type { ImageGenerationCallOptions, ImageGenerationEngine } from '../engine.js';
import { loadOnce } from '../load-once.js';

interface JanusTokenizer {
  bos_token_id?: number;
  pad_token_id?: number;
  convert_tokens_to_ids(tokens: string[]): number[];
}
interface JanusProcessor {
  (conversation: Array<{ role: string; content: string }>, options: { chat_template: string }): Promise<Record<string, unknown>>;
  num_image_tokens: number;
  image_start_tag: string;
  tokenizer: JanusTokenizer;
}
type PrepareInputs = (
  ids: bigint[][],
  inputs: Record<string, unknown>,
  config: { guidance_scale?: number | null },
) => Record<string, unknown>;
interface JanusModel {
  generate_images(inputs: Record<string, unknown>): Promise<RawImage[]>;
  prepare_inputs_for_generation: PrepareInputs;
  generation_config?: { guidance_scale?: number | null; pad_token_id?: number; bos_token_id?: number } | null;
}

/**
 * Hugging Face's classifier-free guidance scale for Janus (`JanusForConditionalGeneration`'s generation config, and
 * DeepSeek's `cfg_weight`). The Transformers.js conversion's generation_config.json has none, so without this
 * Transformers.js generates unguided.
 */
export const JANUS_GUIDANCE_SCALE = 5;

/** How one image is generated: sampling (Rosetta's default) or greedy (the parity test), and the guidance scale. */
export interface JanusGenerationOptions {
  doSample?: boolean;
  guidanceScale?: number;
  signal?: AbortSignal;
}

/** Records the generated image-token ids (and stops generation when the signal fires). */
class ImageTokenRecorder extends BaseStreamer {
  readonly ids: number[] = [];
  private first = true;
  constructor(
    private readonly what: string,
    private readonly signal: AbortSignal | undefined,
  ) {
    super();
  }
  put(value: bigint[][]): void {
    throwIfAborted(this.signal, this.what);
    if (this.first) {
      this.first = false;
      return;
    } // the prompt
    this.ids.push(Number(value[0]?.[0]));
  }
  end(): void {
    throwIfAborted(this.signal, this.what);
  }
}

/**
 * Makes Transformers.js build the unconditional half of classifier-free guidance as Hugging Face does
 * (`JanusForConditionalGeneration.generate`): the prompt with every token but `<bos>` and `<begin_of_image>` replaced
 * by the pad token, attended like the prompt. Transformers.js pads every token and masks the whole unconditional
 * prompt (attention 0), which conditions the unguided logits on nothing at all and changes the guided image.
 */
export function guideJanusLikeHuggingFace(model: JanusModel, ids: { bos: number; boi: number; pad: number }): void {
  const marked = model as JanusModel & { rosettaHfGuidance?: boolean };
  if (marked.rosettaHfGuidance) return;
  marked.rosettaHfGuidance = true;
  const original = model.prepare_inputs_for_generation.bind(model);
  model.prepare_inputs_for_generation = (allIds, inputs, config) => {
    const first = !inputs.past_key_values;
    const out = original(allIds, inputs, config);
    if (!first || !(config.guidance_scale != null && config.guidance_scale > 1)) return out;
    const inputIds = out.input_ids as Tensor;
    const mask = out.attention_mask as Tensor;
    const [rows, length] = inputIds.dims;
    const half = rows / 2;
    const tokens = inputIds.data as BigInt64Array;
    const attended = mask.data as BigInt64Array;
    const keep = new Set([BigInt(ids.bos), BigInt(ids.boi)]);
    for (let r = 0; r < half; r += 1) {
      for (let j = 0; j < length; j += 1) {
        const t = tokens[r * length + j];
        tokens[(half + r) * length + j] = keep.has(t) ? t : BigInt(ids.pad);
        attended[(half + r) * length + j] = attended[r * length + j];
      }
    }
    return out;
  };
}

/**
 * Janus (text → image) through Transformers.js: `MultiModalityCausalLM` and its processor with the
 * `text_to_image` chat template; each image is a fixed number of sampled image tokens, with Hugging Face's
 * classifier-free guidance (scale 5 unless the model's generation_config.json names one; unconditional prompt built
 * as Hugging Face builds it, see guideJanusLikeHuggingFace). Checked against Hugging Face on a random-weight Janus in
 * test/models/parity-janus.test.ts; run the real model with ROSETTA_MODELS set.
 */
export class JanusEngine implements ImageGenerationEngine {
  readonly provider = 'transformers.js';
  constructor(
    readonly modelId: string,
    private readonly runtime: ModelRuntimeOptions = {},
  ) {}

  /** Loads (downloading when allowed) every file of the model now. */
  async ready(): Promise<void> {
    await this.load();
  }

  private async load(): Promise<[JanusProcessor, JanusModel]> {
    const [processor, model] = await Promise.all([
      loadOnce(
        'janus-processor',
        this.modelId,
        this.runtime,
        async (path, options) => (await AutoProcessor.from_pretrained(path, options)) as unknown as JanusProcessor,
        'processor',
      ),
      loadOnce(
        'janus-model',
        this.modelId,
        this.runtime,
        async (path, options) => (await MultiModalityCausalLM.from_pretrained(path, options)) as unknown as JanusModel,
      ),
    ]);
    const tok = processor.tokenizer;
    const [boi] = tok.convert_tokens_to_ids([processor.image_start_tag]);
    const bos = model.generation_config?.bos_token_id ?? tok.bos_token_id;
    const pad = model.generation_config?.pad_token_id ?? tok.pad_token_id;
    if (bos != null && pad != null && boi != null) guideJanusLikeHuggingFace(model, { bos, boi, pad });
    return [processor, model];
  }

  /** The prompt as the model sees it: Janus' chat format for image generation, ending in `<begin_of_image>`. */
  async promptInputs(prompt: string): Promise<Record<string, unknown>> {
    const [processor] = await this.load();
    return processor([{ role: '<|User|>', content: prompt }], { chat_template: 'text_to_image' });
  }

  /** One image and the image-token ids it was decoded from. */
  async generateOne(prompt: string, options: JanusGenerationOptions = {}): Promise<{ tokens: number[]; image: RgbImage }> {
    const what = `image generation with ${this.modelId}`;
    const [processor, model] = await this.load();
    const inputs = await this.promptInputs(prompt);
    const n = processor.num_image_tokens;
    const guidance_scale = options.guidanceScale ?? model.generation_config?.guidance_scale ?? JANUS_GUIDANCE_SCALE;
    const recorder = new ImageTokenRecorder(what, options.signal);
    const [raw] = await model.generate_images({
      ...inputs,
      min_new_tokens: n,
      max_new_tokens: n,
      do_sample: options.doSample ?? true,
      guidance_scale,
      streamer: recorder,
    });
    return { tokens: recorder.ids, image: fromRawImage(raw) };
  }

  async doGenerate(prompt: string, options: ImageGenerationCallOptions): Promise<RgbImage[]> {
    const what = `image generation with ${this.modelId}`;
    const images: RgbImage[] = [];
    for (let i = 0; i < options.count; i += 1) {
      throwIfAborted(options.signal, what);
      images.push((await this.generateOne(prompt, { signal: options.signal })).image);
    }
    return images;
  }
}
