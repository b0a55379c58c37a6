import type * as lancedb from '@lancedb/lancedb';
import { IndexFileProblem, type LoadedIndex } from './index-files.js';
import type { AnnSettings } from './settings.js';
import { rowsByKeys } from './table-rows.js';

/** Table rows compared with a loaded index before it is trusted. */
export const SAMPLE_ROWS = 32;
/** Hits searched for each sampled row: the row itself must be among them. */
const SELF_HITS = 10;
/** Lowest cosine between a row's vector in the table and in the index file, by the index's number format. */
const MIN_COSINE: Record<AnnSettings['quantization'], number> = { f32: 0.9999, f16: 0.999, i8: 0.98 };

/**
 * Checks a loaded index against its table on a random sample of rows: the key file must name the row's
 * segment, the index file must store (nearly) the row's vector under its key, and searching the row's vector
 * must find the row (or an equal vector). Sizes and CRC-32s cannot tell a rewritten index from a real one;
 * this can. Throws an IndexFileProblem saying what differs (the index is then rebuilt).
 */
export async function checkSample(
  table: lancedb.Table,
  dim: number,
  loaded: LoadedIndex,
  quantization: AnnSettings['quantization'],
  size = SAMPLE_ROWS,
): Promise<number> {
  const sample = randomKeys(loaded.keys.keys(), loaded.keys.size, size);
  if (sample.length === 0) return 0;
  const stored = loaded.stored(sample);
  const problems: string[] = [];
  let compared = 0,
    lost = 0;
  for await (const rows of rowsByKeys(table, dim, sample)) {
    for (let i = 0; i < rows.keys.length; i++) {
      compared += 1;
      const key = rows.keys[i];
      const vector = rows.vectors.subarray(i * dim, (i + 1) * dim);
      const named = loaded.keys.get(key)?.segmentId;
      if (named !== rows.segmentIds[i])
        problems.push(`key ${key} is segment ${rows.segmentIds[i]} in the table, ${named ?? 'nothing'} in the key file`);
      const kept = stored.get(key);
      if (!kept) problems.push(`key ${key} is not in the index file`);
      else if (cosine(kept, vector) < MIN_COSINE[quantization])
        problems.push(`the index file stores another vector under key ${key} (cosine ${cosine(kept, vector).toFixed(3)} with the table's)`);
      const hits = loaded.graph.search(vector, SELF_HITS);
      if (!hits.keys.includes(key) && !(hits.distances[0] <= 1 - MIN_COSINE[quantization])) lost += 1;
    }
  }
  if (problems.length)
    throw new IndexFileProblem(
      `${problems.length} of ${compared} sampled table rows do not match the index: ${problems.slice(0, 2).join('; ')}`,
    );
  // HNSW finds a row from its own vector nearly always; a graph whose links were rewritten does not.
  if (lost > Math.max(1, compared / 8))
    throw new IndexFileProblem(`searching ${compared} sampled table rows found only ${compared - lost} of them in the index`);
  return compared;
}

/** Up to `n` keys drawn uniformly (reservoir sampling: one pass, no copy of the key set). */
function randomKeys(keys: Iterable<number>, total: number, n: number): number[] {
  const out: number[] = [];
  let seen = 0;
  for (const key of keys) {
    if (out.length < n) out.push(key);
    else {
      const j = Math.floor(Math.random() * (seen + 1));
      if (j < n) out[j] = key;
    }
    seen += 1;
  }
  return total ? out : [];
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0,
    na = 0,
    nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  if (na === 0 && nb === 0) return 1;
  return dot / Math.sqrt(na * nb || 1);
}
