import type * as lancedb from '@lancedb/lancedb';
import type { CompiledFilter } from '../filter-sql.js';
import { listOf } from '../table-ops.js';
import type { ArrowModule } from '../arrow.js';
import { KEY_COLUMN } from './row-keys.js';
import { streamRows, type RowBlock } from './table-rows.js';

/**
 * Filtered search beside the graph: LanceDB evaluates the filter (its SQL prefilter, then the glob
 * confirmation) into the set of row keys it allows. A small set comes back with its vectors and is
 * searched exactly; a large one restricts the graph's candidates. Sets are cached per filter until the
 * table is written to.
 */
export interface AllowedRows {
  keys: Set<number>;
  /** Set when the filter allows few rows (`exactFilterRows`): those rows, for an exact scan. */
  rows?: RowBlock;
}

const CACHED_FILTERS = 8;

export class FilterSets {
  private readonly cache = new Map<string, { generation: string; allowed: AllowedRows }>();

  /** `exactRows`: up to this many allowed rows are kept with their vectors and scanned exactly (20k × 512-d: ~3 ms a query, 40 MB). */
  constructor(private readonly exactRows: number) {}

  async allowed(table: lancedb.Table, dim: number, compiled: CompiledFilter, cacheKey: string, generation: string): Promise<AllowedRows> {
    const hit = this.cache.get(cacheKey);
    if (hit && hit.generation === generation) {
      this.cache.delete(cacheKey);
      this.cache.set(cacheKey, hit); // most recently used last
      return hit.allowed;
    }
    const allowed = await this.evaluate(table, dim, compiled);
    this.cache.set(cacheKey, { generation, allowed });
    while (this.cache.size > CACHED_FILTERS) this.cache.delete(this.cache.keys().next().value!);
    return allowed;
  }

  clear(): void {
    this.cache.clear();
  }

  private async evaluate(table: lancedb.Table, dim: number, compiled: CompiledFilter): Promise<AllowedRows> {
    const candidates = await table.countRows(compiled.where);
    if (candidates <= this.exactRows) {
      const parts: RowBlock[] = [];
      for await (const block of streamRows(table, dim, compiled.where, compiled.postFilter ? ['locations'] : [])) {
        parts.push(
          compiled.postFilter
            ? keepRows(
                block,
                dim,
                block.extra!.map((l) => compiled.postFilter!(listOf(l))),
              )
            : block,
        );
      }
      const rows = concatBlocks(parts, dim);
      return { keys: new Set(rows.keys), rows };
    }
    const keys = new Set<number>();
    let q = table.query().select(compiled.postFilter ? [KEY_COLUMN, 'locations'] : [KEY_COLUMN]);
    if (compiled.where) q = q.where(compiled.where);
    for await (const batch of q) {
      const b = batch as ArrowModule.RecordBatch;
      const ks = b.getChild(KEY_COLUMN)!.toArray() as BigInt64Array;
      const locations = compiled.postFilter ? b.getChild('locations')! : undefined;
      for (let i = 0; i < ks.length; i++) if (!locations || compiled.postFilter!(listOf(locations.get(i)))) keys.add(Number(ks[i]));
    }
    return { keys };
  }
}

function keepRows(block: RowBlock, dim: number, keep: boolean[]): RowBlock {
  const idx = keep.flatMap((k, i) => (k ? [i] : []));
  const vectors = new Float32Array(idx.length * dim);
  idx.forEach((row, i) => vectors.set(block.vectors.subarray(row * dim, (row + 1) * dim), i * dim));
  return {
    keys: Float64Array.from(idx, (i) => block.keys[i]),
    segmentIds: idx.map((i) => block.segmentIds[i]),
    itemHashes: idx.map((i) => block.itemHashes[i]),
    vectors,
  };
}

export function concatBlocks(parts: RowBlock[], dim: number): RowBlock {
  const n = parts.reduce((s, p) => s + p.keys.length, 0);
  const out: RowBlock = { keys: new Float64Array(n), segmentIds: [], itemHashes: [], vectors: new Float32Array(n * dim) };
  let at = 0;
  for (const p of parts) {
    out.keys.set(p.keys, at);
    out.vectors.set(p.vectors, at * dim);
    for (let i = 0; i < p.keys.length; i++) {
      out.segmentIds.push(p.segmentIds[i]);
      out.itemHashes.push(p.itemHashes[i]);
    }
    at += p.keys.length;
  }
  return out;
}
