import type { MilvusClient, ConsistencyLevelEnum, FieldType } from '@zilliz/milvus2-sdk-node';
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
import { unsupported, validateCommit, validateCommits, validateSegmentTimes } from '../commit-validation.js';
import { vectorTableName } from '../keys.js';
import { WriteQueue } from '../write-queue.js';
import { locationMatcher } from '../glob.js';
import { describeMilvusError, pageExpr, pagesByKey, readAllByKey } from './page-by-key.js';
import { columnPatchRows, itemColumns, itemRowPatch, itemsSchema, MAX_LIST, milvusSdk, segmentsSchema, vectorsSchema } from './schema.js';
import { supportsPartialUpdate } from './server-version.js';
import { RosettaError } from '../../errors/rosetta-error.js';
import { ErrorCodes } from '../../errors/codes.js';
import { invalidArgument, expectPositiveInt } from '../../util/validate.js';

/**
 * The distributed backend: the same VectorStore contract on a Milvus (≥ 2.3) server. Milvus loads
 * only indexed collections, so every space collection carries an HNSW index from the start (there is
 * no exact mode) and `optimize()` only flushes. Path globs are post-filtered (Milvus expressions have
 * no regex over arrays); full-text search (hybrid queries) is not offered: `searchText` throws UNSUPPORTED.
 * Tag and location changes are partial upserts on Milvus ≥ 2.6.2 and whole-row rewrites before (the server
 * version is read when the store opens). CI runs the conformance suite, a 20,000-item paging test and the CLI,
 * server and distributed tests against the `milvus` wheel's Milvus 2.3.5 (test/helpers/milvus-server.ts), and the
 * suite against Milvus Lite 3.2.2.
 */
export interface MilvusStoreOptions {
  /** `host:port` of the Milvus server. */
  address: string;
  token?: string;
  database?: string;
  /** Prefix of every collection name, so several Rosetta collections can share one server. Default `rosetta_`. */
  prefix?: string;
  /** HNSW search breadth; default 64. */
  ef?: number;
  /**
   * Rewrite whole rows (vectors included) on tag and location changes even where the server could do partial
   * upserts: what Milvus < 2.6.2 always gets. Lets the tests cover both paths against one server.
   */
  fullRewrite?: boolean;
}

type Row = Record<string, unknown>;
const STRONG = 0 as ConsistencyLevelEnum.Strong; // ConsistencyLevelEnum.Strong, without loading the SDK
/**
 * Asks for a page in primary-key order (the query parameter the SDK's query iterator sends). Paging by key needs
 * each page to be the smallest keys above the last one: Milvus answers so; Milvus Lite 3.x returns storage
 * order without it, and a key-paged read then skipped rows (6,000 items listed as 4,096).
 */
const KEY_ORDER = { iterator: true };

const q = (s: string) => JSON.stringify(s);
const inList = (values: readonly string[]) => `[${values.map(q).join(', ')}]`;

/** A space collection's rows for a segment's vectors, with the item's filter columns beside each. */
const vectorRows = (
  list: VectorRecord[],
  kindOf: Map<string, string>,
  spaceVersion: SpaceTableInfo['version'],
  cols: ReturnType<typeof itemColumns>,
) =>
  list.map((v) => ({
    segment_id: v.segmentId,
    kind: kindOf.get(v.segmentId),
    space_version: spaceVersion,
    vector: Array.from(v.vector),
    ...cols,
  }));

/** Milvus boolean expression for the filter fields it can evaluate; the glob is left to a post-filter. */
export function milvusExpr(filter: SearchFilter | undefined, hasKind: boolean): string | undefined {
  if (!filter) return undefined;
  const parts: string[] = [];
  if (filter.modality) parts.push(filter.modality.length ? `modality in ${inList(filter.modality)}` : 'false');
  if (filter.kinds && hasKind) parts.push(filter.kinds.length ? `kind in ${inList(filter.kinds)}` : 'false');
  if (filter.minSize !== undefined) parts.push(`size >= ${Number(filter.minSize)}`);
  if (filter.maxSize !== undefined) parts.push(`size <= ${Number(filter.maxSize)}`);
  if (filter.after !== undefined) parts.push(`mtime_ms >= ${Number(filter.after)}`);
  if (filter.before !== undefined) parts.push(`mtime_ms < ${Number(filter.before)}`);
  if (filter.tags?.length) parts.push(`array_contains_all(tags, ${inList(filter.tags)})`);
  return parts.length ? parts.join(' and ') : undefined;
}

/** Opens a Milvus-backed store, creating its collections when missing. */
export async function openMilvusStore(options: MilvusStoreOptions): Promise<MilvusStore> {
  if (!options || typeof options.address !== 'string' || !options.address)
    throw invalidArgument('address', 'a Milvus host:port', options?.address);
  const store = new MilvusStore(options);
  await store.init();
  return store;
}

export class MilvusStore implements VectorStore {
  readonly kind = 'milvus' as const;
  private readonly client: MilvusClient;
  private readonly queue = new WriteQueue();
  private readonly prefix: string;
  private readonly versions = new Map<string, SpaceTableInfo>();
  /** The server's version as it reports it (`v2.6.3`), read when the store opens. */
  serverVersion: string | undefined;
  /** Whether tag and location changes use partial upserts (Milvus ≥ 2.6.2) rather than whole-row rewrites. */
  partialUpdates = false;

  constructor(private readonly options: MilvusStoreOptions) {
    this.prefix = options.prefix ?? 'rosetta_';
    this.client = new (milvusSdk().MilvusClient)({ address: options.address, token: options.token, database: options.database });
    // The client starts connecting at once; init() awaits and reports that attempt, which must never be an unhandled rejection.
    this.client.connectPromise.catch(() => undefined);
  }

  private get items() {
    return `${this.prefix}items`;
  }
  private get segments() {
    return `${this.prefix}segments`;
  }
  private vectorsOf(spaceId: string) {
    return vectorTableName(spaceId, 'milvus', this.prefix);
  }

  /** @internal */
  async init(): Promise<void> {
    await this.call('connect', () => this.client.connectPromise);
    // A server too old to answer GetVersion is treated as one without partial upserts.
    this.serverVersion = await this.client.getVersion().then(
      (r) => r.version,
      () => undefined,
    );
    this.partialUpdates = !this.options.fullRewrite && supportsPartialUpdate(this.serverVersion);
    await Promise.all([
      this.ensureCollection(this.items, itemsSchema(), '_v', 'FLAT', 'L2', ''),
      this.ensureCollection(this.segments, segmentsSchema(), '_v', 'FLAT', 'L2', ''),
    ]);
    const listed = await this.call('list collections', () => this.client.showCollections());
    for (const c of listed.data) {
      if (!c.name.startsWith(`${this.prefix}vectors_`)) continue;
      const described = await this.client.describeCollection({ collection_name: c.name });
      const info = JSON.parse(described.schema.description || '{}') as Partial<SpaceTableInfo>;
      if (info.spaceId) this.versions.set(info.spaceId, info as SpaceTableInfo);
    }
  }

  /** Where this store lives, for distributed workers (the token is left out: each worker brings its own). */
  get target(): { address: string; database?: string; prefix: string } {
    return { address: this.options.address, database: this.options.database, prefix: this.prefix };
  }

  spaceVersion(spaceId: string): string | undefined {
    return this.versions.get(spaceId)?.version;
  }

  async getItem(hash: string): Promise<ItemRecord | undefined> {
    return (await this.queryItems(`hash == ${q(hash)}`, 1))[0];
  }

  async getItemByLocation(location: string): Promise<ItemRecord | undefined> {
    return (await this.queryItems(`array_contains(locations, ${q(location)})`)).sort((a, b) => b.indexedAt - a.indexedAt)[0];
  }

  async listItems(filter?: SearchFilter, limit?: number): Promise<ItemRecord[]> {
    // An empty list of modalities or kinds matches nothing (Milvus has no `false` literal to say so).
    if (filter?.modality?.length === 0 || filter?.kinds?.length === 0) return [];
    const expr = milvusExpr(filter, false) ?? 'hash != ""';
    let found: ItemRecord[];
    if (filter?.kinds) {
      const segs = await this.query(this.segments, `kind in ${inList(filter.kinds)}`, ['item_hash']);
      const hashes = [...new Set(segs.map((r) => String(r.item_hash)))];
      found = [];
      for (let i = 0; i < hashes.length; i += MAX_LIST)
        found.push(...(await this.queryItems(`(${expr}) and hash in ${inList(hashes.slice(i, i + MAX_LIST))}`)));
    } else found = await this.queryItems(expr);
    if (filter?.pathGlob) {
      const m = locationMatcher(filter.pathGlob);
      found = found.filter((i) => m(i.locations));
    }
    found.sort((a, b) => (a.hash < b.hash ? -1 : 1));
    return limit !== undefined ? found.slice(0, expectPositiveInt('limit', limit)) : found;
  }

  async countItems(): Promise<number> {
    const res = await this.call('count', () => this.client.count({ collection_name: this.items }));
    return Number(res.data);
  }

  async getSegments(ids: string[]): Promise<SegmentRecord[]> {
    if (!ids.length) return [];
    const rows: Row[] = [];
    for (let i = 0; i < ids.length; i += MAX_LIST)
      rows.push(...(await this.query(this.segments, `id in ${inList(ids.slice(i, i + MAX_LIST))}`, ['record'])));
    const byId = new Map(rows.map((r) => [String((r.record as SegmentRecord).id), r.record as SegmentRecord]));
    return ids.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
  }

  async getItemSegments(itemHash: string): Promise<SegmentRecord[]> {
    const rows = await this.query(this.segments, `item_hash == ${q(itemHash)}`, ['record']);
    return rows.map((r) => r.record as SegmentRecord).sort((a, b) => (a.kind === b.kind ? a.index - b.index : a.kind < b.kind ? -1 : 1));
  }

  async getItems(hashes: string[]): Promise<ItemRecord[]> {
    const byHash = new Map<string, ItemRecord>();
    for (let i = 0; i < hashes.length; i += MAX_LIST) {
      for (const item of await this.queryItems(`hash in ${inList(hashes.slice(i, i + MAX_LIST))}`)) byHash.set(item.hash, item);
    }
    return hashes.flatMap((h) => (byHash.has(h) ? [byHash.get(h)!] : []));
  }

  /**
   * Milvus has no multi-collection transaction. A batch is written collection by collection in a few large
   * upserts (segments, then each space's vectors, then the item rows last, so an item row is never stored
   * before its segments and vectors), and the rows of each item that are no longer present are deleted by key.
   * A batch cut short leaves no item row of its own, only rows the next commit of those items replaces.
   */
  async commitItems(commits: ItemCommit[]): Promise<void> {
    validateCommits(commits);
    if (commits.length <= 1) {
      for (const c of commits) await this.commitItem(c.item, c.segments, c.vectors, c.spaces);
      return;
    }
    return this.queue.run(async () => {
      const hashes = commits.map((c) => c.item.hash);
      const segmentRows: Row[] = [];
      const vectorRows = new Map<string, { space: SpaceTableInfo; rows: Row[] }>();
      for (const { item, segments, vectors, spaces } of commits) {
        const cols = itemColumns(item);
        const kindOf = new Map(segments.map((s) => [s.id, s.kind]));
        for (const s of segments) segmentRows.push({ id: s.id, kind: s.kind, record: s, ...cols, _v: [0, 0] });
        for (const [spaceId, list] of Object.entries(vectors)) {
          const space = spaces.find((x) => x.spaceId === spaceId)!;
          const entry = vectorRows.get(spaceId) ?? { space, rows: [] };
          vectorRows.set(spaceId, entry);
          for (const v of list)
            entry.rows.push({
              segment_id: v.segmentId,
              kind: kindOf.get(v.segmentId),
              space_version: space.version,
              vector: Array.from(v.vector),
              ...cols,
            });
        }
      }
      const present = new Set(segmentRows.map((r) => String(r.id)));
      await this.replaceMany(this.segments, 'id', hashes, present, segmentRows);
      for (const { space, rows } of vectorRows.values())
        await this.replaceMany(await this.ensureSpace(space), 'segment_id', hashes, present, rows);
      // A space an item no longer has vectors in keeps none of its rows (as commitItem does for the spaces it is given).
      await this.upsertChunked(
        this.items,
        commits.map((c) => ({ ...itemRowPatch(c.item), _v: [0, 0] })),
      );
    });
  }

  async commitItem(
    item: ItemRecord,
    segments: SegmentRecord[],
    vectors: Record<string, VectorRecord[]>,
    spaces: SpaceTableInfo[],
  ): Promise<void> {
    validateCommit({ item, segments, vectors, spaces });
    const segIds = new Set(segments.map((s) => s.id));
    return this.queue.run(async () => {
      const cols = itemColumns(item);
      const kindOf = new Map(segments.map((s) => [s.id, s.kind]));
      const own = `item_hash == ${q(item.hash)}`;
      const notIn = (field: string) => (segIds.size ? `${own} and ${field} not in ${inList([...segIds])}` : own);
      await this.replace(
        this.segments,
        notIn('id'),
        segments.map((s) => ({ id: s.id, kind: s.kind, record: s, ...cols, _v: [0, 0] })),
      );
      for (const [spaceId, list] of Object.entries(vectors)) {
        const space = spaces.find((s) => s.spaceId === spaceId)!;
        const name = await this.ensureSpace(space);
        await this.replace(name, notIn('segment_id'), vectorRows(list, kindOf, space.version, cols));
      }
      await this.replace(this.items, undefined, [{ ...itemRowPatch(item), _v: [0, 0] }]);
    });
  }

  addSegments(
    itemHash: string,
    segments: SegmentRecord[],
    vectors: Record<string, VectorRecord[]>,
    spaces: SpaceTableInfo[],
  ): Promise<void> {
    try {
      validateSegmentTimes(segments);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.queue.run(async () => {
      const item = await this.getItem(itemHash);
      if (!item) throw invalidArgument('itemHash', 'the hash of a stored item', itemHash);
      if (!segments.length) return;
      const cols = itemColumns(item);
      const kindOf = new Map(segments.map((s) => [s.id, s.kind]));
      await this.replace(
        this.segments,
        undefined,
        segments.map((s) => ({ id: s.id, kind: s.kind, record: s, ...cols, _v: [0, 0] })),
      );
      for (const space of spaces) {
        const name = await this.ensureSpace(space);
        const list = vectors[space.spaceId] ?? [];
        const withVector = new Set(list.map((v) => v.segmentId));
        const dropped = segments.filter((s) => !withVector.has(s.id)).map((s) => s.id);
        await this.replace(
          name,
          dropped.length ? `segment_id in ${inList(dropped)}` : undefined,
          vectorRows(list, kindOf, space.version, cols),
        );
      }
    });
  }

  /** Not offered by this backend: a hybrid query on a Milvus collection fails instead of silently dropping its keywords. */
  async searchText(_query: string, _options: { k: number; filter?: SearchFilter }): Promise<VectorHit[]> {
    throw unsupported(
      'Milvus',
      'full-text search (hybrid keyword queries)',
      'search without --hybrid, or use the embedded LanceDB store, which has a full-text index',
    );
  }

  /**
   * Changes an item's locations, tags, metadata or mtime. On Milvus ≥ 2.6.2 its segment and vector rows get a
   * partial upsert of the item's columns (only their keys are read; no vector is read or sent); older servers
   * get the whole rows read back and rewritten with the new columns, vectors included.
   */
  updateItem(hash: string, patch: Partial<Pick<ItemRecord, 'locations' | 'tags' | 'meta' | 'mtimeMs' | 'spaces'>>): Promise<void> {
    return this.queue.run(async () => {
      const prev = await this.getItem(hash);
      if (!prev) throw invalidArgument('hash', 'the hash of a stored item', hash);
      const next: ItemRecord = { ...prev, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) };
      const own = `item_hash == ${q(hash)}`;
      const rowsOfItem: [string, string][] = [
        [this.segments, 'id'],
        ...[...this.versions.keys()].map((s): [string, string] => [this.vectorsOf(s), 'segment_id']),
      ];
      if (this.partialUpdates) {
        for (const [name, key] of rowsOfItem) {
          const keys = (await this.query(name, own, [key])).map((r) => String(r[key]));
          if (keys.length) await this.upsertPartial(name, columnPatchRows(key, keys, next));
        }
        await this.upsertPartial(this.items, [itemRowPatch(next)]);
        return;
      }
      const cols = itemColumns(next);
      for (const [name] of rowsOfItem) {
        const rows = await this.query(name, own, ['*']);
        if (rows.length)
          await this.replace(
            name,
            undefined,
            rows.map((r) => ({ ...r, ...cols })),
          );
      }
      await this.replace(this.items, undefined, [{ ...itemRowPatch(next), _v: [0, 0] }]);
    });
  }

  removeItem(hash: string): Promise<void> {
    return this.queue.run(async () => {
      for (const spaceId of this.versions.keys())
        await this.call('delete', () =>
          this.client.delete({ collection_name: this.vectorsOf(spaceId), filter: `item_hash == ${q(hash)}` }),
        );
      await this.call('delete', () => this.client.delete({ collection_name: this.segments, filter: `item_hash == ${q(hash)}` }));
      await this.call('delete', () => this.client.delete({ collection_name: this.items, filter: `hash == ${q(hash)}` }));
    });
  }

  async search(space: SpaceTableInfo, vector: Float32Array, options: { k: number; filter?: SearchFilter }): Promise<VectorHit[]> {
    const k = expectPositiveInt('k', options.k, 16_384);
    if (!(vector instanceof Float32Array) || vector.length !== space.dim)
      throw invalidArgument('vector', `a Float32Array of length ${space.dim}`, vector?.length);
    if (this.versions.get(space.spaceId)?.version !== space.version) return [];
    if (options.filter?.modality?.length === 0 || options.filter?.kinds?.length === 0) return [];
    const expr = milvusExpr(options.filter, true);
    const match = options.filter?.pathGlob ? locationMatcher(options.filter.pathGlob) : undefined;
    for (let fetch = match ? k * 4 : k; ; fetch = Math.min(fetch * 4, 16_384)) {
      const res = await this.call('search', () =>
        this.client.search({
          collection_name: this.vectorsOf(space.spaceId),
          anns_field: 'vector',
          data: Array.from(vector),
          limit: fetch,
          filter: expr,
          output_fields: ['segment_id', 'item_hash', 'locations'],
          metric_type: 'IP',
          params: { ef: Math.max(fetch, this.options.ef ?? 64) },
          consistency_level: STRONG,
        }),
      );
      const rows = res.results as unknown as Row[];
      const kept = match ? rows.filter((r) => match(r.locations as string[])) : rows;
      if (kept.length >= k || rows.length < fetch || fetch === 16_384) {
        return kept.slice(0, k).map((r) => ({ segmentId: String(r.segment_id), itemHash: String(r.item_hash), score: Number(r.score) }));
      }
    }
  }

  async optimize(): Promise<void> {
    await this.queue.drain();
    const names = [this.items, this.segments, ...[...this.versions.keys()].map((s) => this.vectorsOf(s))];
    await this.call('flush', () => this.client.flushSync({ collection_names: names }));
  }

  async *scanVectors(space: Pick<SpaceTableInfo, 'spaceId' | 'version'>): AsyncGenerator<VectorRecord[]> {
    if (this.versions.get(space.spaceId)?.version !== space.version) return;
    const name = this.vectorsOf(space.spaceId);
    const page = async (after: string | undefined, size: number) =>
      (
        await this.call('query', () =>
          this.client.query({
            collection_name: name,
            filter: pageExpr('segment_id != ""', 'segment_id', after),
            output_fields: ['segment_id', 'item_hash', 'vector'],
            limit: size,
            consistency_level: STRONG,
            params: KEY_ORDER,
          }),
        )
      ).data as Row[];
    for await (const rows of pagesByKey(page, (r) => String(r.segment_id))) {
      yield rows.map((r) => ({
        segmentId: String(r.segment_id),
        itemHash: String(r.item_hash),
        vector: Float32Array.from(r.vector as number[]),
      }));
    }
  }

  async close(): Promise<void> {
    await this.queue.drain();
    await this.client.closeConnection();
  }

  private async ensureSpace(space: SpaceTableInfo): Promise<string> {
    const name = this.vectorsOf(space.spaceId);
    const known = this.versions.get(space.spaceId);
    if (known && known.version === space.version && known.dim === space.dim) return name;
    if (known) await this.call('drop collection', () => this.client.dropCollection({ collection_name: name }));
    await this.ensureCollection(name, vectorsSchema(space.dim), 'vector', 'HNSW', 'IP', JSON.stringify(space), {
      M: 16,
      efConstruction: 200,
    });
    this.versions.set(space.spaceId, { ...space });
    return name;
  }

  private async ensureCollection(
    name: string,
    fields: FieldType[],
    vectorField: string,
    indexType: string,
    metric: string,
    description: string,
    params?: Row,
  ): Promise<void> {
    const has = await this.call('has collection', () => this.client.hasCollection({ collection_name: name }));
    if (!has.value) {
      await this.call('create collection', () =>
        this.client.createCollection({ collection_name: name, fields, description, consistency_level: 'Strong' }),
      );
      await this.call('create index', () =>
        this.client.createIndex({
          collection_name: name,
          field_name: vectorField,
          index_type: indexType,
          metric_type: metric,
          params: params as never,
        }),
      );
    }
    // Load and wait, polling more often than the SDK's loadCollectionSync (400 ms): a new collection loads in well under a second.
    await this.call('load collection', () => this.client.loadCollection({ collection_name: name }));
    for (let wait = 50; ; wait = Math.min(wait * 2, 400)) {
      const progress = await this.call('load collection', () => this.client.getLoadingProgress({ collection_name: name }));
      if (Number(progress.progress ?? 0) >= 100) return;
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  /** Milvus merges each row into the stored row with the same key: fields left out keep their values. */
  private async upsertPartial(name: string, rows: Row[]): Promise<void> {
    await this.call('partial upsert', () => this.client.upsert({ collection_name: name, data: rows as never[], partial_update: true }));
  }

  /** Upserts in pieces the server accepts (a gRPC message is at most 64 MiB by default). */
  private async upsertChunked(name: string, rows: Row[]): Promise<void> {
    for (let i = 0; i < rows.length;) {
      let bytes = 0;
      let j = i;
      while (j < rows.length && (j === i || bytes < 16 * 1024 * 1024) && j - i < 10_000) {
        bytes += JSON.stringify(rows[j]).length;
        j += 1;
      }
      const part = rows.slice(i, j);
      await this.call('upsert', () => this.client.upsert({ collection_name: name, data: part as never[] }));
      i = j;
    }
  }

  /** Upserts the rows of several items, then deletes those items' stored rows whose key is not among `present`. */
  private async replaceMany(name: string, key: string, hashes: string[], present: Set<string>, rows: Row[]): Promise<void> {
    await this.upsertChunked(name, rows);
    const stale: string[] = [];
    for (let i = 0; i < hashes.length; i += MAX_LIST) {
      for (const r of await this.query(name, `item_hash in ${inList(hashes.slice(i, i + MAX_LIST))}`, [key]))
        if (!present.has(String(r[key]))) stale.push(String(r[key]));
    }
    for (let i = 0; i < stale.length; i += MAX_LIST) {
      const part = stale.slice(i, i + MAX_LIST);
      await this.call('delete', () => this.client.delete({ collection_name: name, filter: `${key} in ${inList(part)}` }));
    }
  }

  /** Upserts rows, then deletes the rows matched by `stale` (the item's rows that are no longer present). */
  private async replace(name: string, stale: string | undefined, rows: Row[]): Promise<void> {
    if (rows.length) await this.call('upsert', () => this.client.upsert({ collection_name: name, data: rows as never[] }));
    if (stale) await this.call('delete', () => this.client.delete({ collection_name: name, filter: stale }));
  }

  /** Every row `expr` matches (paged by primary key, no cap), or the first `limit`. */
  private async query(name: string, expr: string, fields: string[], limit?: number): Promise<Row[]> {
    const key = name === this.items ? 'hash' : name === this.segments ? 'id' : 'segment_id';
    const output = fields.includes('*') || fields.includes(key) ? fields : [...fields, key];
    const page = async (after: string | undefined, size: number) => {
      const res = await this.call('query', () =>
        this.client.query({
          collection_name: name,
          filter: pageExpr(expr, key, after),
          output_fields: output,
          limit: size,
          consistency_level: STRONG,
          params: KEY_ORDER,
        }),
      );
      return res.data as Row[];
    };
    if (limit !== undefined && limit <= 4096) return page(undefined, limit);
    const rows = await readAllByKey(page, (r) => String(r[key]));
    return limit !== undefined ? rows.slice(0, limit) : rows;
  }

  private async queryItems(expr: string, limit?: number): Promise<ItemRecord[]> {
    return (await this.query(this.items, expr, ['record'], limit)).map((r) => r.record as ItemRecord);
  }

  private async call<T extends { status?: { error_code?: string | number; reason?: string } } | unknown>(
    op: string,
    fn: () => Promise<T>,
  ): Promise<T> {
    let res: T;
    try {
      res = await fn();
    } catch (cause) {
      const text = describeMilvusError(cause);
      const unreachable = /UNAVAILABLE|ECONNREFUSED|DEADLINE|connect/i.test(text);
      throw new RosettaError(
        unreachable ? ErrorCodes.STORE_UNREACHABLE : ErrorCodes.STORE_FAILED,
        `Milvus at ${this.options.address} failed during ${op}: ${text.split('\n')[0]}`,
        {
          file: this.options.address,
          hint: unreachable
            ? 'check that the Milvus server is running and the address and token are right'
            : 'check the Milvus server logs',
          cause,
        },
      );
    }
    // Most replies nest the status; ResStatus replies (create, load, drop) are the status itself.
    const status =
      (res as { status?: { error_code?: string | number; reason?: string } })?.status ??
      (res as { error_code?: string | number; reason?: string } | undefined);
    if (status && status.error_code !== undefined && status.error_code !== 'Success' && status.error_code !== 0) {
      throw new RosettaError(ErrorCodes.STORE_FAILED, `Milvus at ${this.options.address} refused ${op}: ${describeMilvusError(status)}`, {
        file: this.options.address,
        hint: 'check the Milvus server version (≥ 2.3) and logs',
      });
    }
    return res;
  }
}
