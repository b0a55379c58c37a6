import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Tensor } from '@huggingface/transformers';
import { loadPretrained, pretrainedAs } from '../models/load-pretrained.js';
import { modelVersion } from '../models/model-version.js';
import { parseModelRef, type ModelRef } from '../models/model-ref.js';
import { resolveRuntime, type ResolvedRuntime } from '../models/runtime-options.js';
import { invalidArgument } from '../util/validate.js';
import type { Device, DType, Modality, PcmAudio, RgbImage } from '../types.js';
import { l2normalize, rowsNormalized } from '../vectors/vector-math.js';
import { inBatches } from '../util/batches.js';
import { restoreEndToken } from './text-truncation.js';
import { unsupportedModality, type Space } from './space.js';

export interface LoadClapSpaceOptions {
  /** Hub id (`Xenova/clap-htsat-unfused`, optionally `@revision`) or a model directory in Transformers.js CLAP layout. */
  model: string;
  /** Space id; default `clap`. */
  id?: string;
  device?: Device;
  dtype?: DType;
  /** Inputs per forward pass. Default 32 texts, 8 audio windows. */
  batchSize?: number;
  offline?: boolean;
  cacheDir?: string;
}

type Callable = ((inputs: Record<string, unknown>) => Promise<Record<string, Tensor>>) & { dispose?: () => Promise<unknown> };
type TokenizerFn = ((texts: string[], opts: Record<string, unknown>) => Record<string, Tensor>) & {
  model_max_length?: number;
  eos_token_id?: number;
  sep_token_id?: number;
};
type FeatureExtractorFn = ((audio: Float32Array) => Promise<{ input_features: Tensor }>) & { config: Record<string, unknown> };

/**
 * Loads a CLAP (text↔audio) space. The tokenizer, feature extractor and config load now (small files, so
 * `audioSampleRate` and `dim` are known); the text and audio towers load separately on first use.
 * @example const clap = await loadClapSpace({ model: 'Xenova/clap-htsat-unfused' }); await clap.embedTexts(['dog barking']);
 */
export async function loadClapSpace(options: LoadClapSpaceOptions): Promise<Space> {
  if (typeof options?.model !== 'string' || !options.model) throw invalidArgument('model', 'a hub id or a model directory', options?.model);
  const ref = parseModelRef(options.model);
  const runtime = resolveRuntime({
    device: options.device,
    dtype: options.dtype,
    batchSize: options.batchSize,
    offline: options.offline,
    cacheDir: options.cacheDir,
  });
  // A local directory's two settings files are read as they are (what AutoConfig and AutoFeatureExtractor read), so
  // opening a collection with an audio tower does not load Transformers.js; the extractor itself loads on first audio.
  const local = ref.kind === 'local' ? readLocalSettings(ref.dir) : undefined;
  if (local) return new ClapSpace(options.id ?? 'clap', ref, runtime, local.config, local.extractor);
  const tf = await import('@huggingface/transformers');
  const [config, extractor] = await Promise.all([
    loadPretrained(pretrainedAs<Record<string, unknown>>(tf.AutoConfig), ref, runtime, {}, 'config'),
    loadPretrained(pretrainedAs<FeatureExtractorFn>(tf.AutoFeatureExtractor), ref, runtime, {}, 'feature extractor'),
  ]);
  return new ClapSpace(options.id ?? 'clap', ref, runtime, config, extractor.config, extractor);
}

/** config.json and preprocessor_config.json of a model directory; undefined when either is missing or unreadable. */
function readLocalSettings(dir: string): { config: Record<string, unknown>; extractor: Record<string, unknown> } | undefined {
  const files = [join(dir, 'config.json'), join(dir, 'preprocessor_config.json')];
  if (!files.every((f) => existsSync(f))) return undefined;
  try {
    const [config, extractor] = files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as Record<string, unknown>);
    return { config, extractor };
  } catch {
    return undefined; // Transformers.js' loader then says what is wrong, as before
  }
}

/** A text+audio space over a CLAP model run by Transformers.js. Vectors are L2-normalised. */
export class ClapSpace implements Space {
  readonly modalities: Space['modalities'] = ['text', 'audio'];
  readonly model: string;
  readonly version: string;
  dim: number;
  readonly audioSampleRate: number;
  readonly audioWindowSeconds: number;
  readonly logitScale: number;
  private readonly windowSamples: number;
  private tokenizer?: Promise<TokenizerFn>;
  private textModel?: Promise<Callable>;
  private audioModel?: Promise<Callable>;
  private extractor?: Promise<FeatureExtractorFn>;

  constructor(
    readonly id: string,
    private readonly ref: ModelRef,
    private readonly runtime: ResolvedRuntime,
    config: Record<string, unknown>,
    private readonly extractorConfig: Record<string, unknown>,
    extractor?: FeatureExtractorFn,
  ) {
    if (extractor) this.extractor = Promise.resolve(extractor);
    this.model = ref.label;
    this.version = modelVersion(ref);
    this.dim = Number(config.projection_dim) || 0;
    const fe = extractorConfig;
    this.audioSampleRate = Number(fe.sampling_rate) || 48_000;
    this.windowSamples = Number(fe.nb_max_samples) || Math.round((Number(fe.max_length_s) || 10) * this.audioSampleRate);
    this.audioWindowSeconds = this.windowSamples / this.audioSampleRate;
    // HF's ClapConfig keeps the scale itself here (1/0.07 by default; the model stores its log).
    const scale = Number(config.logit_scale_init_value);
    this.logitScale = Number.isFinite(scale) && scale > 0 ? scale : 1 / 0.07;
  }

  async embedTexts(texts: string[]): Promise<Float32Array[]> {
    if (!Array.isArray(texts) || texts.some((t) => typeof t !== 'string')) throw invalidArgument('texts', 'an array of strings', texts);
    if (texts.length === 0) return [];
    const [tokenizer, model] = await this.loadText();
    return inBatches(texts, this.runtime.batchSize ?? 32, async (batch) => {
      const out = await model(this.encode(tokenizer, batch));
      return this.rows(out.text_embeds, batch.length);
    });
  }

  /** Tokenises as Hugging Face does: a text past the context keeps its closing `</s>` (see restoreEndToken). */
  private encode(tokenizer: TokenizerFn, texts: string[]): Record<string, Tensor> {
    const inputs = tokenizer(texts, { padding: true, truncation: true });
    restoreEndToken(inputs.input_ids, inputs.attention_mask, tokenizer.sep_token_id ?? tokenizer.eos_token_id, tokenizer.model_max_length);
    return inputs;
  }

  /** The token ids (and attention mask) the text tower is fed for these texts, padded to the longest. */
  async tokenize(texts: string[]): Promise<{ ids: number[][]; mask: number[][] }> {
    const [tokenizer] = await this.loadText();
    const { input_ids: ids, attention_mask: mask } = this.encode(tokenizer, texts);
    const rows = (t: Tensor) => (t.tolist() as bigint[][]).map((r) => r.map(Number));
    return { ids: rows(ids), mask: rows(mask) };
  }

  /** The log-mel features the audio tower is fed for one window (at most `audioWindowSeconds` of samples). */
  async audioFeatures(samples: Float32Array): Promise<{ data: Float32Array; dims: number[] }> {
    const padded = this.extractorConfig.padding === 'repeatpad' ? repeatPad(samples, this.windowSamples) : samples;
    const { input_features: f } = await (await this.loadExtractor())(padded);
    return { data: f.data as Float32Array, dims: f.dims };
  }

  /**
   * Embeds mono clips at `audioSampleRate`. A clip longer than the model's window is cut into consecutive
   * windows whose vectors are averaged (deterministic, unlike the extractor's random crop); shorter clips are
   * padded by the feature extractor as the model was trained.
   */
  /** CLAP has no image tower: ROSETTA_ERR_SPACE_MODALITY_UNSUPPORTED. */
  async embedImages(_images: RgbImage[]): Promise<Float32Array[]> {
    throw unsupportedModality(this, 'image');
  }

  async embedAudio(clips: PcmAudio[]): Promise<Float32Array[]> {
    if (!Array.isArray(clips)) throw invalidArgument('clips', 'an array of { samples, sampleRate }', clips);
    clips.forEach((clip, i) => {
      if (!(clip?.samples instanceof Float32Array) || clip.samples.length === 0)
        throw invalidArgument(`clips[${i}].samples`, 'a non-empty Float32Array', clip?.samples);
      if (clip.sampleRate !== this.audioSampleRate) {
        throw invalidArgument(
          `clips[${i}].sampleRate`,
          `${this.audioSampleRate} Hz, the rate of ${this.model} (decode with decodeAudio(file, space.audioSampleRate))`,
          clip.sampleRate,
        );
      }
    });
    if (clips.length === 0) return [];
    const model = await this.loadAudio();
    const pieces: { clip: number; samples: Float32Array }[] = [];
    clips.forEach((clip, i) => {
      for (let s = 0; s < clip.samples.length; s += this.windowSamples)
        pieces.push({ clip: i, samples: clip.samples.subarray(s, s + this.windowSamples) });
    });
    const vectors = await inBatches(pieces, this.runtime.batchSize ?? 8, async (batch) => {
      const features = await Promise.all(batch.map((p) => this.audioFeatures(p.samples)));
      const dims = features[0].dims;
      const size = features[0].data.length;
      const data = new Float32Array(size * batch.length);
      features.forEach((f, i) => data.set(f.data, i * size));
      const { Tensor } = await import('@huggingface/transformers'); // loaded already, with the audio tower
      const out = await model({ input_features: new Tensor('float32', data, [batch.length, ...dims.slice(1)]) });
      return this.rows(out.audio_embeds, batch.length);
    });
    const sums = clips.map(() => new Float32Array(this.dim));
    pieces.forEach((p, i) => {
      const v = vectors[i];
      const sum = sums[p.clip];
      for (let k = 0; k < v.length; k += 1) sum[k] += v[k];
    });
    return sums.map(l2normalize);
  }

  private rows(t: Tensor | undefined, n: number): Float32Array[] {
    if (!t) throw invalidArgument('model outputs', 'text_embeds / audio_embeds (a CLAP *WithProjection export)', 'neither');
    const d = t.dims[t.dims.length - 1];
    this.dim = d;
    return rowsNormalized(t.data as Float32Array, n, d);
  }

  private loadText(): Promise<[TokenizerFn, Callable]> {
    const tf = import('@huggingface/transformers');
    this.tokenizer ??= tf.then((m) => loadPretrained(pretrainedAs<TokenizerFn>(m.AutoTokenizer), this.ref, this.runtime, {}, 'tokenizer'));
    this.textModel ??= tf.then((m) =>
      loadPretrained(pretrainedAs<Callable>(m.ClapTextModelWithProjection), this.ref, this.runtime, {}, 'text tower'),
    );
    return Promise.all([this.tokenizer, this.textModel]);
  }

  private loadAudio(): Promise<Callable> {
    this.audioModel ??= import('@huggingface/transformers').then((tf) =>
      loadPretrained(pretrainedAs<Callable>(tf.ClapAudioModelWithProjection), this.ref, this.runtime, {}, 'audio tower'),
    );
    return this.audioModel;
  }

  private loadExtractor(): Promise<FeatureExtractorFn> {
    this.extractor ??= import('@huggingface/transformers').then((tf) =>
      loadPretrained(pretrainedAs<FeatureExtractorFn>(tf.AutoFeatureExtractor), this.ref, this.runtime, {}, 'feature extractor'),
    );
    return this.extractor;
  }

  async load(modalities: readonly Modality[] = this.modalities): Promise<void> {
    if (modalities.includes('text')) await this.loadText();
    if (modalities.includes('audio')) await Promise.all([this.loadExtractor(), this.loadAudio()]);
  }

  async dispose(): Promise<void> {
    for (const m of [this.textModel, this.audioModel]) if (m) await (await m.catch(() => undefined))?.dispose?.();
    this.textModel = this.audioModel = undefined;
  }
}

/**
 * CLAP's `repeatpad`, as Hugging Face's feature extractor does it: as many whole copies of a short clip as fit in the
 * window, then silence. Done here because Transformers.js' extractor lays one copy too few when the window is an exact
 * multiple of the clip (a 2 s or 5 s clip in a 10 s window got one copy and silence: features up to 112 dB apart).
 */
export function repeatPad(samples: Float32Array, window: number): Float32Array {
  if (samples.length === 0 || samples.length >= window) return samples;
  const out = new Float32Array(window);
  const copies = Math.floor(window / samples.length);
  for (let k = 0; k < copies; k += 1) out.set(samples, k * samples.length);
  return out;
}
