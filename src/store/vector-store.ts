import type { Modality, SegmentKind } from '../types.js';

/** One source, keyed by the SHA-256 of its bytes. Same bytes under two paths: one item, two locations. */
export interface ItemRecord {
  hash: string;
  modality: Modality;
  /** Absolute paths (or URLs) where these bytes were seen. */
  locations: string[];
  mime: string;
  size: number;
  /** Newest mtime among locations, ms since epoch. */
  mtimeMs: number;
  width?: number;
  height?: number;
  /** Seconds, for audio and video. */
  duration?: number;
  tags: string[];
  /** User metadata, free JSON. */
  meta: Record<string, unknown>;
  indexedAt: number;
  /** `${spaceId}@${version}` of every space this item is fully encoded in. */
  spaces: string[];
}

export interface SegmentRecord {
  /** `${itemHash}:${kind}:${index}`, made by `segmentId` (store/keys.ts). */
  id: string;
  itemHash: string;
  kind: SegmentKind;
  index: number;
  /** Seconds, for time-based segments. */
  t0?: number;
  t1?: number;
  text?: string;
}

export interface VectorRecord {
  segmentId: string;
  itemHash: string;
  vector: Float32Array;
}

/** Filters shared by every store; all given fields must match (AND). */
export interface SearchFilter {
  modality?: Modality[];
  /** Glob over any location, e.g. `**\/holidays/**`. */
  pathGlob?: string;
  minSize?: number;
  maxSize?: number;
  /** mtime range, ms since epoch. */
  after?: number;
  before?: number;
  /** Item must carry every one of these tags. */
  tags?: string[];
  kinds?: SegmentKind[];
}

export interface VectorHit {
  segmentId: string;
  itemHash: string;
  /** Cosine similarity (vectors are unit length). */
  score: number;
  /** The segment's text, when a keyword search (`searchText`) can give it with the hit (saves reading the segment). */
  text?: string;
}

export interface SpaceTableInfo {
  spaceId: string;
  version: string;
  dim: number;
}

/** One item's worth of writes, as `commitItem` takes them. */
export interface ItemCommit {
  item: ItemRecord;
  segments: SegmentRecord[];
  vectors: Record<string, VectorRecord[]>;
  spaces: SpaceTableInfo[];
}

/**
 * Storage behind a collection. Implementations: LanceDB (embedded default), Milvus (distributed).
 * `commitItem` is the unit of durability: an item row is written last, so a crash mid-item leaves
 * no item row and the next run redoes it; writes are upserts so redoing never duplicates.
 * Every method is required: a store whose backend cannot do one throws ROSETTA_ERR_UNSUPPORTED from it
 * (store/commit-validation.ts `unsupported`), so a caller never skips a capability silently.
 */
export interface VectorStore {
  readonly kind: 'lancedb' | 'milvus';
  getItem(hash: string): Promise<ItemRecord | undefined>;
  /** The item currently recorded at this location, if any. */
  getItemByLocation(location: string): Promise<ItemRecord | undefined>;
  listItems(filter?: SearchFilter, limit?: number): Promise<ItemRecord[]>;
  countItems(): Promise<number>;
  getSegments(ids: string[]): Promise<SegmentRecord[]>;
  getItemSegments(itemHash: string): Promise<SegmentRecord[]>;
  /** Writes segments and vectors (per space) then the item row, replacing any previous rows of that item. */
  commitItem(item: ItemRecord, segments: SegmentRecord[], vectors: Record<string, VectorRecord[]>, spaces: SpaceTableInfo[]): Promise<void>;
  /** Commits several items in one write where the backend can (same guarantees as commitItem, per item). */
  commitItems(commits: ItemCommit[]): Promise<void>;
  /** Items by hash in one query (missing hashes are left out). */
  getItems(hashes: string[]): Promise<ItemRecord[]>;
  /**
   * Adds or replaces some segments (and their vectors) of a stored item, keeping the others: captions,
   * transcripts and OCR lines attach to an item after it was indexed. A segment with no vector in a listed
   * space loses its vector there. With `fresh`, the caller knows none of these segment ids is stored (a large
   * text's later groups, after its first commit replaced every segment of the hash): a store may append them
   * without looking for rows to replace (LanceDB: no scan of the growing table per group).
   */
  addSegments(
    itemHash: string,
    segments: SegmentRecord[],
    vectors: Record<string, VectorRecord[]>,
    spaces: SpaceTableInfo[],
    options?: { fresh?: boolean },
  ): Promise<void>;
  /** Adds/removes a location on an existing item, and updates metadata fields (tags, meta) without re-encoding. */
  updateItem(hash: string, patch: Partial<Pick<ItemRecord, 'locations' | 'tags' | 'meta' | 'mtimeMs' | 'spaces'>>): Promise<void>;
  /** Deletes an item, its segments and all its vectors. */
  removeItem(hash: string): Promise<void>;
  /** Nearest segments in one space, filtered. Exact below the index threshold, ANN above it. */
  search(space: SpaceTableInfo, vector: Float32Array, options: { k: number; filter?: SearchFilter }): Promise<VectorHit[]>;
  /** Builds (or rebuilds) the ANN index of a space table when it is large enough; no-op otherwise. */
  optimize(space?: SpaceTableInfo): Promise<void>;
  /** Every vector of a space (current version), a batch at a time, for export; nothing for another version. */
  scanVectors(space: Pick<SpaceTableInfo, 'spaceId' | 'version'>): AsyncGenerator<VectorRecord[]>;
  /** Full-text search over segment text (captions, chunks, transcripts) for hybrid queries; `score` is the engine's relevance. */
  searchText(query: string, options: { k: number; filter?: SearchFilter }): Promise<VectorHit[]>;
  close(): Promise<void>;
}
