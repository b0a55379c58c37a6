import * as lancedb from '@lancedb/lancedb';

/**
 * How Rosetta indexes a space table once it is large, and how it searches that index.
 * Chosen from bench/search.ts (clustered 512-d unit vectors, 2 cores); see BENCHMARKS.md.
 */
export interface SearchTuning {
  /** IVF partitions probed per query. */
  nprobes: number;
  /** HNSW candidate list size per query. */
  ef: number;
  /** Re-rank this many × k candidates with full-precision vectors (undoes quantisation error). */
  refineFactor: number;
}

/** Below this many rows a flat scan is fast enough and exact. */
export const DEFAULT_INDEX_THRESHOLD = 50_000;

export const DEFAULT_SEARCH_TUNING: SearchTuning = { nprobes: 4, ef: 100, refineFactor: 4 };

export const INDEX_KIND = 'IVF_HNSW_SQ';

/** Partitions: each holds its own HNSW graph; a few keep per-graph build memory bounded. */
export function partitionsFor(rows: number): number {
  return Math.max(1, Math.min(16, Math.round(rows / 250_000)));
}

/** Builds the ANN index on `vector` (IVF + HNSW over scalar-quantised vectors, dot product). */
export async function buildVectorIndex(table: lancedb.Table, rows: number): Promise<void> {
  const config = lancedb.Index.hnswSq({ distanceType: 'dot', numPartitions: partitionsFor(rows), m: 16, efConstruction: 150 });
  await table.createIndex('vector', { config, replace: true });
}
