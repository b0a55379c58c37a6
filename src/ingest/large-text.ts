import { RosettaError } from '../errors/rosetta-error.js';
import { ErrorCodes } from '../errors/codes.js';
import { covers, type Space } from '../spaces/space.js';
import { segmentId, spaceKey, spaceTableInfo } from '../store/keys.js';
import type { ItemRecord, SegmentRecord, VectorRecord, VectorStore } from '../store/vector-store.js';
import { modalityOf, type DetectedType } from '../modalities/index.js';
import type { ItemCatalog } from './item-catalog.js';
import { streamTextChunks } from './stream-text.js';
import type { WalkedFile } from './walk.js';

export interface LargeText {
  file: WalkedFile;
  hash: string;
  type: DetectedType;
  /** The item stored before at this path or under this hash. */
  previous?: ItemRecord;
}

/**
 * Indexes a large text file a group of chunks at a time: read, chunk, encode and store each group before
 * the next is read, so memory stays flat whatever the size (a whole-file pass once took 2.17 GB for 46.7 MB).
 *
 * The item row goes in with the first group marked as covering no space, and is marked complete only after
 * the last: a run killed in between leaves an incomplete item, which the next run encodes again from the
 * start (its first commit replaces every segment and vector of the hash), so nothing is duplicated or lost.
 */
export async function indexLargeText(
  ctx: { store: VectorStore; spaces: Space[] },
  catalog: ItemCatalog,
  text: LargeText,
  options: { tags?: string[]; meta?: Record<string, unknown>; signal?: AbortSignal; onGroup?: () => void } = {},
): Promise<'added' | 'updated'> {
  const { file, hash, type, previous } = text;
  // Text, or another modality whose files decode to text: stored as its first segment kind, in the spaces covering it.
  const kind = modalityOf(type.modality).segmentKinds[0];
  const spaces = ctx.spaces.filter((s) => covers(s, type.modality));
  // A space knows its dimension once its tower has loaded, i.e. after the first group is encoded.
  const tables = () => spaces.map(spaceTableInfo);
  const same = previous?.hash === hash ? catalog.byHash(hash) : undefined;
  const item: ItemRecord = {
    hash,
    modality: type.modality,
    mime: type.mime,
    size: file.size,
    mtimeMs: file.mtimeMs,
    locations: [...new Set([...(same?.locations.filter((l) => l !== file.path) ?? []), file.path])],
    tags: [...new Set([...(same?.tags ?? []), ...(options.tags ?? [])])],
    meta: { ...(same?.meta ?? {}), ...(options.meta ?? {}) },
    indexedAt: Date.now(),
    spaces: [],
  };
  let stored = 0;
  for await (const group of streamTextChunks(file.path, { signal: options.signal })) {
    const segments: SegmentRecord[] = group.map((c) => ({
      id: segmentId(hash, kind, c.index),
      itemHash: hash,
      kind,
      index: c.index,
      text: c.text,
    }));
    const vectors: Record<string, VectorRecord[]> = {};
    for (const space of spaces) {
      const vecs = await space.embedTexts(group.map((c) => c.text));
      vectors[space.id] = segments.map((s, i) => ({ segmentId: s.id, itemHash: hash, vector: vecs[i] }));
    }
    if (stored === 0) await ctx.store.commitItem(item, segments, vectors, tables());
    // Later groups are new segments (the first commit replaced every segment of the hash): appended, not replaced.
    else await ctx.store.addSegments(hash, segments, vectors, tables(), { fresh: true });
    stored += segments.length;
    options.onGroup?.();
  }
  if (stored === 0)
    throw new RosettaError(ErrorCodes.MEDIA_EMPTY, `${file.path} has no text to index (only whitespace)`, { file: file.path });
  const complete = { ...item, spaces: spaces.map(spaceKey) };
  await ctx.store.updateItem(hash, { spaces: complete.spaces });
  catalog.set(complete);
  return previous ? 'updated' : 'added';
}
