import type { ItemRecord, VectorStore } from '../store/vector-store.js';

/**
 * The collection's items, read once at the start of an index run and kept current as it writes, so
 * each file's "seen before?" check is a map lookup rather than a query over a table that grows (and
 * fragments) with every committed batch. Changes go through it to the store, so the two never drift apart.
 *
 * Files of one batch are prepared in parallel and several may touch the same item (copies of one file,
 * files leaving it). Location changes of an item therefore run one at a time, each from the record the
 * previous one left, never from a copy read before it.
 */
export class ItemCatalog {
  private readonly byHashMap = new Map<string, ItemRecord>();
  private readonly byLocationMap = new Map<string, string>();
  private readonly queues = new Map<string, Promise<unknown>>();

  private constructor(private readonly store: VectorStore) {}

  static async load(store: VectorStore): Promise<ItemCatalog> {
    const catalog = new ItemCatalog(store);
    for (const item of await store.listItems()) catalog.set(item);
    return catalog;
  }

  /** A catalogue that knows nothing yet (a worker committing to a shared store looks items up in the store). */
  static empty(store: VectorStore): ItemCatalog {
    return new ItemCatalog(store);
  }

  byHash(hash: string): ItemRecord | undefined {
    return this.byHashMap.get(hash);
  }

  byLocation(location: string): ItemRecord | undefined {
    const hash = this.byLocationMap.get(location);
    return hash ? this.byHashMap.get(hash) : undefined;
  }

  set(item: ItemRecord): void {
    const previous = this.byHashMap.get(item.hash);
    for (const l of previous?.locations ?? []) if (this.byLocationMap.get(l) === item.hash) this.byLocationMap.delete(l);
    this.byHashMap.set(item.hash, item);
    for (const l of item.locations) this.byLocationMap.set(l, item.hash);
  }

  /** Writes a patch of an item to the store, then here. */
  async update(hash: string, patch: Partial<ItemRecord>): Promise<void> {
    await this.store.updateItem(hash, patch);
    const item = this.byHashMap.get(hash);
    if (item) this.set({ ...item, ...patch });
  }

  /**
   * Adds a location to a stored item (with a newer mtime and extra tags). False when the item is gone by
   * the time this change runs (its last location left it meanwhile): the file must then be encoded anew.
   */
  addLocation(hash: string, location: string, seen: { mtimeMs: number; tags?: string[] }): Promise<boolean> {
    return this.inTurn(hash, async () => {
      const item = this.byHashMap.get(hash);
      if (!item) return false;
      const locations = item.locations.includes(location) ? item.locations : [...item.locations, location];
      await this.update(hash, {
        locations,
        mtimeMs: Math.max(item.mtimeMs, seen.mtimeMs),
        tags: [...new Set([...item.tags, ...(seen.tags ?? [])])],
      });
      return true;
    });
  }

  /** Takes these locations off an item; an item left with none is removed from the store (vectors and all). */
  removeLocations(hash: string, gone: readonly string[]): Promise<void> {
    return this.inTurn(hash, async () => {
      const item = this.byHashMap.get(hash);
      if (item)
        await this.setLocations(
          item,
          item.locations.filter((l) => !gone.includes(l)),
        );
    });
  }

  /** Gives an item these locations; an item left with none is removed from the store (vectors and all). */
  async setLocations(item: ItemRecord, locations: string[]): Promise<void> {
    if (locations.length > 0) return this.update(item.hash, { locations });
    await this.store.removeItem(item.hash);
    for (const l of item.locations) if (this.byLocationMap.get(l) === item.hash) this.byLocationMap.delete(l);
    this.byHashMap.delete(item.hash);
  }

  all(): ItemRecord[] {
    return [...this.byHashMap.values()];
  }

  /** Runs `change` after every change already queued for this item (failed ones included). */
  private inTurn<T>(hash: string, change: () => Promise<T>): Promise<T> {
    const next = (this.queues.get(hash) ?? Promise.resolve()).then(change, change);
    const settled = next.catch(() => undefined);
    this.queues.set(hash, settled);
    void settled.then(() => {
      if (this.queues.get(hash) === settled) this.queues.delete(hash);
    });
    return next;
  }
}
