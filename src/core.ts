/**
 * The lean package entry (`rosetta-multimodal/core`): the `Rosetta` class with its options and result types, the
 * error catalogue, the modality registry and the settings the shells show, without loading generation,
 * evaluation, training, OCR, VAD, the data-set readers, the server or the queue. Those load on the first call of
 * the `Rosetta` method that uses them, or with the full entry (`rosetta-multimodal`, src/index.ts), which
 * re-exports everything here. The CLI imports this at start-up, so `rosetta search` and `rosetta --version` load
 * only what a search needs (test/core/start-up.test.ts).
 */
export { Rosetta, type RosettaOptions, type EvaluateOptions } from './rosetta.js';
export type { ItemFile, ItemThumbnailOptions, LocationFilter, CheckMediaOptions, SafeFetchOptions } from './rosetta.js';
export { RosettaError, ErrorCodes, type ErrorCode } from './errors/index.js';
export { type Modality, type SegmentKind, type RgbImage, type PcmAudio, type MediaInput, type Device, type DType } from './types.js';
export { MODALITIES, findModality, modalities, modalityNames, queryModalities, segmentKinds } from './modalities/index.js';
export { DEFAULT_MODELS, KNOWN_MODELS } from './models/registry.js';
export { MINI_MODEL_DIR } from './models/model-ref.js';
export { resolveRuntime, type ModelRuntimeOptions, type ResolvedRuntime } from './models/runtime-options.js';
export { availableDevices } from './models/devices.js';
export type { VectorStore, ItemRecord, SearchFilter } from './store/vector-store.js';
export { openMilvusStore } from './store/milvus/milvus-store.js';
export { parseMilvusUrl } from './store/milvus/milvus-url.js';
export type { IndexOptions } from './ingest/index-paths.js';
export type { IndexProgress, IndexSummary, IndexFailure } from './ingest/progress.js';
export type { SearchQuery, QueryParts, SearchOptions, SearchResult, FusionMethod } from './search/query.js';
export { DEFAULT_MAX_PIXELS } from './media/image/decode-image.js';
export { DEFAULT_PORT, DEFAULT_UPLOAD_LIMIT } from './server/server-context.js';
