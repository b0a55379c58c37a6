import { existsSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { covers, type Space } from '../spaces/space.js';
import type { ItemCommit, ItemRecord, SegmentRecord, VectorRecord, VectorStore } from '../store/vector-store.js';
import { segmentId, spaceKey, spaceTableInfo } from '../store/keys.js';
import type { Modality } from '../types.js';
import { decodeForEncoding, hashAndType, STREAM_TEXT_BYTES, type PreparedFile } from './prepare-file.js';
import { indexLargeText, type LargeText } from './large-text.js';
import { ProgressCounter, type IndexProgress, type IndexSummary } from './progress.js';
import { encodeTimedMedia } from './encode-timed.js';
import { walkPaths, type WalkedFile } from './walk.js';
import { ItemCatalog } from './item-catalog.js';

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
  /** Real paths of the only folders this call may read (the server's roots): links leading out are refused and reported. */
  within?: string[];
}

export interface IndexContext {
  store: VectorStore;
  spaces: Space[];
  collectionDir: string;
  maxPixels?: number;
  maxInputBytes?: number;
}


function spacesFor(spaces: Space[], modality: Modality): Space[] {
  return spaces.filter((s) => covers(s, modality));
}

function isComplete(item: ItemRecord, spaces: Space[]): boolean {
  return spacesFor(spaces, item.modality).every((s) => item.spaces.includes(spaceKey(s)));
}

/**
 * Indexes files and folders: unchanged files are skipped without reading them, same bytes under a
 * new path add a location, changed files are re-encoded, and each item is committed whole (vectors,
 * segments, then the item row) so a killed run resumes with nothing duplicated or lost.
 */
export async function indexPaths(ctx: IndexContext, paths: string[], options: IndexOptions = {}): Promise<IndexSummary> {
  const { files, problems } = await walkPaths(paths, { exclude: [ctx.collectionDir], within: options.within });
  const counter = new ProgressCounter(files.length + problems.length, options.onProgress);
  for (const p of problems) counter.fail(p.path, Object.assign(new Error(`${p.path}: ${p.reason}`), { code: p.code ?? 'ROSETTA_ERR_MEDIA_UNREADABLE' }));
  counter.report('scan');
  const batchFiles = options.batchFiles ?? 16;
  const catalog = await ItemCatalog.load(ctx.store);
  for (let i = 0; i < files.length; i += batchFiles) {
    options.signal?.throwIfAborted();
    await indexBatch(ctx, catalog, files.slice(i, i + batchFiles), options, counter);
  }
  if (options.prune) await prune(catalog, paths, counter);
  counter.report('optimize');
  // Compacts the many small appends of this run and builds ANN indexes where tables grew large.
  await ctx.store.optimize();
  return counter.summary();
}

async function indexBatch(ctx: IndexContext, catalog: ItemCatalog, batch: WalkedFile[], options: IndexOptions, counter: ProgressCounter): Promise<void> {
  const toEncode: { prepared: PreparedFile; previous?: ItemRecord }[] = [];
  const largeTexts: LargeText[] = [];
  // Read, hash and decode the batch in parallel (sharp runs on its own threads).
  await Promise.all(batch.map(async (file) => {
    try {
      const atLocation = catalog.byLocation(file.path);
      if (atLocation && atLocation.size === file.size && atLocation.mtimeMs >= file.mtimeMs && isComplete(atLocation, ctx.spaces)) {
        counter.skipped += 1;
        return;
      }
      const { bytes, hash, type } = await hashAndType(file, ctx.maxInputBytes);
      const existing = catalog.byHash(hash);
      // The file now holds other bytes: forget it on the old item (removed if that was its last location).
      if (atLocation && atLocation.hash !== hash) await catalog.removeLocations(atLocation.hash, [file.path]);
      // Same bytes already encoded: just remember this path (and newer mtime).
      if (existing && isComplete(existing, ctx.spaces) && await catalog.addLocation(hash, file.path, { mtimeMs: file.mtimeMs, tags: options.tags })) {
        if (atLocation && atLocation.hash !== hash) counter.updated += 1; else counter.skipped += 1;
        return;
      }
      const previous = existing ?? (atLocation?.hash !== hash ? atLocation : undefined);
      // Large text is read, encoded and stored a group of chunks at a time, after the batch.
      if (type.modality === 'text' && file.size > STREAM_TEXT_BYTES) { largeTexts.push({ file, hash, type, previous }); return; }
      const prepared = await decodeForEncoding(file, bytes, hash, type, ctx.maxPixels);
      toEncode.push({ prepared, previous });
    } catch (error) {
      counter.fail(file.path, error);
    }
  }));
  await encodeAndCommit(ctx, catalog, mergeSameBytes(toEncode), options, counter);
  for (const text of largeTexts) {
    try {
      // A copy of a large text met earlier in this batch is only a new location by now.
      const known = catalog.byHash(text.hash);
      if (known && isComplete(known, ctx.spaces) && await catalog.addLocation(text.hash, text.file.path, { mtimeMs: text.file.mtimeMs, tags: options.tags })) { counter.skipped += 1; continue; }
      const outcome = await indexLargeText(ctx, catalog, text, { ...options, onGroup: () => counter.report('index', { current: text.file.path }) });
      counter[outcome] += 1;
    } catch (error) {
      counter.fail(text.file.path, error);
    }
  }
  counter.report('index', { current: batch[batch.length - 1]?.path });
}

async function encodeAndCommit(ctx: IndexContext, catalog: ItemCatalog, work: { prepared: PreparedFile; previous?: ItemRecord; extraLocations?: string[] }[], options: IndexOptions, counter: ProgressCounter): Promise<void> {
  const images = work.filter((w) => w.prepared.image);
  const texts = work.filter((w) => w.prepared.chunks);
  const vectors = new Map<string, Record<string, VectorRecord[]>>();
  const add = (hash: string, spaceId: string, rec: VectorRecord) => {
    const byItem = vectors.get(hash) ?? {};
    (byItem[spaceId] ??= []).push(rec);
    vectors.set(hash, byItem);
  };
  try {
    for (const space of spacesFor(ctx.spaces, 'image')) {
      const vecs = await space.embedImages!(images.map((w) => w.prepared.image!));
      images.forEach((w, i) => add(w.prepared.hash, space.id, { segmentId: segmentId(w.prepared.hash, 'image', 0), itemHash: w.prepared.hash, vector: vecs[i] }));
    }
    for (const space of spacesFor(ctx.spaces, 'text')) {
      const all = texts.flatMap((w) => w.prepared.chunks!.map((c) => ({ w, c })));
      const vecs = await space.embedTexts(all.map((x) => x.c.text));
      all.forEach(({ w, c }, i) => add(w.prepared.hash, space.id, { segmentId: segmentId(w.prepared.hash, 'text-chunk', c.index), itemHash: w.prepared.hash, vector: vecs[i] }));
    }
  } catch (error) {
    // A model failure affects the whole batch: report each file, store nothing half-done.
    for (const w of [...images, ...texts]) counter.fail(w.prepared.file.path, error);
    work = work.filter((w) => !w.prepared.image && !w.prepared.chunks);
  }
  const pending: { commit: ItemCommit; updated: boolean; extra: number; path: string }[] = [];
  for (const w of work) {
    const p = w.prepared;
    try {
      let segments: SegmentRecord[];
      let itemVectors = vectors.get(p.hash) ?? {};
      let duration: number | undefined;
      let width = p.width;
      let height = p.height;
      if (p.image) segments = [{ id: segmentId(p.hash, 'image', 0), itemHash: p.hash, kind: 'image', index: 0 }];
      else if (p.chunks) segments = p.chunks.map((c) => ({ id: segmentId(p.hash, 'text-chunk', c.index), itemHash: p.hash, kind: 'text-chunk' as const, index: c.index, text: c.text }));
      else {
        const timed = await encodeTimedMedia(p, spacesFor(ctx.spaces, p.type.modality), {
          signal: options.signal,
          onMediaProgress: (mediaSeconds, mediaDuration) => counter.report('index', { current: p.file.path, mediaSeconds, mediaDuration }),
        });
        segments = timed.segments;
        itemVectors = timed.vectors;
        duration = timed.duration;
        width = timed.width;
        height = timed.height;
      }
      const used = spacesFor(ctx.spaces, p.type.modality).filter((s) => itemVectors[s.id]?.length);
      // The item as it is now, not as it was when the batch began (other files of the batch may have changed it).
      const same = w.previous?.hash === p.hash ? catalog.byHash(p.hash) : undefined;
      const item: ItemRecord = {
        hash: p.hash,
        modality: p.type.modality,
        locations: [...new Set([...(same ? same.locations.filter((l) => l !== p.file.path) : []), p.file.path, ...(w.extraLocations ?? [])])],
        mime: p.type.mime,
        size: p.file.size,
        mtimeMs: p.file.mtimeMs,
        width, height, duration,
        tags: mergeTags(same?.tags ?? [], options.tags),
        meta: { ...(same?.meta ?? {}), ...(options.meta ?? {}) },
        indexedAt: Date.now(),
        spaces: used.map(spaceKey),
      };
      pending.push({ commit: { item, segments, vectors: itemVectors, spaces: used.map(spaceTableInfo) }, updated: Boolean(w.previous), extra: w.extraLocations?.length ?? 0, path: p.file.path });
    } catch (error) {
      counter.fail(p.file.path, error);
    }
  }
  await commitAll(ctx.store, catalog, pending, counter);
}


/** One write for the whole batch where the store can (fewer, larger fragments); item by item otherwise or on failure. */
async function commitAll(store: VectorStore, catalog: ItemCatalog, pending: { commit: ItemCommit; updated: boolean; extra: number; path: string }[], counter: ProgressCounter): Promise<void> {
  const done = (p: (typeof pending)[number]) => {
    if (p.updated) counter.updated += 1; else counter.added += 1;
    counter.skipped += p.extra;
    catalog.set(p.commit.item);
  };
  if (pending.length > 1) {
    try {
      await store.commitItems(pending.map((p) => p.commit));
      pending.forEach(done);
      return;
    } catch { /* fall through: find the item that fails, keep the rest */ }
  }
  for (const p of pending) {
    try {
      await store.commitItem(p.commit.item, p.commit.segments, p.commit.vectors, p.commit.spaces);
      done(p);
    } catch (error) {
      counter.fail(p.path, error);
    }
  }
}

function mergeSameBytes(work: { prepared: PreparedFile; previous?: ItemRecord; extraLocations?: string[] }[]) {
  const byHash = new Map<string, (typeof work)[number]>();
  for (const w of work) {
    const first = byHash.get(w.prepared.hash);
    if (first) (first.extraLocations ??= []).push(w.prepared.file.path);
    else byHash.set(w.prepared.hash, w);
  }
  return [...byHash.values()];
}

function mergeTags(a: string[], b: string[] = []): string[] {
  return [...new Set([...a, ...b])];
}

async function prune(catalog: ItemCatalog, roots: string[], counter: ProgressCounter): Promise<void> {
  const absRoots = roots.map((r) => resolve(r));
  const under = (p: string) => absRoots.some((r) => p === r || p.startsWith(r.endsWith(sep) ? r : r + sep));
  for (const item of catalog.all()) {
    const gone = item.locations.filter((l) => under(l) && !existsSync(l));
    if (gone.length === 0) continue;
    await catalog.removeLocations(item.hash, gone);
    counter.pruned += gone.length;
  }
  counter.report('prune');
}
