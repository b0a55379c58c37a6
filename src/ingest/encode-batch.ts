import { covers, type Space } from '../spaces/space.js';
import type { ItemCommit, ItemRecord, SegmentRecord, VectorRecord } from '../store/vector-store.js';
import { segmentId, spaceKey, spaceTableInfo } from '../store/keys.js';
import type { Modality } from '../types.js';
import { modalityOf } from '../modalities/index.js';
import { encodeTimedMedia } from './encode-timed.js';
import type { PreparedFile } from './prepare-file.js';
import type { ProgressCounter } from './progress.js';

/** A decoded file to encode, with the item stored before under its hash or path (whose locations, tags and meta carry over). */
export interface EncodeWork {
  prepared: PreparedFile;
  previous?: ItemRecord;
  extraLocations?: string[];
  /** Metadata of this item alone (a shard sample's key, URL…), over the run's `meta`. */
  meta?: Record<string, unknown>;
  /** The item's paired text (a shard sample's caption), kept as a `caption` segment. */
  caption?: string;
}

/** An encoded item ready to commit, and how it counts once committed. */
export interface PendingCommit {
  commit: ItemCommit;
  updated: boolean;
  /** Other files with the same bytes, counted as skipped when the item is written. */
  extra: number;
  path: string;
}

export interface EncodeOptions {
  tags?: string[];
  meta?: Record<string, unknown>;
  signal?: AbortSignal;
}

export function spacesFor(spaces: Space[], modality: Modality): Space[] {
  return spaces.filter((s) => covers(s, modality));
}

export function mergeTags(a: string[], b: string[] = []): string[] {
  return [...new Set([...a, ...b])];
}

/**
 * The encode stage: every decoded file of a batch through every space that covers its modality (pictures and
 * text chunks batched per modality and space, audio and video streamed per file), as whole item commits. Nothing is
 * written; failures go to `counter`. `current(hash)` gives the item as stored now (its locations, tags and
 * meta carry over). Distributed workers run this same stage and commit elsewhere.
 */
export async function encodeBatch(
  ctx: { spaces: Space[] },
  work: EncodeWork[],
  options: EncodeOptions,
  counter: ProgressCounter,
  current?: (hash: string) => ItemRecord | undefined,
): Promise<PendingCommit[]> {
  const images = work.filter((w) => w.prepared.image);
  const texts = work.filter((w) => w.prepared.chunks);
  const vectors = new Map<string, Record<string, VectorRecord[]>>();
  const add = (hash: string, spaceId: string, rec: VectorRecord) => {
    const byItem = vectors.get(hash) ?? {};
    (byItem[spaceId] ??= []).push(rec);
    vectors.set(hash, byItem);
  };
  try {
    for (const [modality, group] of byModality(images)) {
      const kind = modalityOf(modality).segmentKinds[0];
      for (const space of spacesFor(ctx.spaces, modality)) {
        const vecs = await space.embedImages(group.map((w) => w.prepared.image!));
        group.forEach((w, i) =>
          add(w.prepared.hash, space.id, { segmentId: segmentId(w.prepared.hash, kind, 0), itemHash: w.prepared.hash, vector: vecs[i] }),
        );
      }
    }
    for (const [modality, group] of byModality(texts)) {
      const kind = modalityOf(modality).segmentKinds[0];
      const all = group.flatMap((w) => w.prepared.chunks!.map((c) => ({ w, c })));
      for (const space of spacesFor(ctx.spaces, modality)) {
        const vecs = await space.embedTexts(all.map((x) => x.c.text));
        all.forEach(({ w, c }, i) =>
          add(w.prepared.hash, space.id, {
            segmentId: segmentId(w.prepared.hash, kind, c.index),
            itemHash: w.prepared.hash,
            vector: vecs[i],
          }),
        );
      }
    }
  } catch (error) {
    // A model failure affects the whole batch: report each file, store nothing half-done.
    for (const w of [...images, ...texts]) counter.fail(w.prepared.file.path, error);
    work = work.filter((w) => !w.prepared.image && !w.prepared.chunks);
  }
  const pending: PendingCommit[] = [];
  for (const w of work) {
    const p = w.prepared;
    try {
      let segments: SegmentRecord[];
      let itemVectors = vectors.get(p.hash) ?? {};
      let duration: number | undefined;
      let width = p.width;
      let height = p.height;
      const kind = modalityOf(p.type.modality).segmentKinds[0];
      if (p.image) segments = [{ id: segmentId(p.hash, kind, 0), itemHash: p.hash, kind, index: 0 }];
      else if (p.chunks)
        segments = p.chunks.map((c) => ({ id: segmentId(p.hash, kind, c.index), itemHash: p.hash, kind, index: c.index, text: c.text }));
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
      if (w.caption) segments.push({ id: segmentId(p.hash, 'caption', 0), itemHash: p.hash, kind: 'caption', index: 0, text: w.caption });
      const used = spacesFor(ctx.spaces, p.type.modality).filter((s) => itemVectors[s.id]?.length);
      // The item as it is now, not as it was when the batch began (other files may have changed it).
      const same = w.previous?.hash === p.hash ? (current ? current(p.hash) : w.previous) : undefined;
      const item: ItemRecord = {
        hash: p.hash,
        modality: p.type.modality,
        locations: [
          ...new Set([...(same ? same.locations.filter((l) => l !== p.file.path) : []), p.file.path, ...(w.extraLocations ?? [])]),
        ],
        mime: p.type.mime,
        size: p.file.size,
        mtimeMs: p.file.mtimeMs,
        width,
        height,
        duration,
        tags: mergeTags(same?.tags ?? [], options.tags),
        meta: { ...(same?.meta ?? {}), ...(options.meta ?? {}), ...(w.meta ?? {}) },
        indexedAt: Date.now(),
        spaces: used.map(spaceKey),
      };
      pending.push({
        commit: { item, segments, vectors: itemVectors, spaces: used.map(spaceTableInfo) },
        updated: Boolean(w.previous),
        extra: w.extraLocations?.length ?? 0,
        path: p.file.path,
      });
    } catch (error) {
      counter.fail(p.file.path, error);
    }
  }
  return pending;
}

/** Work grouped by its items' modality, in first-seen order. */
function byModality(work: EncodeWork[]): Map<Modality, EncodeWork[]> {
  const groups = new Map<Modality, EncodeWork[]>();
  for (const w of work) {
    const list = groups.get(w.prepared.type.modality) ?? [];
    list.push(w);
    groups.set(w.prepared.type.modality, list);
  }
  return groups;
}

/** Files of one batch with the same bytes become one item with several locations. */
export function mergeSameBytes(work: EncodeWork[]): EncodeWork[] {
  const byHash = new Map<string, EncodeWork>();
  for (const w of work) {
    const first = byHash.get(w.prepared.hash);
    if (first) (first.extraLocations ??= []).push(w.prepared.file.path);
    else byHash.set(w.prepared.hash, w);
  }
  return [...byHash.values()];
}
