import { existsSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import type { Space } from '../spaces/space.js';
import type { VectorStore } from '../store/vector-store.js';
import { ProgressCounter, type IndexProgress, type IndexSummary } from './progress.js';
import { walkPaths, type WalkedFile } from './walk.js';
import { ItemCatalog } from './item-catalog.js';
import { Staging } from './staging.js';
import { isComplete, prepareBatch, type PreparedBatch } from './prepare-batch.js';
import { encodeBatch, mergeSameBytes } from './encode-batch.js';
import { BatchCommitter } from './commit-batch.js';
import { indexLargeText } from './large-text.js';
import { batchesOf } from '../util/batches.js';

// The stages, for callers that run them elsewhere (distributed workers): read/hash/detect and decode,
// encode, commit.
export { prepareBatch, isComplete, type PreparedBatch } from './prepare-batch.js';
export { encodeBatch, mergeSameBytes, type EncodeWork, type PendingCommit } from './encode-batch.js';
export { commitAll, BatchCommitter } from './commit-batch.js';
export { hashAndType, decodeForEncoding } from './prepare-file.js';
import { shardOfLocation, splitShards } from '../datasets/shards/shard-sample.js';
import { shardWork } from './shard-work.js';
import { ImageFetcher, type FetchImagesOptions } from './fetch-images.js';

export interface IndexOptions {
  /** Remove items whose files under these paths no longer exist. */
  prune?: boolean;
  /** Tags added to every item indexed by this call (filterable). */
  tags?: string[];
  /** User metadata stored on every item indexed by this call. */
  meta?: Record<string, unknown>;
  onProgress?: (p: IndexProgress) => void;
  signal?: AbortSignal;
  /** Files decoded and encoded together (default 16). */
  batchFiles?: number;
  /** Encoded items written to the store together, at most (default 512; the first writes are smaller). */
  commitItems?: number;
  /** Real paths of the only folders this call may read (the server's roots): links leading out are refused and reported. */
  within?: string[];
  /** How shard samples given by URL are fetched (SSRF guard, retries, per-host limit). */
  fetch?: FetchImagesOptions;
}

export interface IndexContext {
  store: VectorStore;
  spaces: Space[];
  collectionDir: string;
  maxPixels?: number;
  maxInputBytes?: number;
}

/** Batches decoded ahead of the one being encoded. */
const PREPARE_AHEAD = 2;

/**
 * Indexes files and folders: unchanged files are skipped without reading them, same bytes under a
 * new path add a location, changed files are re-encoded, and each item is committed whole (vectors,
 * segments, then the item row) so a killed run resumes with nothing duplicated or lost.
 *
 * The stages overlap: while one batch is encoded, the next ones are read, hashed and decoded (sharp's
 * threads) and earlier ones are written in large batches, so the run is bounded by the model.
 */
export async function indexPaths(ctx: IndexContext, paths: string[], options: IndexOptions = {}): Promise<IndexSummary> {
  const walked = await walkPaths(paths, { exclude: [ctx.collectionDir], within: options.within });
  const { problems } = walked;
  // Webdataset tar and parquet files (by content) are shards: their samples are the items, not the file.
  const { shards, files } = await splitShards(walked.files);
  const counter = new ProgressCounter(files.length + problems.length, options.onProgress);
  for (const p of problems) counter.fail(p.path, Object.assign(new Error(p.reason), { code: p.code ?? 'ROSETTA_ERR_MEDIA_UNREADABLE' }));
  counter.report('scan');
  const batchFiles = options.batchFiles ?? 16;
  const catalog = await ItemCatalog.load(ctx.store);
  const staging = new Staging();
  const committer = new BatchCommitter(
    ctx.store,
    catalog,
    counter,
    staging,
    { firstItems: batchFiles, maxItems: options.commitItems ?? 512, maxWaitMs: 3000 },
    options.tags,
  );
  const batches: WalkedFile[][] = [];
  for (const batch of batchesOf(files, batchFiles, 'batchFiles')) batches.push(batch.items);
  // Batches being prepared, oldest first; each is dropped once taken, so decoded pixels do not outlive their batch.
  const prepared: Promise<PreparedBatch>[] = [];
  let started = 0;
  const prepareNext = () => {
    if (started < batches.length) prepared.push(prepareBatch(ctx, catalog, staging, batches[started++], options.tags, counter));
  };
  for (let i = 0; i < PREPARE_AHEAD; i++) prepareNext();
  try {
    for (let i = 0; i < batches.length; i++) {
      options.signal?.throwIfAborted();
      const { work, largeTexts } = await prepared.shift()!;
      prepareNext();
      const pending = await encodeBatch(ctx, work, options, counter, (hash) => catalog.byHash(hash));
      // Files with the bytes of an item that failed to encode fail with it.
      const encoded = new Set(pending.map((p) => p.commit.item.hash));
      for (const w of work) {
        if (encoded.has(w.prepared.hash)) continue;
        for (const other of staging.release(w.prepared.hash))
          counter.fail(other.path, new Error(`${other.path} holds the same bytes as ${w.prepared.file.path}, which could not be encoded`));
      }
      await committer.add(pending);
      // Large text is read, encoded and stored a group of chunks at a time, on its own.
      for (const text of largeTexts) {
        try {
          // A copy of a large text met earlier is only a new location by now.
          const known = catalog.byHash(text.hash);
          if (
            known &&
            isComplete(known, ctx.spaces) &&
            (await catalog.addLocation(text.hash, text.file.path, { mtimeMs: text.file.mtimeMs, tags: options.tags }))
          ) {
            counter.skipped += 1;
            continue;
          }
          const outcome = await indexLargeText(ctx, catalog, text, {
            ...options,
            onGroup: () => counter.report('index', { current: text.file.path }),
          });
          counter[outcome] += 1;
        } catch (error) {
          counter.fail(text.file.path, error);
        }
      }
      counter.report('index', { current: batches[i][batches[i].length - 1]?.path });
    }
    for (const shard of shards) await indexShard(ctx, catalog, committer, shard.path, options, counter);
  } finally {
    // Stopped or done: what was encoded is written (an item boundary), what was only decoded is redone next run.
    await Promise.allSettled(prepared);
    await committer.flush();
  }
  if (options.prune) await prune(catalog, paths, counter);
  counter.report('optimize');
  // Compacts the many appends of this run and builds or saves the ANN indexes of tables that grew large.
  await ctx.store.optimize();
  return counter.summary();
}

/**
 * A shard's samples through the same encode and commit stages as files. A sample whose bytes are already
 * waiting to be written (a duplicate in an earlier batch) first lets that write happen, so the item is
 * merged with it rather than written twice.
 */
async function indexShard(
  ctx: IndexContext,
  catalog: ItemCatalog,
  committer: BatchCommitter,
  shard: string,
  options: IndexOptions,
  counter: ProgressCounter,
): Promise<void> {
  const isKnown = (location: string, mtimeMs: number) => {
    const item = catalog.byLocation(location);
    return Boolean(item && item.mtimeMs >= mtimeMs && isComplete(item, ctx.spaces));
  };
  const waiting = new Set<string>();
  try {
    for await (const work of shardWork(shard, counter, {
      maxPixels: ctx.maxPixels,
      fetcher: new ImageFetcher(options.fetch),
      batch: options.batchFiles,
      isKnown,
      signal: options.signal,
    })) {
      if (work.some((w) => waiting.has(w.prepared.hash))) {
        await committer.flush();
        waiting.clear();
      }
      // Bytes already stored (another shard, a file) keep their locations, tags and meta.
      const known = work.map((w) => ({ ...w, previous: catalog.byHash(w.prepared.hash) }));
      const pending = await encodeBatch(ctx, mergeSameBytes(known), options, counter, (hash) => catalog.byHash(hash));
      for (const p of pending) waiting.add(p.commit.item.hash);
      await committer.add(pending);
      counter.report('index', { current: shard });
    }
  } catch (error) {
    if (options.signal?.aborted) throw error;
    counter.fail(shard, error);
  }
}

export async function prune(catalog: ItemCatalog, roots: string[], counter: ProgressCounter): Promise<void> {
  const absRoots = roots.map((r) => resolve(r));
  const under = (p: string) => absRoots.some((r) => p === r || p.startsWith(r.endsWith(sep) ? r : r + sep));
  for (const item of catalog.all()) {
    // A shard sample's location is `<shard>#<key>`: it is gone when its shard is.
    const gone = item.locations.filter((l) => under(l) && !existsSync(l) && !existsSync(shardOfLocation(l) ?? l));
    if (gone.length === 0) continue;
    await catalog.removeLocations(item.hash, gone);
    counter.pruned += gone.length;
  }
  counter.report('prune');
}
