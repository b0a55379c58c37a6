import type { PendingCommit } from '../ingest/index-paths.js';
import type { ItemCatalog } from '../ingest/item-catalog.js';
import type { ItemRecord, VectorStore } from '../store/vector-store.js';
import { inProcessTurn, type ItemTurn } from './item-lock.js';

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
 * A worker encodes without seeing the store, so before committing its item is folded into what is
 * stored: the same bytes keep their other locations, tags and metadata (and count as updated) — what
 * in-process ingest does with its catalogue before encoding.
 */
export function mergeItem(p: PendingCommit, stored: ItemRecord | undefined): PendingCommit {
  if (!stored) return p;
  const item = p.commit.item;
  const merged: ItemRecord = {
    ...item,
    locations: [...new Set([...stored.locations, ...item.locations])],
    tags: [...new Set([...stored.tags, ...item.tags])],
    mtimeMs: Math.max(stored.mtimeMs, item.mtimeMs),
    meta: { ...stored.meta, ...item.meta },
  };
  return { ...p, commit: { ...p.commit, item: merged }, updated: true };
}

/**
 * A path that now holds other bytes is taken off the item it pointed at, in that item's turn and with
 * the item re-read in it (a concurrent commit of that item must not bring the path back, nor lose another).
 */
export async function releaseLocations(item: ItemRecord, lookup: ItemLookup, inTurn: ItemTurn = inProcessTurn): Promise<void> {
  for (const location of item.locations) {
    const at = await lookup.byLocation(location);
    if (!at || at.hash === item.hash) continue;
    await inTurn(at.hash, async () => {
      const now = await lookup.byHash(at.hash);
      if (now?.locations.includes(location))
        await lookup.setLocations(
          now,
          now.locations.filter((l) => l !== location),
        );
    });
  }
}

/** Folds pending commits into what one committer's lookup holds (no other writer: no turns to take). */
export async function mergeWithStored(pending: PendingCommit[], lookup: ItemLookup): Promise<PendingCommit[]> {
  const out: PendingCommit[] = [];
  for (const p of pending) {
    await releaseLocations(p.commit.item, lookup);
    out.push(mergeItem(p, await lookup.byHash(p.commit.item.hash)));
  }
  return out;
}
