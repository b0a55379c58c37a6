/**
 * Items between "decoded" and "committed". The pipeline prepares the next batches while earlier ones are
 * still encoding or waiting to be written, so a later file holding the same bytes must not be encoded
 * again (two commits of one item would keep only the last one's locations): it is noted here instead,
 * and joins the item's locations when the item is written.
 */
export interface StagedLocation {
  path: string;
  mtimeMs: number;
}

export class Staging {
  private readonly items = new Map<string, StagedLocation[]>();

  has(hash: string): boolean {
    return this.items.has(hash);
  }

  /** Marks an item as on its way to the store. */
  stage(hash: string): void {
    if (!this.items.has(hash)) this.items.set(hash, []);
  }

  /** Another file with the bytes of a staged item. */
  addLocation(hash: string, location: StagedLocation): void {
    this.items.get(hash)?.push(location);
  }

  /** The locations noted so far for an item, handed over once (later ones accumulate anew). */
  takeLocations(hash: string): StagedLocation[] {
    const list = this.items.get(hash) ?? [];
    if (list.length) this.items.set(hash, []);
    return list;
  }

  /** The item is in the store (or failed): later files find it in the catalogue. Returns locations noted meanwhile. */
  release(hash: string): StagedLocation[] {
    const rest = this.items.get(hash) ?? [];
    this.items.delete(hash);
    return rest;
  }
}
