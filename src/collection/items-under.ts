import { resolve } from 'node:path';
import type { Modality } from '../types.js';
import type { ItemRecord, VectorStore } from '../store/vector-store.js';
import { insideAny } from '../util/path-inside.js';

export interface ItemWalkOptions {
  signal?: AbortSignal;
  /** Called before each item with how many were done, the total and the item's path; and once at the end. */
  onProgress?: (done: number, total: number, path: string) => void;
}

/**
 * The stored items of these modalities that have a location under one of `paths`, one at a time with that
 * location: what a stage run after indexing (OCR, speech) works through. Stops with ABORTED when `signal` fires.
 */
export async function* itemsUnder(
  store: VectorStore,
  paths: string[],
  modalities: Modality[],
  options: ItemWalkOptions = {},
): AsyncGenerator<{ item: ItemRecord; path: string }> {
  const roots = paths.map((p) => resolve(p));
  const found: { item: ItemRecord; path: string }[] = [];
  for (const item of await store.listItems({ modality: modalities }, 10_000_000)) {
    const path = item.locations.find((l) => insideAny(roots, l));
    if (path) found.push({ item, path });
  }
  for (const [done, entry] of found.entries()) {
    options.signal?.throwIfAborted();
    options.onProgress?.(done, found.length, entry.path);
    yield entry;
  }
  options.onProgress?.(found.length, found.length, '');
}
