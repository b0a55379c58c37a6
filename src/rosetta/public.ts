/**
 * What the shells (the HTTP server, the CLI) use from the library besides the Rosetta class: the error
 * catalogue, the public types and limits, and the pure helpers that check or format a request or a hit. It
 * holds no operation: every operation is a Rosetta method. `rosetta.ts` re-exports this module, so a shell
 * imports the door (`../rosetta.js`) and nothing behind it (the floor plan, test/core/floor-plan.test.ts).
 */
export { RosettaError } from '../errors/rosetta-error.js';
export { ErrorCodes, type ErrorCode } from '../errors/codes.js';
export type { Modality, SegmentKind, MediaInput } from '../types.js';
export {
  MODALITIES,
  detectType,
  modalities,
  modalityNames,
  queryModalities,
  segmentKinds,
  type DetectedType,
} from '../modalities/index.js';
export { invalidArgument } from '../util/validate.js';
export { insideAny } from '../util/path-inside.js';
export { DEFAULT_MAX_PIXELS } from '../media/image/decode-image.js';
export type { Thumbnail } from '../media/image/thumbnail.js';
export type { CheckMediaOptions } from '../modalities/check-media.js';
export type { SafeFetchOptions } from '../media/remote/safe-fetch.js';
export { MAX_SPEAK_CHARS } from '../generate/speak/limits.js';
export type { IndexOptions } from '../ingest/index-paths.js';
export type { IndexProgress, IndexSummary, IndexFailure } from '../ingest/progress.js';
export type { SearchQuery, QueryParts, SearchOptions, SearchResult, FusionMethod } from '../search/query.js';
/** A hit's media-fragment reference (`path#t=t0,t1`). */
export { momentRef } from '../search/moments.js';
/** The shard file of a shard sample's location (`<shard>#<key>`), or undefined for a plain path. */
export { shardOfLocation } from '../datasets/shards/shard-sample.js';
export type { ItemRecord, SearchFilter } from '../store/vector-store.js';
export type { ItemFile, ItemThumbnailOptions, LocationFilter } from '../collection/item-media.js';
export type { QueueStatus } from '../queue/queue-status.js';
