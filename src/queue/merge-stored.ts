import type { PendingCommit } from '../ingest/index-paths.js';
import type { ItemCatalog } from '../ingest/item-catalog.js';
import type { ItemRecord, VectorStore } from '../store/vector-store.js';

/** How a committer finds what is already stored: the run's catalogue (one committer) or the store itself (shared store). */
export interface ItemLookup {
  byHash(hash: string): Promise<ItemRecord | undefined>;
  byLocation(location: string): Promise<ItemRecord | undefined>;
  /** Gives an item these locations; one left with none is removed. */
  setLocations(item: ItemRecord, locations: string[]): Promise<void>;
}

export function catalogLookup(catalog: ItemCatalog): ItemLookup {
  return {
    byHash: async (h) => catalog.byHash(h),
    byLocation: async (l) => catalog.byLocation(l),
    setLocations: (item, locations) => catalog.setLocations(item, locations),
  };
}

export function storeLookup(store: VectorStore): ItemLookup {
  return {
    byHash: (h) => store.getItem(h),
    byLocation: (l) => store.getItemByLocation(l),
    setLocations: (item, locations) => (locations.length ? store.updateItem(item.hash, { locations }) : store.removeItem(item.hash)),
  };
}

/**
 * A worker encodes without seeing the store, so before committing its items are folded into what is
 * stored: the same bytes keep their other locations, tags and metadata (and count as updated), and a
 * path that now holds other bytes is taken off the item it pointed at — what in-process ingest does
 * with its catalogue before encoding.
 */
export async function mergeWithStored(pending: PendingCommit[], lookup: ItemLookup): Promise<PendingCommit[]> {
  const out: PendingCommit[] = [];
  for (const p of pending) {
    const item = p.commit.item;
    for (const location of item.locations) {
      const at = await lookup.byLocation(location);
      if (at && at.hash !== item.hash) await lookup.setLocations(at, at.locations.filter((l) => l !== location));
    }
    const stored = await lookup.byHash(item.hash);
    if (!stored) { out.push(p); continue; }
    const merged: ItemRecord = {
      ...item,
      locations: [...new Set([...stored.locations, ...item.locations])],
      tags: [...new Set([...stored.tags, ...item.tags])],
      mtimeMs: Math.max(stored.mtimeMs, item.mtimeMs),
      meta: { ...stored.meta, ...item.meta },
    };
    out.push({ ...p, commit: { ...p.commit, item: merged }, updated: true });
  }
  return out;
}
