import type { ItemRecord, VectorStore } from '../store/vector-store.js';

/**
 * The collection's items, read once at the start of an index run and kept current as it writes, so
 * each file's "seen before?" check is a map lookup rather than a query over a table that grows (and
 * fragments) with every committed batch. Changes go through it to the store, so the two never drift apart.
 */
export class ItemCatalog {
  private readonly byHashMap = new Map<string, ItemRecord>();
  private readonly byLocationMap = new Map<string, string>();

  private constructor(private readonly store: VectorStore) {}

  static async load(store: VectorStore): Promise<ItemCatalog> {
    const catalog = new ItemCatalog(store);
    for (const item of await store.listItems()) catalog.set(item);
    return catalog;
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
}
