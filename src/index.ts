/**
 * Rosetta: text, images, audio and video in shared embedding spaces — index, search, describe,
 * generate and evaluate across them. The CLI and the HTTP server are thin shells over these calls.
 */
export { Rosetta, type RosettaOptions, type EvaluateOptions } from './rosetta.js';
export type { ItemFile, ItemThumbnailOptions, LocationFilter, CheckMediaOptions, SafeFetchOptions } from './rosetta.js';
export { pullModel, type PulledModel } from './pull-model.js';
export { RosettaError, ErrorCodes, type ErrorCode } from './errors/index.js';
export { type Modality, type SegmentKind, type RgbImage, type PcmAudio, type MediaInput, type Device, type DType } from './types.js';
export {
  MODALITIES,
  findModality,
  modalities,
  modalityNames,
  queryModalities,
  registerModality,
  segmentKinds,
  type ModalityModule,
  type FileToDecode,
  type DecodedImage,
  type SniffedType,
} from './modalities/index.js';

// Models and spaces
export * from './models/index.js';
export type { Space, SpaceInfo } from './spaces/space.js';
export { covers, unsupportedModality } from './spaces/space.js';
export { loadSpace, defaultSpaceId, type SpaceSpec } from './spaces/load-space.js';
export { ClipSpace } from './spaces/clip-space.js';
export { loadClapSpace, type LoadClapSpaceOptions } from './spaces/clap-space.js';
export { SentenceSpace } from './spaces/sentence-space.js';
export * from './vectors/index.js';

// Media
export {
  readImage,
  isRgbImage,
  decodeImage,
  makeThumbnail,
  toRawImage,
  fromRawImage,
  preprocessImages,
  readImagePreprocessConfig,
  DEFAULT_MAX_PIXELS,
  DECODE_MAX_SIDE,
  IMAGE_BACKGROUND,
  type ReadImageOptions,
  type Thumbnail,
} from './media/image/index.js';
export { detectType, type DetectedType } from './modalities/index.js';
export { readInput, type InputBytes } from './media/read-input.js';
export {
  readAudio,
  isPcmAudio,
  decodeAudio,
  decodeAudioWindows,
  encodeWav,
  decodeWav,
  resample,
  durationOf,
  type ReadAudioOptions,
} from './media/audio/index.js';
export { extractScenes } from './media/video/extract-scenes.js';
export { writeVideo, type WriteVideoOptions } from './media/video/write-video.js';
export { probeMedia, locateFfmpeg } from './media/ffmpeg/index.js';

// Store, ingest, search
export * from './store/index.js';
export type { IndexOptions } from './ingest/index-paths.js';
export type { IndexProgress, IndexSummary, IndexFailure } from './ingest/progress.js';
export type { SearchQuery, QueryParts, SearchOptions, SearchResult, FusionMethod } from './search/query.js';
export { encodeQuery } from './search/compose-query.js';
export { zeroShot, type TagResult } from './spaces/zero-shot.js';
export type { DescribeVideoOptions, MarkedDescription, MarkedTimelineEntry } from './collection/generation.js';

// Text in pictures (OCR) and voice activity (VAD): real pretrained weights shipped in npm
export * from './ocr/index.js';
export { readTextIntoCollection, type OcrStageSummary } from './collection/ocr-stage.js';
export * from './vad/index.js';

// Server
export { createServer, DEFAULT_PORT, DEFAULT_UPLOAD_LIMIT, type RosettaServer, type ServerOptions } from './server/index.js';
export { isPrivateAddress, safeFetch } from './media/remote/safe-fetch.js';

// Generation, evaluation, training
export * from './generate/index.js';
export * as evaluation from './eval/index.js';
export * as training from './train/index.js';
export { buildDemoCollection, type DemoCollection } from './train/data/demo-collection.js';

// Distributed ingest (BullMQ on Redis) and export
export { runWorker, queueStatus, forgetRun, type WorkerOptions, type QueueStatus } from './queue/index.js';
export { exportEmbeddings, type ExportOptions, type ExportedSpace } from './export/export-embeddings.js';
