export type { VectorStore, ItemRecord, SegmentRecord, VectorRecord, SearchFilter, VectorHit, SpaceTableInfo } from './vector-store.js';
export {
  LanceStore,
  openLanceStore,
  type LanceStoreOptions,
  type ItemCommit,
  DEFAULT_INDEX_THRESHOLD,
  DEFAULT_SEARCH_TUNING,
  type IndexSettings,
  type IndexType,
  type SearchTuning,
} from './lancedb/index.js';
export { MilvusStore, openMilvusStore, type MilvusStoreOptions } from './milvus/milvus-store.js';
export { parseMilvusUrl } from './milvus/milvus-url.js';
export { DEFAULT_ANN, type AnnSettings, type AnnQuantization, type AnnState, type AnnStatus } from './lancedb/ann/index.js';
