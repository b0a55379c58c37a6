import { resolve } from 'node:path';
import { RosettaError } from './errors/rosetta-error.js';
import { ErrorCodes } from './errors/codes.js';
import { readCollectionConfig, writeCollectionConfig, type CollectionConfig } from './collection/collection-config.js';
import { indexPaths, type IndexOptions } from './ingest/index-paths.js';
import type { IndexSummary } from './ingest/progress.js';
import { readImage } from './media/image/read-image.js';
import { readInput, type InputBytes } from './media/read-input.js';
import { readAudio } from './media/audio/read-audio.js';
import { detectType } from './media/detect-type.js';
import { DEFAULT_MODELS } from './models/registry.js';
import { resolveRuntime, type ModelRuntimeOptions, type ResolvedRuntime } from './models/runtime-options.js';
import { defaultSpaceId, loadSpace, type SpaceSpec } from './spaces/load-space.js';
import { covers, type Space } from './spaces/space.js';
import { openLanceStore } from './store/lancedb/lance-store.js';
import type { AnnSettings } from './store/ann/settings.js';
import type { VectorStore } from './store/vector-store.js';
import type { LanceStore } from './store/lancedb/lance-store.js';
import type { MilvusStore } from './store/milvus/milvus-store.js';
import type { DistributedIndexOptions } from './queue/distributed-index.js';
import type { StoreTarget } from './queue/run-spec.js';
import { searchCollection } from './search/search.js';
import type { SearchOptions, SearchQuery, SearchResult } from './search/query.js';
import { zeroShot, type TagResult } from './spaces/zero-shot.js';
import type { MediaInput, Modality } from './types.js';
import { captionInSpace, describeVideo, imagineInSpace, type CollectionCaptionResult, type CollectionImagineResult, type DescribeVideoOptions } from './collection/generation.js';
import type { CaptionOptions } from './generate/caption/caption.js';
import type { ImagineOptions } from './generate/imagine/imagine.js';
import { transcribe as transcribeAudio, type TranscribeOptions, type TranscribeResult } from './generate/transcribe/transcribe.js';
import { speak as speakText, type SpeakOptions, type SpeakResult } from './generate/speak/speak.js';
import { dot } from './vectors/vector-math.js';
import { clipScore } from './vectors/scores.js';
import { loadAdapters, trainAdapter, type TrainAdapterResult } from './collection/adapters.js';
import { attachText } from './collection/attach-text.js';
import { ocr as ocrImage, type OcrOptions, type OcrResult } from './ocr/read-image-text.js';
import { readTextIntoCollection, type OcrStageSummary } from './ocr/ocr-stage.js';
import { detectSpeech, type DetectSpeechOptions, type SpeechResult } from './vad/detect-speech.js';
import { findSpeechInCollection, type SpeechStageSummary } from './vad/speech-stage.js';

export interface RosettaOptions extends ModelRuntimeOptions {
  /**
   * Embedding spaces of a new collection, as model references (`mini`, a directory, a hub id) or
   * specs. Default: CLIP ViT-B/32 for text+image. An existing collection keeps the spaces it was
   * created with unless this is given.
   */
  spaces?: (string | SpaceSpec)[];
  /** Refuse images above this many pixels (default 100 MP). */
  maxPixels?: number;
  /** Rows above which a space table gets an ANN index (exact search below). */
  indexThreshold?: number;
  /** The in-process ANN index beside each vector table (usearch HNSW settings), or `false` to leave search to LanceDB. */
  ann?: Partial<AnnSettings> | false;
  /** An already opened store (e.g. Milvus) instead of the embedded LanceDB one. */
  store?: VectorStore;
}

/**
 * A collection: a directory holding its tables and settings, the spaces it encodes into, and the
 * operations over them.
 * @example
 * const rosetta = await Rosetta.open('./.rosetta', { spaces: ['mini'] });
 * await rosetta.index(['./photos']);
 * const hits = await rosetta.search('a red car', { k: 5 });
 */
export class Rosetta {
  private constructor(
    readonly dir: string,
    readonly store: VectorStore,
    readonly spaces: Space[],
    readonly runtime: ResolvedRuntime,
    private readonly options: RosettaOptions,
    readonly config: CollectionConfig,
  ) {
    this.reloadAdapters();
  }

  private textAdapters = new Map<string, (v: Float32Array) => Float32Array>();

  private reloadAdapters(): void {
    this.textAdapters = new Map([...loadAdapters(this.dir, this.spaces)].map(([id, { adapter }]) => [id, (v: Float32Array) => adapter.apply(v, 'b')]));
  }

  /**
   * Fits an adapter for a space from (image, caption) pairs (JSONL or CSV: image path or URL, caption),
   * saves it beside the collection, and applies it to text queries from then on (`adapter: false` to skip).
   */
  async trainAdapter(pairsFile: string, options: { space?: string; epochs?: number; onProgress?: (done: number, total: number) => void } = {}): Promise<TrainAdapterResult> {
    const result = await trainAdapter(this.dir, this.space(options.space ?? 'image'), pairsFile, options);
    this.reloadAdapters();
    return result;
  }

  /** Opens (or creates) the collection in `dir` (default `./.rosetta`). */
  static async open(dir = './.rosetta', options: RosettaOptions = {}): Promise<Rosetta> {
    const abs = resolve(dir);
    const runtime = resolveRuntime(options);
    const existing = readCollectionConfig(abs);
    const requested = options.spaces?.map((s) => (typeof s === 'string' ? { model: s } : s));
    const specs: Required<SpaceSpec>[] = (requested ?? existing?.spaces ?? [{ model: DEFAULT_MODELS.image }])
      .map((s) => ({ model: s.model, id: s.id ?? defaultSpaceId(s.model) }));
    const ids = specs.map((s) => s.id);
    if (new Set(ids).size !== ids.length) {
      throw new RosettaError(ErrorCodes.INVALID_ARGUMENT, `Two spaces share an id (${ids.join(', ')})`, { setting: 'spaces', hint: 'give each an explicit id, e.g. { id: "clip_large", model: "…" }' });
    }
    const spaces = await Promise.all(specs.map((s) => loadSpace(s, runtime)));
    const store = options.store ?? await openLanceStore(abs, { indexThreshold: options.indexThreshold, ann: options.ann });
    const config: CollectionConfig = { formatVersion: 1, spaces: specs, createdAt: existing?.createdAt ?? new Date().toISOString() };
    if (!existing || requested) writeCollectionConfig(abs, config);
    return new Rosetta(abs, store, spaces, runtime, options, config);
  }

  /**
   * Indexes files, folders and shards (see IndexOptions); returns added/updated/skipped/failed with reasons.
   * With `queue: 'redis://host:port'` the work is spread over `rosetta worker` processes (see indexDistributed).
   * With `ocr: true`, then reads the text in the pictures and video keyframes under `paths` (PaddleOCR) and
   * stores each line as an `ocr` segment, so search finds pictures by their words (see readTextIntoCollection).
   * With `speech: true`, finds where people speak in the audio and video items (Silero VAD), so search can keep
   * only moments with speech (`speech: true`).
   */
  async index(paths: string[], options: IndexOptions & Partial<Omit<DistributedIndexOptions, keyof IndexOptions>> & { ocr?: boolean; speech?: boolean; onOcrProgress?: (done: number, total: number, path: string) => void } = {}): Promise<IndexSummary & { ocr?: OcrStageSummary; speech?: SpeechStageSummary }> {
    let indexed: IndexSummary;
    if (options.queue) {
      const { indexDistributed } = await import('./queue/distributed-index.js');
      const target: StoreTarget = this.store.kind === 'milvus' ? { kind: 'milvus', ...(this.store as MilvusStore).target } : { kind: 'lancedb', dir: (this.store as LanceStore).dir };
      indexed = await indexDistributed({ store: this.store, spaces: this.spaces, specs: this.config.spaces, target, maxPixels: this.options.maxPixels }, paths, { ...options, queue: options.queue });
    } else {
      indexed = await indexPaths({ store: this.store, spaces: this.spaces, collectionDir: this.dir, maxPixels: this.options.maxPixels }, paths, options);
    }
    const summary: IndexSummary & { ocr?: OcrStageSummary; speech?: SpeechStageSummary } = indexed;
    if (options.speech) summary.speech = await findSpeechInCollection(this.store, paths, { signal: options.signal });
    if (!options.ocr) return summary;
    const ocrSummary = await readTextIntoCollection(this.store, this.spaces, paths, {
      ...this.runtimeFor(), threads: this.runtime.threads, maxPixels: this.options.maxPixels, signal: options.signal, onProgress: options.onOcrProgress,
    });
    return { ...summary, ocr: ocrSummary };
  }

  /**
   * The text in a picture (PaddleOCR PP-OCRv4, real weights shipped in npm): lines in reading order, each with
   * its box (corners in image pixels), bounds and confidence.
   */
  ocr(image: MediaInput, options: Omit<OcrOptions, keyof ModelRuntimeOptions> = {}): Promise<OcrResult> {
    return ocrImage(image, { maxPixels: this.options.maxPixels, ...options, device: this.runtime.device, threads: this.runtime.threads });
  }

  /** Where people speak in an audio or video track (Silero VAD, streamed): speech regions in seconds. */
  speech(media: MediaInput, options: Omit<DetectSpeechOptions, keyof ModelRuntimeOptions> = {}): Promise<SpeechResult> {
    return detectSpeech(media, { ...options, threads: this.runtime.threads });
  }

  /** Searches by text, image, audio, or a weighted mix; results are ranked segments with paths and times. */
  search(query: SearchQuery, options: SearchOptions = {}): Promise<SearchResult[]> {
    return searchCollection(this.store, this.spaces, query, options, this.textAdapters);
  }

  /** The space with this id, or the first that covers `modality`. */
  space(idOrModality?: string): Space {
    const byId = this.spaces.find((s) => s.id === idOrModality);
    if (byId) return byId;
    const modality = (idOrModality ?? 'image') as Modality;
    const found = this.spaces.find((s) => covers(s, modality));
    if (!found) {
      throw new RosettaError(ErrorCodes.SPACE_MODALITY, `This collection has no space for '${idOrModality}' (spaces: ${this.spaces.map((s) => s.id).join(', ')})`, { setting: 'space' });
    }
    return found;
  }

  /** Embeds one input (text, or an image/audio path, Buffer or URL) into a space; a unit vector. */
  async embed(input: MediaInput, options: { modality?: Modality; space?: string } = {}): Promise<{ space: string; vector: Float32Array; modality: Modality }> {
    if (options.modality === 'text' || (!options.modality && typeof input === 'string' && !looksLikeFileOrUrl(input))) {
      const space = this.space(options.space ?? 'text');
      return { space: space.id, modality: 'text', vector: (await space.embedTexts([input as string]))[0] };
    }
    // Read once: a URL is fetched once, whatever it turns out to be.
    const read = await readInput(input);
    const modality = options.modality ?? await sniff(read);
    const space = options.space ? this.space(options.space) : this.space(modality);
    if (!covers(space, modality)) throw new RosettaError(ErrorCodes.SPACE_MODALITY, `Space ${space.id} does not cover ${modality}`, { setting: 'space' });
    if (modality === 'image') {
      const img = await readImage(read, { maxPixels: this.options.maxPixels });
      return { space: space.id, modality, vector: (await space.embedImages!([img]))[0] };
    }
    const pcm = await readAudio(read, space.audioSampleRate ?? 48_000);
    return { space: space.id, modality, vector: (await space.embedAudio!([pcm]))[0] };
  }

  /** Zero-shot classification of an image (or audio clip) over labels; probabilities sum to 1. */
  async tag(input: MediaInput, options: { labels: string[]; template?: string; space?: string }): Promise<TagResult[]> {
    const { vector, space, modality } = await this.embed(input, { space: options.space });
    const template = options.template ?? (modality === 'audio' ? 'the sound of {}' : 'a photo of a {}');
    return zeroShot(this.space(space), vector, options.labels, template);
  }

  /**
   * A caption for an image (offline without a captioner: zero-shot tags, marked `kind: 'tags'`), with its
   * CLIPScore; `store: true` keeps it as a caption segment of the indexed image, for text and keyword search.
   */
  async caption(image: MediaInput, options: CaptionOptions & { store?: boolean } = {}): Promise<CollectionCaptionResult & { stored?: number }> {
    const result = await captionInSpace(this.optionalSpace('image'), image, { ...this.runtimeFor(), ...options });
    if (!options.store) return result;
    const { segments } = await attachText(this.store, this.spaces, image, [{ kind: 'caption', text: result.text }]);
    return { ...result, stored: segments };
  }

  /** Speech → text with timed segments (Whisper); `store: true` keeps the lines as timed transcript segments of the item. */
  async transcribe(audio: MediaInput, options: TranscribeOptions & { store?: boolean } = {}): Promise<TranscribeResult & { stored?: number }> {
    const result = await transcribeAudio(audio, { ...this.runtimeFor(), ...options });
    if (!options.store) return result;
    const lines = result.segments.map((s) => ({ kind: 'transcript' as const, text: s.text, t0: s.t0, t1: s.t1 }));
    const { segments } = await attachText(this.store, this.spaces, audio, lines);
    return { ...result, stored: segments };
  }

  /** Text → speech as a WAV file (a neural model when available, espeak-ng offline). */
  speak(text: string, options: SpeakOptions = {}): Promise<SpeakResult> {
    return speakText(text, { ...this.runtimeFor(), ...options });
  }

  /** A timeline description of a video: scenes captioned, with what is said in each. */
  describe(video: string, options: DescribeVideoOptions = {}) {
    return describeVideo(this.optionalSpace('image'), video, { ...this.runtimeFor(), ...options });
  }

  /** Text (+ reference image) → image; candidates ranked against the weighted text+image query. */
  imagine(prompt: string, options: ImagineOptions & { bestOf?: number } = {}): Promise<CollectionImagineResult> {
    return imagineInSpace(this.optionalSpace('image'), prompt, { ...this.runtimeFor(), ...options });
  }

  /**
   * Cross-modal consistency of an image or sound with a text: CLIPScore, 2.5 · max(cos, 0)
   * (Hessel et al. 2021), in the first space covering both.
   */
  async score(input: MediaInput, text: string, options: { space?: string } = {}): Promise<{ score: number; cosine: number; space: string; modality: Modality }> {
    const { vector, space, modality } = await this.embed(input, { space: options.space });
    const [t] = await this.space(space).embedTexts([text]);
    const cosine = dot(vector, t);
    return { score: clipScore(cosine), cosine, space, modality };
  }

  private optionalSpace(modality: Modality): Space | undefined {
    return this.spaces.find((s) => covers(s, modality));
  }

  private runtimeFor() {
    return { offline: this.runtime.offline, cacheDir: this.runtime.cacheDir, device: this.runtime.device, dtype: this.runtime.dtype };
  }

  /** Counts of what the collection holds. */
  async stats(): Promise<{ items: number; spaces: { id: string; model: string; version: string; modalities: Modality[] }[] }> {
    return {
      items: await this.store.countItems(),
      spaces: this.spaces.map((s) => ({ id: s.id, model: s.model, version: s.version, modalities: s.modalities })),
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.spaces.map((s) => s.dispose()));
    await this.store.close();
  }
}

function looksLikeFileOrUrl(s: string): boolean {
  return /^https?:\/\//i.test(s) || /^(\.{0,2}\/|~\/|[A-Za-z]:\\)/.test(s) || /\.(jpe?g|png|webp|gif|avif|tiff?|wav|mp3|flac|ogg|m4a)$/i.test(s);
}

async function sniff({ bytes, name }: InputBytes): Promise<Modality> {
  const t = await detectType(bytes);
  if (!t || t.modality === 'text' || t.modality === 'video') {
    throw new RosettaError(ErrorCodes.MEDIA_UNSUPPORTED, `${name} is not an image or audio file`, { file: name });
  }
  return t.modality;
}
