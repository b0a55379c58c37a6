import * as lancedb from '@lancedb/lancedb';

/**
 * How Rosetta indexes a space table once it is large, and how it searches that index.
 * Chosen from bench/search.ts (clustered 512-d unit vectors, 2 cores); figures in the store notes.
 */
export type IndexType = 'IVF_HNSW_SQ' | 'IVF_FLAT';
export const INDEX_TYPES: readonly IndexType[] = ['IVF_HNSW_SQ', 'IVF_FLAT'];

export interface IndexSettings {
  type: IndexType;
  /** IVF partitions; default depends on the type and the row count (see partitionsFor). */
  partitions?: number;
}

export interface SearchTuning {
  /** IVF partitions probed per query. */
  nprobes: number;
  /** HNSW candidate list size per query (IVF_HNSW_SQ only). */
  ef: number;
  /** Re-rank refineFactor × k candidates with full-precision vectors (undoes SQ error); 0 = off. */
  refineFactor: number;
}

/**
 * Below this many rows a flat scan is used (exact). LanceDB's flat scan costs ~10 µs a row on the
 * loaded 2-core bench machine (100k rows: p50 0.98 s) while either index answered in 22–31 ms at
 * 100k and 20 ms at 5k, so the index pays off early; 10k keeps small collections exact and cheap to build.
 */
export const DEFAULT_INDEX_THRESHOLD = 10_000;

export const DEFAULT_INDEX: IndexSettings = { type: 'IVF_HNSW_SQ' };

export const DEFAULT_SEARCH_TUNING: Record<IndexType, SearchTuning> = {
  IVF_HNSW_SQ: { nprobes: 4, ef: 100, refineFactor: 4 },
  IVF_FLAT: { nprobes: 20, ef: 0, refineFactor: 0 },
};

/**
 * Cosine, not 'dot': LanceDB 0.31's HNSW graphs built with 'dot' come back with recall@10 ≈ 0.04
 * (measured at 20k rows; 'cosine' and 'l2' give 0.97 on the same data). On unit vectors cosine ranks as dot.
 */
export const DISTANCE = 'cosine' as const;

/**
 * IVF_HNSW_SQ: few partitions, each its own HNSW graph (bounded build memory).
 * IVF_FLAT: about √rows partitions, so a probe scans a few thousand vectors.
 */
export function partitionsFor(settings: IndexSettings, rows: number): number {
  if (settings.partitions) return settings.partitions;
  if (settings.type === 'IVF_FLAT') return Math.max(1, Math.round(Math.sqrt(rows)));
  return Math.max(1, Math.min(16, Math.round(rows / 250_000)));
}

/** Builds (or replaces) the ANN index on `vector`. */
export async function buildVectorIndex(table: lancedb.Table, rows: number, settings: IndexSettings): Promise<void> {
  const numPartitions = partitionsFor(settings, rows);
  const config =
    settings.type === 'IVF_FLAT'
      ? lancedb.Index.ivfFlat({ distanceType: DISTANCE, numPartitions })
      : lancedb.Index.hnswSq({ distanceType: DISTANCE, numPartitions, m: 16, efConstruction: 150 });
  await table.createIndex('vector', { config, replace: true });
}
