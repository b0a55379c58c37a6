import { openLanceStore } from '../store/lancedb/lance-store.js';
import { openMilvusStore } from '../store/milvus/milvus-store.js';
import type { VectorStore } from '../store/vector-store.js';
import type { StoreTarget } from './run-spec.js';

/** Opens the store a run writes to. The Milvus token is never kept in Redis: it comes from the worker's own settings. */
export function openTarget(target: StoreTarget, milvusToken?: string): Promise<VectorStore> {
  if (target.kind === 'lancedb') return openLanceStore(target.dir);
  return openMilvusStore({ address: target.address, database: target.database, prefix: target.prefix, token: milvusToken });
}
