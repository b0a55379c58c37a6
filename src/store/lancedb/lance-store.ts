import * as lancedb from '@lancedb/lancedb';
import type {
  ItemCommit,
  ItemRecord,
  SearchFilter,
  SegmentRecord,
  SpaceTableInfo,
  VectorHit,
  VectorRecord,
  VectorStore,
} from '../vector-store.js';
import { validateCommits, validateSegmentTimes } from '../commit-validation.js';
import { ITEMS_TABLE, SEGMENTS_TABLE, SPACES_TABLE, vectorTableName } from '../keys.js';
import { WriteQueue } from '../write-queue.js';
import { invalidArgument, expectPositiveInt } from '../../util/validate.js';
import { compileFilter, sqlString, type CompiledFilter } from './filter-sql.js';
import { guard } from './errors.js';
import { arrow, rowsToTable } from './arrow.js';
import { definedOnly, ensureScalarIndex, filterColumnsSql, listOf, replaceRows, upsertScoped } from './table-ops.js';

export type { ItemCommit };
import { AnnIndexes, KEY_COLUMN, newRowKeys, resolveAnnSettings, type AnnSettings, type AnnStatus } from './ann/index.js';
import { rowsToBlock } from './ann/ann-indexes.js';
import {
  DEFAULT_INDEX,
  DEFAULT_INDEX_THRESHOLD,
  DEFAULT_SEARCH_TUNING,
  DISTANCE,
  INDEX_TYPES,
  buildVectorIndex,
  partitionsFor,
  type IndexSettings,
  type SearchTuning,
} from './index-policy.js';
import {
  SEGMENT_COLUMNS,
  filterColumns,
  itemRow,
  itemsSchema,
  rowToItem,
  rowToSegment,
  segmentRow,
  segmentsSchema,
  spacesSchema,
  vectorRow,
  vectorSchema,
} from './schema.js';

export interface LanceStoreOptions {
  /** Rows in a space table from which `optimize()` builds an ANN index; below it search is exact. Default 10,000. */
  indexThreshold?: number;
  /** The ANN index `optimize()` builds. Default IVF_HNSW_SQ. */
  index?: IndexSettings;
  /** ANN search knobs (nprobes, ef, refineFactor); defaults per index type in DEFAULT_SEARCH_TUNING. */
  tuning?: Partial<SearchTuning>;
  /**
   * How stale a read may be, in seconds, when another process (the CLI beside a server) writes to the
   * collection: reads check for newer table versions at most this often. Default 1; 0 checks on every read.
   */
  followWritesSeconds?: number;
  /**
   * The in-process ANN index (usearch HNSW) kept beside each vector table from `indexThreshold` rows on;
   * `false` leaves search to LanceDB (exact, then the `index` it builds). Default: on, f16, M 16.
   */
  ann?: Partial<AnnSettings> | false;
}

type Row = Record<string, unknown>;
const IN_CHUNK = 500;
const DEFAULT_FOLLOW_WRITES_SECONDS = 1;

/**
 * The embedded default store: one LanceDB database per collection directory. Writes go through one
 * queue per process; every table write is an upsert keyed by id, so a commit redone after a crash
 * leaves exactly one copy of each row.
 */
export class LanceStore implements VectorStore {
  readonly kind = 'lancedb' as const;
  private readonly queue = new WriteQueue();
  private readonly spaceTables = new Map<string, lancedb.Table>();
  private readonly spaceInfo = new Map<string, SpaceTableInfo>();
  private readonly indexed = new Set<string>();
  private ftsReady = false;
  /** The segments table's version at which it held no text, so a keyword search need not count its rows again. */
  private textlessAtVersion: number | undefined;
  /**
   * Whether segments of a set of kinds hold text, per segments-table version: a keyword search restricted to
   * kinds the collection has no text of (words in pictures in a collection never read with `--ocr`) answers
   * nothing without a query. Recounted only when the table changed (a write here or in another process).
   */
  private textKinds: { version: number; has: Map<string, boolean> } = { version: -1, has: new Map() };
  /** The spaces table version the registry above was read from, and when that was last checked. */
  private spacesVersion = -1;
  private spacesCheckedAt = 0;
  private readonly followWritesMs: number;
  private readonly tuning: SearchTuning;
  readonly indexThreshold: number;
  readonly indexSettings: IndexSettings;
  /** Undefined when the ANN index is switched off. */
  private readonly ann?: AnnIndexes;

  private constructor(
    readonly dir: string,
    private readonly db: lancedb.Connection,
    private readonly items: lancedb.Table,
    private readonly segments: lancedb.Table,
    private readonly spacesTable: lancedb.Table,
    options: LanceStoreOptions,
  ) {
    this.indexThreshold = options.indexThreshold ?? DEFAULT_INDEX_THRESHOLD;
    this.indexSettings = { ...DEFAULT_INDEX, ...options.index };
    this.tuning = { ...DEFAULT_SEARCH_TUNING[this.indexSettings.type], ...options.tuning };
    this.followWritesMs = (options.followWritesSeconds ?? DEFAULT_FOLLOW_WRITES_SECONDS) * 1000;
    if (options.ann !== false) {
      this.ann = new AnnIndexes({
        collectionDir: dir,
        settings: resolveAnnSettings(options.ann),
        threshold: this.indexThreshold,
        followWritesMs: this.followWritesMs,
        exclusive: (fn) => this.queue.run(fn),
      });
    }
  }

  /** @internal use openLanceStore */
  static async open(dir: string, options: LanceStoreOptions): Promise<LanceStore> {
    return guard(dir, 'open', async () => {
      // Reads follow other processes' commits (LanceDB checks for a newer version at most this often).
      const db = await lancedb.connect(dir, { readConsistencyInterval: options.followWritesSeconds ?? DEFAULT_FOLLOW_WRITES_SECONDS });
      const names = new Set(await db.tableNames());
      const ensure = async (name: string, schema: InstanceType<typeof arrow.Schema>) =>
        names.has(name) ? db.openTable(name) : db.createEmptyTable(name, schema, { mode: 'create', existOk: true });
      const store = new LanceStore(
        dir,
        db,
        await ensure(ITEMS_TABLE, itemsSchema()),
        await ensure(SEGMENTS_TABLE, segmentsSchema()),
        await ensure(SPACES_TABLE, spacesSchema()),
        options,
      );
      await store.followSpaces(true);
      return store;
    });
  }

  /**
   * Brings the registry of space tables (and which have an ANN or full-text index) up to date with what
   * other processes wrote: a CLI run beside a server may create a space table, re-create it for a new model
   * version, or build an index. Checked at most once per `followWritesSeconds` unless `now`; writes always check,
   * so this process never drops or misses a table another one made.
   */
  private async followSpaces(now = false): Promise<void> {
    if (!now && Date.now() - this.spacesCheckedAt < this.followWritesMs) return;
    this.spacesCheckedAt = Date.now();
    if (now) await this.spacesTable.checkoutLatest(); // a read may lag by the interval; a write must not
    const version = await this.spacesTable.version();
    if (version !== this.spacesVersion) {
      this.spacesVersion = version;
      const names = new Set(await this.db.tableNames());
      for (const row of (await this.spacesTable.query().toArray()) as Row[]) {
        const info = { spaceId: String(row.space_id), version: String(row.version), dim: Number(row.dim) };
        const known = this.spaceInfo.get(info.spaceId);
        if (known && known.version === info.version && known.dim === info.dim && this.spaceTables.has(info.spaceId)) continue;
        const name = vectorTableName(info.spaceId);
        if (!names.has(name)) continue; // crashed between drop and re-create: re-created on next commit
        this.spaceTables.get(info.spaceId)?.close();
        const table = await this.db.openTable(name);
        this.spaceTables.set(info.spaceId, table);
        this.spaceInfo.set(info.spaceId, info);
        this.indexed.delete(info.spaceId);
        await addKeyColumn(table);
        await this.ann?.attach(info, table, name);
      }
    }
    for (const [id, table] of this.spaceTables) {
      if (!this.indexed.has(id) && (await table.listIndices()).some((i) => i.columns.includes('vector'))) this.indexed.add(id);
    }
    if (!this.ftsReady) this.ftsReady = (await this.segments.listIndices()).some((i) => i.columns.includes('text'));
  }

  /** Runs a write after bringing the space registry up to date (see `followSpaces`). */
  private write<T>(operation: string, task: () => Promise<T>): Promise<T> {
    return this.queue.run(() =>
      guard(this.dir, operation, async () => {
        await this.followSpaces(true);
        const result = await task();
        await this.ann?.markSynced();
        return result;
      }),
    );
  }

  /** The version recorded for a space, or undefined if the collection has no vectors of it. Ingest re-encodes on mismatch. */
  spaceVersion(spaceId: string): string | undefined {
    return this.spaceInfo.get(spaceId)?.version;
  }

  /** The ANN search settings in force. */
  get searchTuning(): SearchTuning {
    return { ...this.tuning };
  }

  /** The ANN index `optimize()` builds, as text (type and partitions for `rows`). */
  describeIndex(rows: number): string {
    return `${this.indexSettings.type}, ${partitionsFor(this.indexSettings, rows)} partitions`;
  }

  /** Rebuilds the ANN index of one space now, whatever its size (e.g. after changing `index` or `ann` settings). */
  async reindex(space: SpaceTableInfo): Promise<void> {
    if (this.ann) return guard(this.dir, 'reindex', () => this.ann!.rebuild(space.spaceId, 'rebuild asked for'));
    return this.write('reindex', async () => {
      const table = this.spaceTables.get(space.spaceId);
      if (!table) return;
      await buildVectorIndex(table, await table.countRows(), this.indexSettings);
      this.indexed.add(space.spaceId);
    });
  }

  /** Every space table in the collection. */
  listSpaces(): SpaceTableInfo[] {
    return [...this.spaceInfo.values()].map((s) => ({ ...s }));
  }

  async getItem(hash: string): Promise<ItemRecord | undefined> {
    const rows = await guard(this.dir, 'getItem', () =>
      this.items
        .query()
        .where(`hash = ${sqlString(hash)}`)
        .limit(1)
        .toArray(),
    );
    return rows.length ? rowToItem(rows[0]) : undefined;
  }

  async getItems(hashes: string[]): Promise<ItemRecord[]> {
    const byHash = new Map<string, ItemRecord>();
    await guard(this.dir, 'getItems', async () => {
      for (let i = 0; i < hashes.length; i += IN_CHUNK) {
        const chunk = hashes.slice(i, i + IN_CHUNK);
        for (const r of (await this.items
          .query()
          .where(`hash IN (${chunk.map(sqlString).join(', ')})`)
          .toArray()) as Row[])
          byHash.set(String(r.hash), rowToItem(r));
      }
    });
    return hashes.flatMap((h) => (byHash.has(h) ? [byHash.get(h)!] : []));
  }

  async getItemByLocation(location: string): Promise<ItemRecord | undefined> {
    const rows = await guard(this.dir, 'getItemByLocation', () =>
      this.items
        .query()
        .where(`array_has(locations, ${sqlString(location)})`)
        .toArray(),
    );
    const found = (rows as Row[]).map(rowToItem).sort((a, b) => b.indexedAt - a.indexedAt);
    return found[0];
  }

  async listItems(filter?: SearchFilter, limit?: number): Promise<ItemRecord[]> {
    if (limit !== undefined) expectPositiveInt('limit', limit);
    const compiled = compileFilter(filter, { hasKind: false });
    return guard(this.dir, 'listItems', async () => {
      let where = compiled.where;
      if (filter?.kinds) {
        const kindFilter = compileFilter({ kinds: filter.kinds }, { hasKind: true });
        const hashes = new Set(
          (await this.segments.query().where(kindFilter.where!).select(['item_hash']).toArray()).map((r) => String(r.item_hash)),
        );
        if (!hashes.size) return [];
        const inList = `hash IN (${[...hashes].map(sqlString).join(', ')})`;
        where = where ? `${where} AND ${inList}` : inList;
      }
      let query = this.items.query();
      if (where) query = query.where(where);
      if (limit !== undefined && !compiled.postFilter) query = query.limit(limit);
      let found = ((await query.toArray()) as Row[]).map(rowToItem);
      if (compiled.postFilter) found = found.filter((i) => compiled.postFilter!(i.locations));
      found.sort((a, b) => (a.hash < b.hash ? -1 : 1));
      return limit !== undefined ? found.slice(0, limit) : found;
    });
  }

  async countItems(): Promise<number> {
    return guard(this.dir, 'countItems', () => this.items.countRows());
  }

  async getSegments(ids: string[]): Promise<SegmentRecord[]> {
    const byId = new Map<string, SegmentRecord>();
    await guard(this.dir, 'getSegments', async () => {
      for (let i = 0; i < ids.length; i += IN_CHUNK) {
        const chunk = ids.slice(i, i + IN_CHUNK);
        const rows = await this.segments
          .query()
          .where(`id IN (${chunk.map(sqlString).join(', ')})`)
          .select(SEGMENT_COLUMNS)
          .toArray();
        for (const r of rows as Row[]) byId.set(String(r.id), rowToSegment(r));
      }
    });
    return ids.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
  }

  async getItemSegments(itemHash: string): Promise<SegmentRecord[]> {
    const rows = await guard(this.dir, 'getItemSegments', () =>
      this.segments
        .query()
        .where(`item_hash = ${sqlString(itemHash)}`)
        .select(SEGMENT_COLUMNS)
        .toArray(),
    );
    return (rows as Row[]).map(rowToSegment).sort((a, b) => (a.kind === b.kind ? a.index - b.index : a.kind < b.kind ? -1 : 1));
  }

  async commitItem(
    item: ItemRecord,
    segments: SegmentRecord[],
    vectors: Record<string, VectorRecord[]>,
    spaces: SpaceTableInfo[],
  ): Promise<void> {
    return this.commitItems([{ item, segments, vectors, spaces }]);
  }

  /**
   * Commits several items with one write per table (much faster for bulk ingest than one call per
   * item). Same durability as `commitItem`.
   *
   * Order: (1) delete the item rows of any of these items stored before, (2) replace their segments
   * and vectors (delete by item hash, then append), (3) append the item rows. A crash at any point
   * leaves these items without an item row, so the next run redoes them and step 2 clears whatever
   * the crashed run left. Appends cost O(batch), where a keyed upsert would scan the whole table.
   */
  async commitItems(commits: ItemCommit[]): Promise<void> {
    validateCommits(commits);
    if (!commits.length) return;
    return this.write('commitItem', async () => {
      const hashes = commits.map((c) => c.item.hash);
      const hashList = hashes.map(sqlString).join(', ');
      const scope = `item_hash IN (${hashList})`;
      const previous = await this.items.query().where(`hash IN (${hashList})`).select(['hash']).toArray();
      const known = new Set(previous.map((r) => String(r.hash)));
      if (known.size) await this.items.delete(`hash IN (${[...known].map(sqlString).join(', ')})`);

      const kindOf = new Map<string, string>();
      const segRows: Row[] = [];
      for (const c of commits) {
        const cols = filterColumns(c.item);
        for (const s of c.segments) {
          kindOf.set(s.id, s.kind);
          segRows.push(segmentRow(s, cols));
        }
      }
      await replaceRows(this.segments, segRows, scope, segmentsSchema());
      const spaceIds = new Set(commits.flatMap((c) => Object.keys(c.vectors)));
      for (const spaceId of spaceIds) {
        const space = commits.flatMap((c) => c.spaces).find((s) => s.spaceId === spaceId)!;
        const table = await this.ensureSpace(space);
        const rows: Row[] = [];
        const touched: string[] = [];
        for (const c of commits) {
          if (!(spaceId in c.vectors)) continue;
          touched.push(c.item.hash);
          const cols = filterColumns(c.item);
          const keys = newRowKeys(c.vectors[spaceId].length);
          c.vectors[spaceId].forEach((v, i) => rows.push(vectorRow(v, kindOf.get(v.segmentId)!, space, cols, keys[i])));
        }
        await this.replaceVectors(spaceId, table, rows, `item_hash IN (${touched.map(sqlString).join(', ')})`, space.dim);
      }
      // Tables of spaces not re-encoded in this commit keep their vectors: drop those of segments
      // that no longer exist and refresh their filter columns, for items that were stored before.
      for (const c of commits) {
        if (!known.has(c.item.hash)) continue;
        for (const [spaceId, table] of this.spaceTables) {
          if (spaceId in c.vectors) continue;
          const ids = c.segments.map((s) => sqlString(s.id));
          const own = `item_hash = ${sqlString(c.item.hash)}`;
          await this.replaceVectors(
            spaceId,
            table,
            [],
            ids.length ? `${own} AND segment_id NOT IN (${ids.join(', ')})` : own,
            this.spaceInfo.get(spaceId)!.dim,
          );
          await table.update({ where: own, valuesSql: filterColumnsSql(c.item) });
          this.ann?.filtersChanged(spaceId);
        }
      }
      await this.items.add(
        rowsToTable(
          commits.map((c) => itemRow(c.item)),
          itemsSchema(),
        ),
      );
    });
  }

  /**
   * Adds (or replaces, by id) segments of a stored item with their vectors, leaving its other segments
   * alone: captions and transcripts attach to an item after it was indexed. Segments first, vectors after;
   * a crash between them leaves a segment without a vector, which search never returns.
   */
  addSegments(
    itemHash: string,
    segments: SegmentRecord[],
    vectors: Record<string, VectorRecord[]>,
    spaces: SpaceTableInfo[],
    options: { fresh?: boolean } = {},
  ): Promise<void> {
    try {
      validateSegmentTimes(segments);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.write('addSegments', async () => {
      const rows = await this.items
        .query()
        .where(`hash = ${sqlString(itemHash)}`)
        .limit(1)
        .toArray();
      if (!rows.length) throw invalidArgument('itemHash', 'the hash of a stored item', itemHash);
      const cols = filterColumns(rowToItem(rows[0]));
      const ids = segments.map((seg) => sqlString(seg.id)).join(', ');
      if (!ids) return;
      if (options.fresh) {
        await this.appendFresh(segments, vectors, spaces, cols);
        return;
      }
      await replaceRows(
        this.segments,
        segments.map((seg) => segmentRow(seg, cols)),
        `id IN (${ids})`,
        segmentsSchema(),
      );
      const kindOf = new Map(segments.map((seg) => [seg.id, seg.kind]));
      for (const space of spaces) {
        const table = await this.ensureSpace(space);
        const list = vectors[space.spaceId] ?? [];
        const keys = newRowKeys(list.length);
        const vecRows = list.map((v, i) => vectorRow(v, kindOf.get(v.segmentId) ?? 'caption', space, cols, keys[i]));
        await this.replaceVectors(space.spaceId, table, vecRows, `segment_id IN (${ids})`, space.dim);
      }
    });
  }

  updateItem(hash: string, patch: Partial<Pick<ItemRecord, 'locations' | 'tags' | 'meta' | 'mtimeMs' | 'spaces'>>): Promise<void> {
    return this.queue.run(async () => {
      await guard(this.dir, 'updateItem', () => this.followSpaces(true));
      const prev = await this.getItem(hash);
      if (!prev) throw invalidArgument('hash', 'the hash of a stored item', hash);
      const next: ItemRecord = { ...prev, ...definedOnly(patch) };
      await guard(this.dir, 'updateItem', async () => {
        if (patch.locations || patch.tags || patch.mtimeMs !== undefined) {
          const valuesSql = filterColumnsSql(next);
          const own = `item_hash = ${sqlString(hash)}`;
          for (const table of [this.segments, ...this.spaceTables.values()]) await table.update({ where: own, valuesSql });
          this.ann?.filtersChanged();
        }
        await upsertScoped(this.items, 'hash', [itemRow(next)], undefined, itemsSchema());
        await this.ann?.markSynced();
      });
    });
  }

  removeItem(hash: string): Promise<void> {
    return this.write('removeItem', async () => {
      const own = `item_hash = ${sqlString(hash)}`;
      // Children first, item row last: a crash leaves the item listed, so a re-run removes it again.
      for (const [spaceId, table] of this.spaceTables) await this.replaceVectors(spaceId, table, [], own, this.spaceInfo.get(spaceId)!.dim);
      await this.segments.delete(own);
      await this.items.delete(`hash = ${sqlString(hash)}`);
    });
  }

  async search(space: SpaceTableInfo, vector: Float32Array, options: { k: number; filter?: SearchFilter }): Promise<VectorHit[]> {
    const k = expectPositiveInt('k', options.k, 10_000);
    if (!(vector instanceof Float32Array) || vector.length !== space.dim) {
      throw invalidArgument('vector', `a Float32Array of length ${space.dim} (space ${space.spaceId})`, vector?.length);
    }
    await guard(this.dir, 'search', () => this.followSpaces());
    const info = this.spaceInfo.get(space.spaceId);
    const table = this.spaceTables.get(space.spaceId);
    // Vectors of another model version are not comparable with this query.
    if (!info || !table || info.version !== space.version) return [];
    const compiled = compileFilter(options.filter, { hasKind: true });
    const useIndex = this.indexed.has(space.spaceId);
    return guard(this.dir, 'search', async () => {
      const fromAnn = await this.ann?.search(space.spaceId, table, vector, k, options.filter, compiled);
      if (fromAnn) return fromAnn;
      let hits = await this.vectorQuery(table, vector, k, compiled, useIndex);
      // An ANN probe with a selective filter can come back short; the filtered rows are few, so scan them exactly.
      if (useIndex && compiled.where && hits.length < k) hits = await this.vectorQuery(table, vector, k, compiled, false);
      return hits;
    });
  }

  private async vectorQuery(
    table: lancedb.Table,
    vector: Float32Array,
    k: number,
    compiled: CompiledFilter,
    useIndex: boolean,
  ): Promise<VectorHit[]> {
    const total = compiled.needsConfirm ? await table.countRows(compiled.where) : Infinity;
    for (let fetch = compiled.needsConfirm ? k * 4 : k; ; fetch *= 4) {
      let q = table
        .query()
        .nearestTo(vector)
        .distanceType(DISTANCE)
        .limit(fetch)
        .select(compiled.postFilter ? ['segment_id', 'item_hash', 'locations', '_distance'] : ['segment_id', 'item_hash', '_distance']);
      if (compiled.where) q = q.where(compiled.where);
      if (useIndex) {
        q = q.nprobes(this.tuning.nprobes);
        // HNSW must explore at least as many candidates as it is asked for (fetch × refine), or Lance refuses the query.
        if (this.tuning.ef) q = q.ef(Math.max(this.tuning.ef, fetch * (this.tuning.refineFactor ?? 1)));
        if (this.tuning.refineFactor) q = q.refineFactor(this.tuning.refineFactor);
      } else q = q.bypassVectorIndex();
      const rows = (await q.toArray()) as Row[];
      const kept = compiled.postFilter ? rows.filter((r) => compiled.postFilter!(listOf(r.locations))) : rows;
      if (kept.length >= k || rows.length < fetch || fetch >= total) {
        // Lance's cosine distance is 1 − cos(u, v).
        return kept
          .slice(0, k)
          .map((r) => ({ segmentId: String(r.segment_id), itemHash: String(r.item_hash), score: 1 - Number(r._distance) }));
      }
    }
  }

  /** BM25 keyword search over segment text; `score` is the BM25 score (not a cosine), for rank fusion. */
  async searchText(query: string, options: { k: number; filter?: SearchFilter }): Promise<VectorHit[]> {
    const k = expectPositiveInt('k', options.k, 10_000);
    if (typeof query !== 'string' || !query.trim()) throw invalidArgument('query', 'a non-empty string', query);
    const compiled = compileFilter(options.filter, { hasKind: true });
    await guard(this.dir, 'searchText', () => this.followSpaces());
    // Every text search asks for words in pictures: a collection without text must not be scanned for it each time.
    if (!this.ftsReady && this.textlessAtVersion !== (await this.segments.version())) await this.queue.run(() => this.ensureFts());
    if (!this.ftsReady) return [];
    return guard(this.dir, 'searchText', async () => {
      if (options.filter?.kinds && !(await this.kindsHoldText(options.filter.kinds))) return [];
      for (let fetch = compiled.needsConfirm ? k * 4 : k; ; fetch *= 4) {
        let q = this.segments
          .query()
          .fullTextSearch(query, { columns: ['text'] })
          .limit(fetch)
          .select(['id', 'item_hash', 'locations', 'text', '_score']);
        if (compiled.where) q = q.where(compiled.where);
        const rows = (await q.toArray()) as Row[];
        const kept = compiled.postFilter ? rows.filter((r) => compiled.postFilter!(listOf(r.locations))) : rows;
        if (kept.length >= k || rows.length < fetch) {
          return kept
            .slice(0, k)
            .map((r) => ({ segmentId: String(r.id), itemHash: String(r.item_hash), score: Number(r._score), text: String(r.text ?? '') }));
        }
      }
    });
  }

  /** Whether any segment of these kinds holds text now (cached per segments-table version; see `textKinds`). */
  private async kindsHoldText(kinds: readonly string[]): Promise<boolean> {
    if (kinds.length === 0) return false;
    const version = await this.segments.version();
    if (this.textKinds.version !== version) this.textKinds = { version, has: new Map() };
    const key = [...new Set(kinds)].sort().join(',');
    let has = this.textKinds.has.get(key);
    if (has === undefined) {
      has = (await this.segments.countRows(`kind IN (${key.split(',').map(sqlString).join(', ')}) AND text IS NOT NULL`)) > 0;
      if (this.textKinds.version === version) this.textKinds.has.set(key, has);
    }
    return has;
  }

  /**
   * Compacts tables, builds the ANN index of every space table at or above `indexThreshold` rows (in a
   * worker; searches keep working meanwhile) and saves it, and keeps the full-text index current.
   */
  async optimize(space?: SpaceTableInfo): Promise<void> {
    await this.compact(space);
    await guard(this.dir, 'ANN index', async () => this.ann?.settle(space?.spaceId));
  }

  /** What the in-process ANN index of each space is doing (empty when it is switched off). */
  annStatus(spaceId?: string): AnnStatus[] {
    return this.ann?.status(spaceId) ?? [];
  }

  private compact(space?: SpaceTableInfo): Promise<void> {
    return this.write('optimize', async () => {
      const cleanupOlderThan = new Date(Date.now() - 60_000);
      const ids = space ? [space.spaceId] : [...this.spaceTables.keys()];
      for (const id of ids) {
        const table = this.spaceTables.get(id);
        if (!table) continue;
        const rows = await table.countRows();
        // With the ANN index on, LanceDB's own vector index is not built: it serves nothing the ANN does not do faster.
        if (!this.ann && !this.indexed.has(id) && rows >= this.indexThreshold) {
          await buildVectorIndex(table, rows, this.indexSettings);
          this.indexed.add(id);
        }
        await ensureScalarIndex(table, 'item_hash', rows);
        if (this.ann) await ensureScalarIndex(table, KEY_COLUMN, rows);
        await table.optimize({ cleanupOlderThan });
      }
      if (!space) {
        await this.ensureFts();
        await ensureScalarIndex(this.items, 'hash', await this.items.countRows());
        const segs = await this.segments.countRows();
        await ensureScalarIndex(this.segments, 'item_hash', segs);
        await ensureScalarIndex(this.segments, 'id', segs);
        for (const t of [this.items, this.segments, this.spacesTable]) await t.optimize({ cleanupOlderThan });
      }
    });
  }

  async *scanVectors(space: Pick<SpaceTableInfo, 'spaceId' | 'version'>): AsyncGenerator<VectorRecord[]> {
    const table = this.spaceTables.get(space.spaceId);
    if (!table || this.spaceInfo.get(space.spaceId)?.version !== space.version) return;
    for await (const batch of table.query().select(['segment_id', 'item_hash', 'vector'])) {
      const ids = batch.getChild('segment_id')!,
        hashes = batch.getChild('item_hash')!,
        vectors = batch.getChild('vector')!;
      const out: VectorRecord[] = [];
      for (let i = 0; i < batch.numRows; i += 1) {
        out.push({
          segmentId: String(ids.get(i)),
          itemHash: String(hashes.get(i)),
          vector: Float32Array.from(vectors.get(i)!.toArray() as Float32Array),
        });
      }
      if (out.length) yield out;
    }
  }

  async close(): Promise<void> {
    await this.queue.drain();
    if (this.ann) {
      await this.queue.run(() => this.ann!.saveAll());
      await this.ann.close();
    }
    for (const t of this.spaceTables.values()) t.close();
    for (const t of [this.items, this.segments, this.spacesTable]) t.close();
    this.db.close();
  }

  private async ensureFts(): Promise<void> {
    if (this.ftsReady) return;
    await guard(this.dir, 'full-text index', async () => {
      const version = await this.segments.version();
      if (this.textlessAtVersion === version) return;
      if ((await this.segments.countRows('text IS NOT NULL')) === 0) {
        this.textlessAtVersion = version;
        return;
      }
      await this.segments.createIndex('text', { config: lancedb.Index.fts(), replace: true });
      this.ftsReady = true;
    });
  }

  /**
   * Deletes `where` from a vector table and appends `rows`, keeping its ANN index in step: the keys the
   * delete removes are read first (only when an index has to follow).
   */
  /** Appends segments known to be new, and their vectors: no delete, so no scan of tables that grow with the file. */
  private async appendFresh(
    segments: SegmentRecord[],
    vectors: Record<string, VectorRecord[]>,
    spaces: SpaceTableInfo[],
    cols: ReturnType<typeof filterColumns>,
  ): Promise<void> {
    await this.segments.add(
      rowsToTable(
        segments.map((seg) => segmentRow(seg, cols)),
        segmentsSchema(),
      ),
    );
    const kindOf = new Map(segments.map((seg) => [seg.id, seg.kind]));
    for (const space of spaces) {
      const table = await this.ensureSpace(space);
      const list = vectors[space.spaceId] ?? [];
      if (!list.length) continue;
      const keys = newRowKeys(list.length);
      const vecRows = list.map((v, i) => vectorRow(v, kindOf.get(v.segmentId) ?? 'text-chunk', space, cols, keys[i]));
      await table.add(rowsToTable(vecRows, vectorSchema(space.dim)));
      await this.ann?.afterWrite(space.spaceId, [], rowsToBlock(vecRows, space.dim));
    }
  }

  private async replaceVectors(spaceId: string, table: lancedb.Table, rows: Row[], where: string, dim: number): Promise<void> {
    const removed = this.ann ? await this.ann.keysToRemove(spaceId, table, where) : [];
    await replaceRows(table, rows, where, vectorSchema(dim));
    await this.ann?.afterWrite(spaceId, removed, rows.length ? rowsToBlock(rows, dim) : undefined);
  }

  /** Opens, creates, or (on a version or dimension change) recreates the vector table of a space. */
  private async ensureSpace(space: SpaceTableInfo): Promise<lancedb.Table> {
    const info = this.spaceInfo.get(space.spaceId);
    const existing = this.spaceTables.get(space.spaceId);
    if (existing && info && info.version === space.version && info.dim === space.dim) return existing;
    const name = vectorTableName(space.spaceId);
    if (info && existing) {
      const stale = `${space.spaceId}@${info.version}`;
      await this.items.update({
        where: `array_has(spaces, ${sqlString(stale)})`,
        valuesSql: { spaces: `array_remove(spaces, ${sqlString(stale)})` },
      });
      existing.close();
      this.spaceTables.delete(space.spaceId);
      this.indexed.delete(space.spaceId);
    }
    if ((await this.db.tableNames()).includes(name)) await this.db.dropTable(name);
    const table = await this.db.createEmptyTable(name, vectorSchema(space.dim));
    await upsertScoped(
      this.spacesTable,
      'space_id',
      [{ space_id: space.spaceId, version: space.version, dim: space.dim }],
      undefined,
      spacesSchema(),
    );
    this.spaceTables.set(space.spaceId, table);
    this.spaceInfo.set(space.spaceId, { ...space });
    if (info && existing) await this.ann?.reset(space, table);
    else await this.ann?.attach(space, table, name);
    return table;
  }
}

/** Tables written before row keys existed get a random key per row (an additive column; no rewrite). */
async function addKeyColumn(table: lancedb.Table): Promise<void> {
  if ((await table.schema()).fields.some((f) => f.name === KEY_COLUMN)) return;
  await table.addColumns([{ name: KEY_COLUMN, valueSql: 'CAST(random() * 9007199254740991 AS BIGINT)' }]);
}

/** Opens (creating if needed) the LanceDB collection at `dir`. */
export async function openLanceStore(dir: string, options: LanceStoreOptions = {}): Promise<LanceStore> {
  if (typeof dir !== 'string' || !dir) throw invalidArgument('dir', 'a directory path', dir);
  if (options.indexThreshold !== undefined) expectPositiveInt('indexThreshold', options.indexThreshold);
  if (options.index && !INDEX_TYPES.includes(options.index.type))
    throw invalidArgument('index.type', `one of: ${INDEX_TYPES.join(', ')}`, options.index.type);
  return LanceStore.open(dir, options);
}
