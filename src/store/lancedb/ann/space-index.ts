import { setImmediate as nextTick } from 'node:timers/promises';
import type * as lancedb from '@lancedb/lancedb';
import type { SpaceTableInfo, VectorHit } from '../../vector-store.js';
import { sqlString } from '../filter-sql.js';
import { startBuild, type RunningBuild } from './build.js';
import { annDir, IndexFileProblem, readIndexFiles, readManifest, removeIndexFiles, writeIndexFiles } from './index-files.js';
import { KeyMap } from './key-map.js';
import { checkSample } from './sample-check.js';
import { KEY_COLUMN, newRowKeys } from './row-keys.js';
import type { AnnSettings } from './settings.js';
import { rowsByKeys, scanKeys, streamRows, type RowBlock } from './table-rows.js';
import { ADD_CHUNK, UsearchGraph } from './usearch-graph.js';

/**
 * - `none`: no index (the table is below the threshold, or nothing asked for one yet): search is LanceDB's.
 * - `loading`: reading the index file and catching up; searches wait for it (seconds).
 * - `building`: a worker is building from scratch; searches use LanceDB meanwhile (exact or its own index).
 * - `ready`: the graph holds exactly the table's rows.
 * - `failed`: the last build failed (`reason`); LanceDB answers; `optimize()` tries again.
 */
export type AnnState = 'none' | 'loading' | 'building' | 'ready' | 'failed';

export interface AnnStatus {
  spaceId: string;
  state: AnnState;
  /** Vectors in the graph. */
  size: number;
  /** Why the index was (re)built or why it failed. */
  reason?: string;
  /** What happened to the index since the store opened, oldest first ('loaded', 'built: <reason>', 'caught up: +3 −1'). */
  events: string[];
}

export interface AnnHost {
  collectionDir: string;
  settings: AnnSettings;
  /** Rows from which a table gets an index. */
  threshold: number;
  /** How often (ms) a search checks whether another process wrote to the table. */
  followWritesMs: number;
  /** Runs `fn` with no store write before it finishes (the store's write queue). */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
}

/** Missing rows above this (and above half the table) are rebuilt from scratch rather than caught up. */
const REBUILD_MISSING = 100_000;
/** Missing rows up to this are fetched by key; more are found by one pass over the table. */
const FETCH_BY_KEY = 5_000;
/**
 * A filtered graph search asks for this many times the candidates that would hold k allowed rows. At 1M rows a
 * 10 % filter kept recall@10 0.941 with 4× and needed more (BENCHMARKS.md, "round four"): the allowed rows'
 * nearest lie deep in the graph's candidate list, where an HNSW graph's order is least exact.
 */
const FILTER_OVERSAMPLING = 8;
/** A filtered graph search asks for at most this many candidates before scanning exactly. */
export const MAX_CANDIDATES = 4096;

/**
 * The ANN index of one space's vector table: loads or builds it, keeps it in step with every write,
 * and answers nearest-neighbour queries only when it holds exactly the table's rows.
 */
export class SpaceIndex {
  private state: AnnState = 'none';
  private graph?: UsearchGraph;
  private keys?: KeyMap;
  private pending?: Promise<void>;
  private build?: RunningBuild;
  /** Bumped when the table is re-created: work started before then is dropped. */
  private epoch = 0;
  private dirty = false;
  private rows = 0;
  private reason?: string;
  private readonly events: string[] = [];
  /** The table version the graph matches (after a catch-up or this process's own writes), and when that was last compared. */
  private syncedVersion = -1;
  private checkedAt = 0;
  /** Bumped on every write to the table (filter caches compare it). */
  generation = 0;

  constructor(
    private readonly host: AnnHost,
    private space: SpaceTableInfo,
    private table: lancedb.Table,
    readonly tableName: string,
  ) {}

  get dir(): string {
    return annDir(this.host.collectionDir, this.tableName);
  }

  get dim(): number {
    return this.space.dim;
  }

  status(): AnnStatus {
    return { spaceId: this.space.spaceId, state: this.state, size: this.graph?.size ?? 0, reason: this.reason, events: [...this.events] };
  }

  /** Starts loading the index file (or building one when the table is large enough); returns without waiting. */
  async open(): Promise<void> {
    this.rows = await this.table.countRows();
    try {
      if (readManifest(this.dir)) this.beginLoad();
      else if (this.rows >= this.host.threshold) await this.buildFresh('no index file', false);
    } catch (error) {
      await this.buildFresh(error instanceof Error ? error.message : String(error), false);
    }
  }

  /**
   * True when the graph can answer now; waits for a load in progress, not for a build. When another
   * process (the CLI beside a server) wrote to the table since, catches up first.
   */
  async usable(): Promise<boolean> {
    while (this.state === 'loading') await this.pending;
    if (this.state === 'ready' && Date.now() - this.checkedAt >= this.host.followWritesMs) {
      this.checkedAt = Date.now();
      if ((await this.table.version()) !== this.syncedVersion && this.state === 'ready') {
        const [graph, keys, epoch] = [this.graph!, this.keys!, this.epoch];
        this.state = 'loading';
        this.pending = this.host
          .exclusive(() => this.catchUp(graph, keys, epoch, "followed another process's writes"))
          .catch((error: Error) => {
            if (epoch === this.epoch) {
              this.state = 'failed';
              this.reason = `catching up failed: ${error.message}`;
            }
          });
        while (this.state === 'loading') await this.pending;
      }
    }
    return this.state === 'ready';
  }

  /** Stops using the graph (LanceDB answers) until `optimize()` rebuilds it. */
  fail(reason: string): void {
    if (this.state !== 'ready') return;
    this.state = 'failed';
    this.reason = reason;
    this.graph = undefined;
    this.keys = undefined;
    this.events.push(reason);
  }

  /** Called at the end of each of this process's writes (the graph followed them): the table version it now matches. */
  async markSynced(): Promise<void> {
    if (this.state === 'ready') this.syncedVersion = await this.table.version();
  }

  /** The `k` nearest rows (by the graph), optionally only among `allowed` keys; scores are cosines. */
  nearest(vector: Float32Array, k: number, allowed?: Set<number>): VectorHit[] {
    const graph = this.graph!;
    const keys = this.keys!;
    const total = graph.size;
    // Restricted to `allowed`, ask for FILTER_OVERSAMPLING× the candidates that would hold k allowed rows if they
    // were spread evenly.
    const over = FILTER_OVERSAMPLING;
    let wanted = allowed ? Math.min(total, Math.max(over * k, Math.ceil((k * total * over) / Math.max(1, allowed.size)))) : k;
    for (;;) {
      const found = graph.search(vector, Math.max(1, wanted));
      const hits: VectorHit[] = [];
      for (let i = 0; i < found.keys.length && hits.length < k; i++) {
        const key = found.keys[i];
        if (allowed && !allowed.has(key)) continue;
        const row = keys.get(key);
        if (row) hits.push({ segmentId: row.segmentId, itemHash: row.itemHash, score: 1 - found.distances[i] });
      }
      const cap = allowed ? Math.min(total, MAX_CANDIDATES) : total;
      if (hits.length >= k || found.keys.length < wanted || wanted >= cap) return hits;
      wanted = Math.min(cap, wanted * 4);
    }
  }

  /**
   * Called inside the write that changed the table: `removed` keys are gone from it, `added` rows are
   * in it. A ready graph follows; otherwise a load or build in progress catches up when it finishes.
   */
  async afterWrite(removed: number[], added?: RowBlock): Promise<void> {
    this.generation += 1;
    this.rows += (added?.keys.length ?? 0) - removed.length;
    if (this.state === 'ready') {
      const gone = removed.filter((k) => this.keys!.delete(k));
      this.graph!.remove(gone);
      if (added) await this.addRows(this.graph!, this.keys!, added);
      this.dirty = true;
    } else if (this.state === 'none' && this.rows >= this.host.threshold) {
      await this.buildFresh(`the table reached ${this.rows} rows`, true);
    }
  }

  /** Makes sure a large enough table has a ready index (building it now if needed), then saves unsaved changes. */
  async settle(): Promise<void> {
    if (this.state === 'none' || this.state === 'failed') {
      this.rows = await this.table.countRows();
      if (this.rows >= this.host.threshold)
        await this.buildFresh(this.state === 'failed' ? `retry after: ${this.reason}` : `the table reached ${this.rows} rows`, false);
    }
    await this.idle();
    await this.host.exclusive(() => this.save());
  }

  /** Builds the index from scratch now, whatever the table's size, and waits for it. */
  async rebuild(reason: string): Promise<void> {
    if (this.build) await this.build.cancel();
    this.build = undefined;
    this.state = 'none';
    this.rows = await this.table.countRows();
    await this.buildFresh(reason, false);
    await this.idle();
  }

  /** The space's table was dropped and re-created (new model version): forget the index and its files. */
  async reset(space: SpaceTableInfo, table: lancedb.Table): Promise<void> {
    this.epoch += 1;
    if (this.build) await this.build.cancel();
    this.build = undefined;
    this.space = { ...space };
    this.table = table;
    this.graph = undefined;
    this.keys = undefined;
    this.state = 'none';
    this.rows = 0;
    this.dirty = false;
    this.generation += 1;
    this.reason = `new space version ${space.version}`;
    this.events.push(`reset: ${this.reason}`);
    removeIndexFiles(this.dir);
  }

  /** Saves a changed ready index (inside the write queue). */
  async save(): Promise<void> {
    if (this.state !== 'ready' || !this.dirty) return;
    await writeIndexFiles(this.dir, this.graph!, this.keys!, {
      spaceId: this.space.spaceId,
      spaceVersion: this.space.version,
      dim: this.space.dim,
      quantization: this.host.settings.quantization,
      connectivity: this.host.settings.connectivity,
      expansionAdd: this.host.settings.expansionAdd,
      tableVersion: await this.table.version(),
    });
    this.dirty = false;
    this.events.push('saved');
  }

  async close(): Promise<void> {
    this.epoch += 1;
    if (this.build) await this.build.cancel();
    await this.pending?.catch(() => undefined);
  }

  private async idle(): Promise<void> {
    for (let p = this.pending; p; p = this.pending === p ? undefined : this.pending) await p.catch(() => undefined);
  }

  private beginLoad(): void {
    const epoch = this.epoch;
    this.state = 'loading';
    this.pending = (async () => {
      try {
        const loaded = await readIndexFiles(this.dir, this.identity(), this.host.settings);
        if (epoch !== this.epoch) return;
        if (!loaded) {
          await this.buildFresh('no index file', false);
          return;
        }
        await checkSample(this.table, this.space.dim, loaded, this.host.settings.quantization);
        if (epoch !== this.epoch) return;
        await this.host.exclusive(() => this.catchUp(loaded.graph, loaded.keys, epoch, 'loaded'));
      } catch (error) {
        if (epoch !== this.epoch) return;
        this.state = 'none';
        await this.buildFresh(
          error instanceof IndexFileProblem ? error.message : `the index did not load: ${(error as Error).message}`,
          false,
        );
      }
    })();
  }

  /**
   * Indexes the table from scratch: a small one on this thread (inside the write queue: `inQueue` says the
   * caller already holds it), a large one in a worker thread while LanceDB answers searches.
   */
  private async buildFresh(reason: string, inQueue: boolean): Promise<void> {
    if (this.rows * this.space.dim > this.host.settings.workerBuildFloats) {
      this.beginBuild(reason);
      return;
    }
    const epoch = this.epoch;
    this.state = 'loading';
    this.reason = reason;
    const run = () =>
      this.catchUp(UsearchGraph.create(this.space.dim, this.host.settings), new KeyMap(), epoch, `built: ${reason}`).catch(
        (error: Error) => {
          if (epoch !== this.epoch) return;
          this.state = 'failed';
          this.reason = `build failed: ${error.message}`;
          this.events.push(this.reason);
        },
      );
    if (inQueue) await run();
    else this.pending = this.host.exclusive(run);
  }

  private beginBuild(reason: string): void {
    if (this.state === 'building') return;
    const epoch = this.epoch;
    this.state = 'building';
    this.reason = reason;
    this.graph = undefined;
    this.keys = undefined;
    const build = startBuild({
      collectionDir: this.host.collectionDir,
      tableName: this.tableName,
      identity: this.identity(),
      settings: this.host.settings,
      outDir: this.dir,
    });
    this.build = build;
    this.pending = (async () => {
      try {
        await build.done;
        if (epoch !== this.epoch) return;
        this.build = undefined;
        const loaded = await readIndexFiles(this.dir, this.identity(), this.host.settings);
        if (!loaded) throw new Error('the build wrote no manifest');
        if (epoch !== this.epoch) return;
        await this.host.exclusive(() => this.catchUp(loaded.graph, loaded.keys, epoch, `built: ${reason}`));
      } catch (error) {
        if (epoch !== this.epoch) return;
        this.build = undefined;
        this.state = 'failed';
        this.reason = `build failed: ${(error as Error).message}`;
        this.events.push(this.reason);
      }
    })();
  }

  private identity() {
    return { spaceId: this.space.spaceId, spaceVersion: this.space.version, dim: this.space.dim };
  }

  /**
   * Brings a loaded graph to exactly the table's rows (inside the write queue): compares the table's key
   * column with the graph's keys, removes keys the table no longer has and adds rows it does not hold yet.
   */
  private async catchUp(graph: UsearchGraph, keys: KeyMap, epoch: number, what: string, rekeyed = false): Promise<void> {
    const tableKeys = await scanKeys(this.table);
    const inTable = new Set<number>();
    const repeated: number[] = [];
    for (const k of tableKeys) {
      if (inTable.has(k)) repeated.push(k);
      else inTable.add(k);
    }
    if (repeated.length) {
      if (rekeyed) throw new Error(`rows share keys after re-keying: ${repeated.slice(0, 3).join(', ')}`);
      await this.rekey(repeated);
      return this.catchUp(graph, keys, epoch, what, true);
    }
    const stale: number[] = [];
    for (const k of keys.keys()) if (!inTable.has(k)) stale.push(k);
    const missing: number[] = [];
    for (const k of tableKeys) if (!keys.has(k)) missing.push(k);
    if (missing.length > Math.max(REBUILD_MISSING, tableKeys.length / 2)) {
      this.state = 'none';
      this.rows = tableKeys.length;
      this.beginBuild(`${missing.length} rows missing from the index`);
      return;
    }
    for (const k of stale) keys.delete(k);
    graph.remove(stale);
    if (missing.length <= FETCH_BY_KEY && keys.size > 0) {
      for await (const rows of rowsByKeys(this.table, this.space.dim, missing)) await this.addRows(graph, keys, rows);
    } else {
      const want = new Set(missing);
      for await (const rows of streamRows(this.table, this.space.dim)) await this.addRows(graph, keys, rows, want);
    }
    if (epoch !== this.epoch) return;
    this.graph = graph;
    this.keys = keys;
    this.rows = tableKeys.length;
    this.syncedVersion = await this.table.version();
    this.checkedAt = Date.now();
    this.state = 'ready';
    this.dirty ||= stale.length > 0 || missing.length > 0;
    this.events.push(stale.length || missing.length ? `${what}; caught up: +${missing.length} −${stale.length}` : what);
  }

  /** Gives every row but the first of each shared key a fresh key (a collision, ~never). */
  private async rekey(shared: number[]): Promise<void> {
    for (const key of new Set(shared)) {
      const ids = (await this.table.query().where(`${KEY_COLUMN} = ${key}`).select(['segment_id']).toArray()).map((r) =>
        String(r.segment_id),
      );
      for (const id of ids.slice(1)) {
        await this.table.update({
          where: `${KEY_COLUMN} = ${key} AND segment_id = ${sqlString(id)}`,
          valuesSql: { [KEY_COLUMN]: String(newRowKeys(1)[0]) },
        });
      }
    }
    this.events.push(`re-keyed ${shared.length} rows`);
  }

  /** Adds rows in chunks, yielding between them so searches and I/O are not held up by a long insert. */
  private async addRows(graph: UsearchGraph, keys: KeyMap, rows: RowBlock, only?: Set<number>): Promise<void> {
    const dim = this.space.dim;
    const pick: number[] = [];
    for (let i = 0; i < rows.keys.length; i++) if ((!only || only.has(rows.keys[i])) && !keys.has(rows.keys[i])) pick.push(i);
    for (let start = 0; start < pick.length; start += ADD_CHUNK) {
      const chunk = pick.slice(start, start + ADD_CHUNK);
      const contiguous = chunk.length === rows.keys.length;
      const vectors = contiguous ? rows.vectors : new Float32Array(chunk.length * dim);
      if (!contiguous) chunk.forEach((row, i) => vectors.set(rows.vectors.subarray(row * dim, (row + 1) * dim), i * dim));
      graph.add(
        chunk.map((i) => rows.keys[i]),
        vectors,
        this.host.settings.threads,
      );
      for (const i of chunk) keys.set(rows.keys[i], rows.segmentIds[i], rows.itemHashes[i]);
      if (start + ADD_CHUNK < pick.length) await nextTick();
    }
  }
}
