import { resolve } from 'node:path';
import { RosettaError } from './errors/rosetta-error.js';
import { ErrorCodes } from './errors/codes.js';
import { readCollectionConfig, writeCollectionConfig, type CollectionConfig } from './collection/collection-config.js';
import type { IndexOptions } from './ingest/index-paths.js';
import type { IndexSummary } from './ingest/progress.js';
import type { InputBytes } from './media/read-input.js';
import { detectType, modalityOf } from './modalities/index.js';
import { DEFAULT_MODELS } from './models/registry.js';
import { resolveRuntime, type ModelRuntimeOptions, type ResolvedRuntime } from './models/runtime-options.js';
import { defaultSpaceId, loadSpace, type SpaceSpec } from './spaces/load-space.js';
import { covers, type Space } from './spaces/space.js';
import type { AnnSettings } from './store/lancedb/ann/settings.js';
import type { ItemRecord, VectorStore } from './store/vector-store.js';
import type { LanceStore } from './store/lancedb/lance-store.js';
import type { MilvusStore } from './store/milvus/milvus-store.js';
import type { DistributedIndexOptions } from './queue/distributed-index.js';
import type { StoreTarget } from './queue/run-spec.js';
import { searchCollection } from './search/search.js';
import type { SearchOptions, SearchQuery, SearchResult } from './search/query.js';
import { zeroShot, type TagResult } from './spaces/zero-shot.js';
import type { MediaInput, Modality } from './types.js';
import { checkMediaString, withLocalFile } from './media/local-file.js';
import { invalidArgument } from './util/validate.js';
import type { CompareOptions, Comparison } from './eval/compare-spaces.js';
import type { CheckOptions, CheckResult, PairScoringOptions, ScorePairsResult } from './eval/consistency/check.js';
import type { AuditOptions, AuditResult } from './eval/bias/weat.js';
import type {
  CollectionCaptionResult,
  CollectionImagineResult,
  DescribeVideoOptions,
  MarkedDescription,
  MiniGenerationOptions,
} from './collection/generation.js';
import type { AnimateOptions, AnimateResult } from './generate/mini/animate-mini.js';
import type { CaptionOptions } from './generate/caption/caption.js';
import type { ImagineOptions } from './generate/imagine/imagine.js';
import type { TranscribeOptions, TranscribeResult } from './generate/transcribe/transcribe.js';
import type { SpeakOptions, SpeakResult } from './generate/speak/speak.js';
import { dot } from './vectors/vector-math.js';
import { clipScore } from './vectors/scores.js';
import { loadAdapters, trainAdapter, type TrainAdapterResult } from './collection/adapters.js';
import type { OcrOptions, OcrResult } from './ocr/read-image-text.js';
import type { OcrThread } from './ocr/ocr-thread.js';
import type { OcrStageSummary } from './collection/ocr-stage.js';
import type { DetectSpeechOptions, SpeechResult } from './vad/detect-speech.js';
import type { SpeechStageSummary } from './collection/speech-stage.js';
import type { TranscriptStageSummary } from './collection/transcript-stage.js';
import type { ItemFile, ItemThumbnailOptions, LocationFilter } from './collection/item-media.js';
import type { CheckMediaOptions } from './modalities/check-media.js';
import type { DetectedType } from './modalities/index.js';
import type { Thumbnail } from './media/image/thumbnail.js';
import type { SafeFetchOptions } from './media/remote/safe-fetch.js';
import type { QueueStatus } from './queue/queue-status.js';

// The public types, limits and helpers the shells use (the server imports this file and nothing behind it).
export * from './rosetta/public.js';

/** What `evaluate` takes: the task (default: from the dataset's layout) and its options. */
export type EvaluateOptions = Partial<Pick<CompareOptions, 'task'>> &
  Omit<Extract<CompareOptions, { task: 'retrieval' }>, 'task'> &
  Omit<Extract<CompareOptions, { task: 'zeroshot' }>, 'task'>;

export interface RosettaOptions extends ModelRuntimeOptions {
  /**
   * Embedding spaces of a new collection, as model references (`mini`, a directory, a hub id) or
   * specs. Default: CLIP ViT-B/32 for text+image. An existing collection keeps the spaces it was
   * created with unless this is given. A `Space` object (one you built, e.g. for a modality you registered)
   * is used as it is; the settings record its `id` and `model`, so give it again when reopening.
   */
  spaces?: (string | SpaceSpec | Space)[];
  /** Refuse images above this many pixels (default 100 MP). */
  maxPixels?: number;
  /** Rows above which a space table gets an ANN index (exact search below). */
  indexThreshold?: number;
  /** The in-process ANN index beside each vector table (usearch HNSW settings), or `false` to leave search to LanceDB. */
  ann?: Partial<AnnSettings> | false;
  /** An already opened store (e.g. Milvus) instead of the embedded LanceDB one. */
  store?: VectorStore;
  /**
   * Whether a missing collection may be created (default true). It is created — folder, tables, settings —
   * by the first write (`index`, `trainAdapter`), after the models have loaded, so a run that fails early
   * leaves nothing behind. With `false` nothing is ever written: what needs a collection that does not exist
   * fails with COLLECTION_NOT_FOUND, and the one-shot operations (embed, tag, score, caption, transcribe,
   * speak, describe, evaluate…) work on the spaces alone.
   */
  create?: boolean;
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
    readonly spaces: Space[],
    readonly runtime: ResolvedRuntime,
    private readonly options: RosettaOptions,
    readonly config: CollectionConfig,
    private opened: VectorStore | undefined,
    private settingsPending: boolean,
  ) {
    this.reloadAdapters();
  }

  /** Whether the collection exists (on disk, or in the store given). */
  get exists(): boolean {
    return this.opened !== undefined;
  }

  /** The collection's store; COLLECTION_NOT_FOUND when there is no collection (yet). */
  get store(): VectorStore {
    if (!this.opened) throw this.notFound();
    return this.opened;
  }

  /**
   * Creates the collection now (folder, settings, tables) if it does not exist yet; a server does, so that
   * other processes can write into the collection it serves. COLLECTION_NOT_FOUND with `create: false`.
   */
  async create(): Promise<void> {
    await this.writableStore();
  }

  /**
   * The store to write to, creating the collection on the first write unless `create: false`. New settings
   * (a new collection, or spaces given for an existing one) are written here too, so a run that fails before
   * its first write leaves the folder as it was.
   */
  private async writableStore(): Promise<VectorStore> {
    if (this.options.create === false) {
      if (!this.opened) throw this.notFound();
      return this.opened;
    }
    if (this.settingsPending) {
      writeCollectionConfig(this.dir, this.config);
      this.settingsPending = false;
    }
    this.opened ??= await (
      await import('./store/lancedb/lance-store.js')
    ).openLanceStore(this.dir, { indexThreshold: this.options.indexThreshold, ann: this.options.ann });
    return this.opened;
  }

  private notFound(): RosettaError {
    return new RosettaError(ErrorCodes.COLLECTION_NOT_FOUND, `No collection in ${this.dir}: nothing was indexed there`, {
      file: this.dir,
      hint: `index files first (rosetta index <paths> --dir ${this.dir}), or point --dir at an existing collection`,
    });
  }

  /** The worker thread of `ocr(…, { thread: true })`, started on first use. */
  private ocrThread?: OcrThread;
  private textAdapters = new Map<string, (v: Float32Array) => Float32Array>();

  private reloadAdapters(): void {
    this.textAdapters = new Map(
      [...loadAdapters(this.dir, this.spaces)].map(([id, { adapter }]) => [id, (v: Float32Array) => adapter.apply(v, 'b')]),
    );
  }

  /**
   * Fits an adapter for a space from (image, caption) pairs (JSONL or CSV: image path or URL, caption),
   * saves it beside the collection, and applies it to text queries from then on (`adapter: false` to skip).
   */
  async trainAdapter(
    pairsFile: string,
    options: { space?: string; epochs?: number; onProgress?: (done: number, total: number) => void } = {},
  ): Promise<TrainAdapterResult> {
    const space = this.space(options.space ?? 'image');
    await this.writableStore();
    const result = await trainAdapter(this.dir, space, pairsFile, options);
    this.reloadAdapters();
    return result;
  }

  /**
   * Opens the collection in `dir` (default `./.rosetta`); a missing one is created by the first write unless
   * `create: false` (see RosettaOptions.create). Spaces load lazily: opening reads no model weights.
   */
  static async open(dir = './.rosetta', options: RosettaOptions = {}): Promise<Rosetta> {
    const abs = resolve(dir);
    const runtime = resolveRuntime(options);
    const existing = readCollectionConfig(abs);
    const built = new Map((options.spaces ?? []).filter(isBuiltSpace).map((s) => [s.id, s]));
    const requested = options.spaces?.map((s) =>
      typeof s === 'string' ? { model: s } : isBuiltSpace(s) ? { model: s.model, id: s.id } : s,
    );
    const specs: Required<SpaceSpec>[] = (requested ?? existing?.spaces ?? [{ model: DEFAULT_MODELS.image }]).map((s) => ({
      model: s.model,
      id: s.id ?? defaultSpaceId(s.model),
    }));
    const ids = specs.map((s) => s.id);
    if (new Set(ids).size !== ids.length) {
      throw new RosettaError(ErrorCodes.INVALID_ARGUMENT, `Two spaces share an id (${ids.join(', ')})`, {
        setting: 'spaces',
        hint: 'give each an explicit id, e.g. { id: "clip_large", model: "…" }',
      });
    }
    const spaces = await Promise.all(specs.map(async (s) => built.get(s.id) ?? loadSpace(s, runtime)));
    const config: CollectionConfig = { formatVersion: 1, spaces: specs, createdAt: existing?.createdAt ?? new Date().toISOString() };
    // LanceDB (and Apache Arrow) load when a collection on disk is opened, not with the package.
    const lance = () => import('./store/lancedb/lance-store.js');
    const store =
      options.store ??
      (existing ? await (await lance()).openLanceStore(abs, { indexThreshold: options.indexThreshold, ann: options.ann }) : undefined);
    // Settings of a new collection, or new spaces of an existing one, are written by the first write.
    return new Rosetta(abs, spaces, runtime, options, config, store, !existing || Boolean(requested));
  }

  /**
   * Indexes files, folders and shards (see IndexOptions); returns added/updated/skipped/failed with reasons.
   * With `queue: 'redis://host:port'` the work is spread over `rosetta worker` processes (see indexDistributed).
   * With `ocr: true`, then reads the text in the pictures and video keyframes under `paths` (PaddleOCR) and
   * stores each line as an `ocr` segment, so search finds pictures by their words (see readTextIntoCollection).
   * With `speech: true`, finds where people speak in the audio and video items (Silero VAD), so search can keep
   * only moments with speech (`speech: true`).
   * With `transcripts: true` (and with `speech: true` when the set-up's Whisper tiny.en is there, unless
   * `transcripts: false`), transcribes them and stores each line as a timed transcript segment, so a typed query
   * finds a spoken word at its moment.
   */
  async index(
    paths: string[],
    options: IndexOptions &
      Partial<Omit<DistributedIndexOptions, keyof IndexOptions>> & {
        ocr?: boolean;
        speech?: boolean;
        transcripts?: boolean;
        onOcrProgress?: (done: number, total: number, path: string) => void;
      } = {},
  ): Promise<IndexSummary & { ocr?: OcrStageSummary; speech?: SpeechStageSummary; transcripts?: TranscriptStageSummary }> {
    const url = paths.find((p) => /^[a-z][a-z0-9+.-]*:\/\//i.test(p));
    if (url) {
      throw new RosettaError(ErrorCodes.INVALID_ARGUMENT, `index takes files, folders and shards, not URLs (${url})`, {
        setting: 'paths',
        hint: 'download it first, or send it to a running server: POST /api/index { "urls": [...] }',
      });
    }
    // Every model loads before any file is read: one that cannot load stops the run here, once, and creates nothing.
    await this.loadModels();
    const store = await this.writableStore();
    let indexed: IndexSummary;
    if (options.queue) {
      const { indexDistributed } = await import('./queue/distributed-index.js');
      const target: StoreTarget =
        store.kind === 'milvus'
          ? { kind: 'milvus', ...(store as MilvusStore).target }
          : { kind: 'lancedb', dir: (store as LanceStore).dir };
      indexed = await indexDistributed(
        { store, spaces: this.spaces, specs: this.config.spaces, target, maxPixels: this.options.maxPixels },
        paths,
        { ...options, queue: options.queue },
      );
    } else {
      const { indexPaths } = await import('./ingest/index-paths.js');
      indexed = await indexPaths(
        { store, spaces: this.spaces, collectionDir: this.dir, maxPixels: this.options.maxPixels },
        paths,
        options,
      );
    }
    const summary: IndexSummary & { ocr?: OcrStageSummary; speech?: SpeechStageSummary; transcripts?: TranscriptStageSummary } = indexed;
    if (options.speech) {
      const { findSpeechInCollection } = await import('./collection/speech-stage.js');
      summary.speech = await findSpeechInCollection(store, paths, { signal: options.signal });
    }
    const whisper = async () => {
      const [{ registryModelDir }, { LOCAL_WHISPER }] = await Promise.all([
        import('./models/local-models.js'),
        import('./generate/registry.js'),
      ]);
      return registryModelDir(LOCAL_WHISPER) !== undefined;
    };
    if (options.transcripts ?? (options.speech && (await whisper()))) {
      const { transcribeCollection } = await import('./collection/transcript-stage.js');
      summary.transcripts = await transcribeCollection(store, this.spaces, paths, { ...this.runtimeFor(), signal: options.signal });
    }
    if (!options.ocr) return summary;
    const { readTextIntoCollection } = await import('./collection/ocr-stage.js');
    const ocrSummary = await readTextIntoCollection(store, this.spaces, paths, {
      ...this.runtimeFor(),
      threads: this.runtime.threads,
      maxPixels: this.options.maxPixels,
      signal: options.signal,
      onProgress: options.onOcrProgress,
    });
    return { ...summary, ocr: ocrSummary };
  }

  /**
   * The text in a picture (PaddleOCR PP-OCRv4, real weights shipped in npm): lines in reading order, each with
   * its box (corners in image pixels), bounds and confidence.
   */
  async ocr(image: MediaInput, options: Omit<OcrOptions, keyof ModelRuntimeOptions> & { thread?: boolean } = {}): Promise<OcrResult> {
    const { thread, ...rest } = options;
    // `thread`: read in a worker thread, so this thread's event loop stays free while ONNX Runtime runs (a server's).
    if (thread && !(image instanceof URL) && !rest.reader) {
      // Imported before the check, so that concurrent first calls start one thread between them.
      const { OcrThread } = await import('./ocr/ocr-thread.js');
      this.ocrThread ??= new OcrThread({ device: this.runtime.device, threads: this.runtime.threads });
      const { reader: _unused, ...sendable } = rest;
      return this.ocrThread.read(image, { maxPixels: this.options.maxPixels, ...sendable });
    }
    const { ocr: ocrImage } = await import('./ocr/read-image-text.js');
    return ocrImage(image, { maxPixels: this.options.maxPixels, ...rest, device: this.runtime.device, threads: this.runtime.threads });
  }

  /** Where people speak in an audio or video track (Silero VAD, streamed): speech regions in seconds. */
  async speech(media: MediaInput, options: Omit<DetectSpeechOptions, keyof ModelRuntimeOptions> = {}): Promise<SpeechResult> {
    const { detectSpeech } = await import('./vad/detect-speech.js');
    return detectSpeech(media, { ...options, threads: this.runtime.threads });
  }

  /** Loads every tower of every space now (the first use would otherwise): a model that cannot load fails here, with the fix. */
  async loadModels(): Promise<void> {
    for (const space of this.spaces) await space.load();
  }

  /**
   * Searches by text, image, audio, or a weighted mix; results are ranked segments with paths and times.
   * A collection not created yet has nothing to find; with `create: false` that is COLLECTION_NOT_FOUND.
   */
  async search(query: SearchQuery, options: SearchOptions = {}): Promise<SearchResult[]> {
    if (!this.opened && this.options.create !== false) return [];
    return searchCollection(this.store, this.spaces, query, options, this.textAdapters);
  }

  /** An indexed item by its hash (the SHA-256 of its bytes), or undefined. */
  item(hash: string): Promise<ItemRecord | undefined> {
    return this.opened ? this.opened.getItem(hash) : Promise.resolve(undefined);
  }

  /** The space with this id, or the first that covers `modality`. */
  space(idOrModality?: string): Space {
    const byId = this.spaces.find((s) => s.id === idOrModality);
    if (byId) return byId;
    const modality = (idOrModality ?? 'image') as Modality;
    const found = this.spaces.find((s) => covers(s, modality));
    if (!found) {
      throw new RosettaError(
        ErrorCodes.SPACE_MODALITY,
        `This collection has no space for '${idOrModality}' (spaces: ${this.spaces.map((s) => s.id).join(', ')})`,
        { setting: 'space' },
      );
    }
    return found;
  }

  /**
   * Embeds one input into a space; a unit vector. Text must be marked (`modality: 'text'`): an unmarked
   * string is a path or a URL, and one that is neither fails naming both readings instead of guessing.
   */
  async embed(
    input: MediaInput,
    options: { modality?: Modality; space?: string } = {},
  ): Promise<{ space: string; vector: Float32Array; modality: Modality }> {
    if (options.modality === 'text') {
      if (typeof input !== 'string') throw invalidArgument('input', 'a string, with modality text', input);
      const space = this.space(options.space ?? 'text');
      return { space: space.id, modality: 'text', vector: (await space.embedTexts([input]))[0] };
    }
    if (typeof input === 'string') await checkMediaString(input, "to embed words, pass { modality: 'text' }");
    // Read once: a URL is fetched once, whatever it turns out to be.
    const { readInput } = await import('./media/read-input.js');
    const read = await readInput(input);
    const modality = options.modality ?? (await sniff(read));
    const space = options.space ? this.space(options.space) : this.space(modality);
    if (!covers(space, modality))
      throw new RosettaError(ErrorCodes.SPACE_MODALITY, `Space ${space.id} does not cover ${modality}`, { setting: 'space' });
    if (modality === 'image') {
      const { readImage } = await import('./media/image/read-image.js');
      const img = await readImage(read, { maxPixels: this.options.maxPixels });
      return { space: space.id, modality, vector: (await space.embedImages([img]))[0] };
    }
    const { readAudio } = await import('./media/audio/read-audio.js');
    const pcm = await readAudio(read, space.audioSampleRate ?? 48_000);
    return { space: space.id, modality, vector: (await space.embedAudio([pcm]))[0] };
  }

  /** Zero-shot classification of an image (or audio clip) over labels; probabilities sum to 1. */
  async tag(input: MediaInput, options: { labels: string[]; template?: string; space?: string }): Promise<TagResult[]> {
    const { vector, space, modality } = await this.embed(input, { space: options.space });
    const template = options.template ?? modalityOf(modality).tagTemplate ?? 'a photo of a {}';
    return zeroShot(this.space(space), vector, options.labels, template);
  }

  /**
   * A caption for an image (offline without a captioner: zero-shot tags, marked `kind: 'tags'`), with its
   * CLIPScore; `store: true` keeps it as a caption segment of the indexed image, for text and keyword search.
   */
  async caption(
    image: MediaInput,
    options: CaptionOptions & { store?: boolean } = {},
  ): Promise<CollectionCaptionResult & { stored?: number }> {
    if (typeof image === 'string') await checkMediaString(image, 'caption describes a picture');
    const store = options.store ? this.store : undefined;
    const { captionInSpace } = await import('./collection/generation.js');
    const result = await captionInSpace(this.optionalSpace('image'), image, { ...this.runtimeFor(), ...options });
    if (!store) return result;
    if (result.kind !== 'caption') {
      throw new RosettaError(
        ErrorCodes.MODEL_NOT_FOUND,
        `No captioner could run (${result.fallbackReason ?? 'tags only'}); zero-shot tags are not a caption, so nothing was stored`,
        {
          setting: 'store',
          hint: 'pull a captioner (rosetta models pull Xenova/vit-gpt2-image-captioning) or name one with --captioner; or run without --store to see the tags',
        },
      );
    }
    const { attachText } = await import('./collection/attach-text.js');
    const { segments } = await attachText(store, this.spaces, image, [{ kind: 'caption', text: result.text }]);
    return { ...result, stored: segments };
  }

  /** Speech → text with timed segments (Whisper); `store: true` keeps the lines as timed transcript segments of the item. */
  async transcribe(
    audio: MediaInput,
    options: TranscribeOptions & { store?: boolean } = {},
  ): Promise<TranscribeResult & { stored?: number }> {
    if (typeof audio === 'string') await checkMediaString(audio, 'transcribe reads speech from an audio or video file');
    const store = options.store ? this.store : undefined;
    const { transcribe: transcribeAudio } = await import('./generate/transcribe/transcribe.js');
    const result = await transcribeAudio(audio, { ...this.runtimeFor(), ...options });
    if (!store) return result;
    const lines = result.segments.map((s) => ({ kind: 'transcript' as const, text: s.text, t0: s.t0, t1: s.t1 }));
    // A file without speech stores no lines and clears those of an earlier transcription.
    const { attachText } = await import('./collection/attach-text.js');
    const { segments } = await attachText(store, this.spaces, audio, lines, ['transcript']);
    return { ...result, stored: segments };
  }

  /** Text → speech as a WAV file (a neural model when available, espeak-ng offline). */
  async speak(text: string, options: SpeakOptions = {}): Promise<SpeakResult> {
    const { speak: speakText } = await import('./generate/speak/speak.js');
    return speakText(text, { ...this.runtimeFor(), ...options });
  }

  /** A timeline description of a video (a path, a Buffer or an http(s) URL): scenes captioned, with what is said in each. */
  async describe(video: MediaInput, options: DescribeVideoOptions = {}): Promise<MarkedDescription> {
    if (typeof video === 'string') await checkMediaString(video, 'describe reads a video file');
    const { describeVideo } = await import('./collection/generation.js');
    return withLocalFile(video, (path) => describeVideo(this.optionalSpace('image'), path, { ...this.runtimeFor(), ...options }));
  }

  /** Text (+ reference image) → image; candidates ranked against the weighted text+image query. */
  async imagine(
    prompt: string,
    options: ImagineOptions & { bestOf?: number } & MiniGenerationOptions = {},
  ): Promise<CollectionImagineResult> {
    const { imagineInSpace } = await import('./collection/generation.js');
    return imagineInSpace(this.optionalSpace('image'), prompt, { ...this.runtimeFor(), ...options });
  }

  /** A short clip whose rosetta-mini conditioning moves from prompt A to prompt B (MP4 with `out`), with each frame's consistency against both. */
  async animate(promptA: string, promptB: string, options: AnimateOptions & { model?: string } = {}): Promise<AnimateResult> {
    const { animateInSpace } = await import('./collection/generation.js');
    return animateInSpace(this.optionalSpace('image'), promptA, promptB, { ...this.runtimeFor(), ...options });
  }

  /**
   * Cross-modal consistency of an image or sound with a text: CLIPScore, 2.5 · max(cos, 0)
   * (Hessel et al. 2021), in the first space covering both.
   */
  async score(
    input: MediaInput,
    text: string,
    options: { space?: string } = {},
  ): Promise<{ score: number; cosine: number; space: string; modality: Modality }> {
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

  /**
   * Retrieval (Recall@K, median rank, MRR) or zero-shot classification quality of each of the collection's
   * spaces on a dataset, side by side; the task follows the dataset's layout unless given.
   */
  async evaluate(dataset: string, options: EvaluateOptions = {}): Promise<Comparison> {
    const [{ detectEvalTask }, { compareSpaces }] = await Promise.all([
      import('./datasets/load-dataset.js'),
      import('./eval/compare-spaces.js'),
    ]);
    const task = options.task ?? (await detectEvalTask(dataset));
    return compareSpaces(this.spaces, dataset, { ...options, task } as CompareOptions);
  }

  /** CLIPScore of every (image or audio, text) row of a JSONL/CSV pairs file, in one space (default the first). */
  async scorePairs(pairs: string, options: PairScoringOptions & { space?: string } = {}): Promise<ScorePairsResult> {
    const { scorePairs } = await import('./eval/consistency/check.js');
    return scorePairs(this.evalSpace(options.space), pairs, options);
  }

  /** Flags mismatched pairs, with a threshold calibrated on matched vs shuffled pairs unless one is given. */
  async check(pairs: string, options: CheckOptions & { space?: string } = {}): Promise<CheckResult> {
    const { check: checkPairs } = await import('./eval/consistency/check.js');
    return checkPairs(this.evalSpace(options.space), pairs, options);
  }

  /** Bias probe: embedding association tests (WEAT effect sizes, permutation p-values) in one space. */
  async audit(options: AuditOptions & { space?: string } = {}): Promise<AuditResult> {
    const { audit: auditSpace } = await import('./eval/bias/weat.js');
    return auditSpace(this.evalSpace(options.space), options);
  }

  private evalSpace(id?: string): Space {
    return id ? this.space(id) : this.spaces[0];
  }

  /** Counts of what the collection holds (0 items when it does not exist yet). */
  async stats(): Promise<{
    exists: boolean;
    items: number;
    spaces: { id: string; model: string; version: string; modalities: Modality[] }[];
  }> {
    return {
      exists: this.exists,
      items: this.opened ? await this.opened.countItems() : 0,
      spaces: this.spaces.map((s) => ({ id: s.id, model: s.model, version: s.version, modalities: s.modalities })),
    };
  }

  // What the server needs beyond the operations above, so that each of its routes is one call.

  /**
   * An indexed item's file on disk (undefined: no such item, or none of its locations is still a file that
   * `readable` lets through), with its size and type, and its bytes or a byte range on demand (`open`).
   * @example
   * const file = await rosetta.mediaFile(hit.itemHash);
   * file?.open({ start: 0, end: 1023 }).pipe(res);
   */
  async mediaFile(hash: string, options: { readable?: LocationFilter } = {}): Promise<ItemFile | undefined> {
    const item = await this.item(hash);
    if (!item) return undefined;
    const { itemFile } = await import('./collection/item-media.js');
    return itemFile(item, options.readable);
  }

  /**
   * A small preview of an indexed item: a picture shrunk (WebP when transparent, else JPEG), a video's frame at
   * `t` seconds (needs ffmpeg: FFMPEG_MISSING with the install commands otherwise). Undefined when the item is
   * unknown, has no readable file (see mediaFile) or has no picture (audio, text).
   */
  async thumbnail(hash: string, options: ItemThumbnailOptions & { readable?: LocationFilter } = {}): Promise<Thumbnail | undefined> {
    const file = await this.mediaFile(hash, options);
    if (!file) return undefined;
    const { itemThumbnail } = await import('./collection/item-media.js');
    return itemThumbnail(file, { maxPixels: this.options.maxPixels, ...options });
  }

  /**
   * The bytes of an http(s) URL, fetched with the SSRF guard: private and loopback addresses are refused
   * (SERVER_FORBIDDEN_URL) unless `allowPrivate`, on every redirect hop, and at most `maxBytes` are read.
   */
  async fetchUrl(url: string, options: SafeFetchOptions): Promise<Buffer> {
    const { safeFetch } = await import('./media/remote/safe-fetch.js');
    return safeFetch(url, options);
  }

  /**
   * What a file is by its content (its first bytes), refused unless of an allowed modality (MEDIA_UNSUPPORTED)
   * and, for a picture given whole in `file`, within the pixel limit (default the collection's maxPixels).
   */
  async checkMedia(head: Uint8Array, options: CheckMediaOptions): Promise<DetectedType> {
    const { checkMedia } = await import('./modalities/check-media.js');
    return checkMedia(head, { maxPixels: this.options.maxPixels, ...options });
  }

  /**
   * A distributed ingest queue at `url` (redis://…): job counts, workers, and each recent run's progress and failures.
   * `onError` gets a connection error met while reading (default: a line on stderr).
   */
  async queueStatus(
    url: string,
    options: { runs?: number; failures?: number; onError?: (error: RosettaError) => void } = {},
  ): Promise<QueueStatus> {
    const { queueStatus } = await import('./queue/queue-status.js'); // BullMQ loads on first use
    return queueStatus(url, options);
  }

  async close(): Promise<void> {
    await this.ocrThread?.close();
    await Promise.all(this.spaces.map((s) => s.dispose()));
    await this.opened?.close();
  }
}

const isBuiltSpace = (s: string | SpaceSpec | Space): s is Space => typeof s === 'object' && 'embedTexts' in s;

async function sniff({ bytes, name }: InputBytes): Promise<Modality> {
  const t = await detectType(bytes);
  if (!t || t.modality === 'text' || t.modality === 'video') {
    throw new RosettaError(ErrorCodes.MEDIA_UNSUPPORTED, `${name} is not an image or audio file`, { file: name });
  }
  return t.modality;
}
