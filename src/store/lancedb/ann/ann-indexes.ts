import type * as lancedb from '@lancedb/lancedb';
import type { SearchFilter, SpaceTableInfo, VectorHit } from '../../vector-store.js';
import type { CompiledFilter } from '../filter-sql.js';
import { exactNearest } from './usearch-graph.js';
import { FilterSets } from './filter-sets.js';
import { SpaceIndex, type AnnHost, type AnnStatus } from './space-index.js';
import { keysWhere, type RowBlock } from './table-rows.js';

/**
 * The ANN indexes of a collection, one per vector table, as the LanceDB store sees them: it reports
 * each write (`keysToRemove` before a delete, `afterWrite` after) and asks `search` first; `undefined`
 * from `search` means "not answerable here now, ask LanceDB".
 */
export class AnnIndexes {
  private readonly spaces = new Map<string, SpaceIndex>();
  private readonly filters = new Map<string, FilterSets>();

  constructor(private readonly host: AnnHost) {}

  /** Registers a space table (at open, or when created) and starts loading or building its index. */
  async attach(space: SpaceTableInfo, table: lancedb.Table, tableName: string): Promise<void> {
    await this.spaces.get(space.spaceId)?.close(); // the table was re-opened (another process re-created it)
    const index = new SpaceIndex(this.host, space, table, tableName);
    this.spaces.set(space.spaceId, index);
    this.filters.set(space.spaceId, new FilterSets(this.host.settings.exactFilterRows));
    await index.open();
  }

  /** The keys a delete of `where` will remove, when an index has to follow it; [] otherwise. */
  async keysToRemove(spaceId: string, table: lancedb.Table, where: string): Promise<number[]> {
    const index = this.spaces.get(spaceId);
    return index && index.status().state === 'ready' ? keysWhere(table, where) : [];
  }

  async afterWrite(spaceId: string, removed: number[], added?: RowBlock): Promise<void> {
    this.filters.get(spaceId)?.clear();
    await this.spaces.get(spaceId)?.afterWrite(removed, added);
  }

  /** Filter columns changed (tags, locations…): cached filter results are stale. */
  filtersChanged(spaceId?: string): void {
    for (const [id, sets] of this.filters) if (!spaceId || id === spaceId) sets.clear();
    for (const [id, index] of this.spaces) if (!spaceId || id === spaceId) index.generation += 1;
  }

  async reset(space: SpaceTableInfo, table: lancedb.Table): Promise<void> {
    this.filters.get(space.spaceId)?.clear();
    await this.spaces.get(space.spaceId)?.reset(space, table);
  }

  /**
   * Nearest rows by the index: unfiltered through the graph; filtered, LanceDB first turns the filter into
   * the allowed rows, scanned exactly when few, else the graph's candidates restricted to them. Undefined
   * when the index cannot answer (none yet, building, failed) or a filtered graph search came back short.
   */
  async search(
    spaceId: string,
    table: lancedb.Table,
    vector: Float32Array,
    k: number,
    filter: SearchFilter | undefined,
    compiled: CompiledFilter,
  ): Promise<VectorHit[] | undefined> {
    const index = this.spaces.get(spaceId);
    if (!index || !(await index.usable())) return undefined;
    try {
      return await this.searchIndex(index, table, vector, k, filter, compiled);
    } catch (error) {
      // A failing index must not fail the search: LanceDB answers, and the next optimize() rebuilds it.
      index.fail(`search failed: ${(error as Error).message}`);
      return undefined;
    }
  }

  private async searchIndex(
    index: SpaceIndex,
    table: lancedb.Table,
    vector: Float32Array,
    k: number,
    filter: SearchFilter | undefined,
    compiled: CompiledFilter,
  ): Promise<VectorHit[] | undefined> {
    const spaceId = index.status().spaceId;
    if (!compiled.where && !compiled.postFilter) return index.nearest(vector, k);
    // Cached filter results hold while neither this process nor another wrote to the table.
    const allowed = await this.filters
      .get(spaceId)!
      .allowed(table, index.dim, compiled, JSON.stringify(filter), `${index.generation}@${await table.version()}`);
    if (allowed.rows) {
      const { offsets, distances } = exactNearest(allowed.rows.vectors, index.dim, vector, k);
      return offsets.map((o, i) => ({
        segmentId: allowed.rows!.segmentIds[o],
        itemHash: allowed.rows!.itemHashes[o],
        score: 1 - distances[i],
      }));
    }
    const hits = index.nearest(vector, k, allowed.keys);
    return hits.length >= Math.min(k, allowed.keys.size) ? hits : undefined;
  }

  status(spaceId?: string): AnnStatus[] {
    return [...this.spaces.values()].map((s) => s.status()).filter((s) => !spaceId || s.spaceId === spaceId);
  }

  /** Builds missing indexes of large tables, waits for builds in progress and saves what changed. */
  async settle(spaceId?: string): Promise<void> {
    for (const [id, index] of this.spaces) if (!spaceId || id === spaceId) await index.settle();
  }

  async rebuild(spaceId: string, reason: string): Promise<void> {
    await this.spaces.get(spaceId)?.rebuild(reason);
  }

  /** After a write of this process: every graph matches its table's version now. */
  async markSynced(): Promise<void> {
    for (const index of this.spaces.values()) await index.markSynced();
  }

  async saveAll(): Promise<void> {
    for (const index of this.spaces.values()) await index.save();
  }

  async close(): Promise<void> {
    for (const index of this.spaces.values()) await index.close();
  }
}

/** Rows as the commit path writes them, as one block the index can add. */
export function rowsToBlock(rows: Record<string, unknown>[], dim: number): RowBlock {
  const block: RowBlock = {
    keys: new Float64Array(rows.length),
    segmentIds: [],
    itemHashes: [],
    vectors: new Float32Array(rows.length * dim),
  };
  rows.forEach((r, i) => {
    block.keys[i] = Number(r.key);
    block.segmentIds.push(String(r.segment_id));
    block.itemHashes.push(String(r.item_hash));
    block.vectors.set(r.vector as Float32Array, i * dim);
  });
  return block;
}
