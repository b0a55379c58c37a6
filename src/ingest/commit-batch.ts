import type { VectorStore } from '../store/vector-store.js';
import type { PendingCommit } from './encode-batch.js';
import type { ItemCatalog } from './item-catalog.js';
import type { ProgressCounter } from './progress.js';
import type { Staging } from './staging.js';

/**
 * The commit stage: one write for many items where the store can (fewer, larger fragments and one ANN
 * insert per batch); item by item otherwise, or to find the one that fails and keep the rest. Each
 * committed item goes into the catalogue; failures go to `counter`.
 */
export async function commitAll(
  store: VectorStore,
  catalog: ItemCatalog,
  pending: PendingCommit[],
  counter: ProgressCounter,
): Promise<PendingCommit[]> {
  const done = (p: PendingCommit) => {
    if (p.updated) counter.updated += 1;
    else counter.added += 1;
    counter.skipped += p.extra;
    catalog.set(p.commit.item);
  };
  if (pending.length > 1) {
    try {
      await store.commitItems(pending.map((p) => p.commit));
      pending.forEach(done);
      return pending;
    } catch {
      /* fall through: find the item that fails, keep the rest */
    }
  }
  const committed: PendingCommit[] = [];
  for (const p of pending) {
    try {
      await store.commitItem(p.commit.item, p.commit.segments, p.commit.vectors, p.commit.spaces);
      done(p);
      committed.push(p);
    } catch (error) {
      counter.fail(p.path, error);
    }
  }
  return committed;
}

export interface CommitterOptions {
  /** Items of the first write; each later write may hold twice as many as the one before, up to `maxItems`. */
  firstItems: number;
  /** Items written together at most (default 512): LanceDB's cost is per write, not per row. */
  maxItems: number;
  /** Oldest waiting item, in ms, before a write happens anyway (default 3,000), so progress reaches the store. */
  maxWaitMs: number;
}

/**
 * Gathers encoded items and writes them in large batches while the next batches are decoded and encoded.
 * At most one write runs at a time; `add` waits for it only when another batch is ready to go. Files that
 * turned out to hold the bytes of a waiting item (noted in `staging`) join its locations before it is written.
 */
export class BatchCommitter {
  private waiting: PendingCommit[] = [];
  private since = 0;
  private writing: Promise<void> = Promise.resolve();
  /** Items that make a write: small at first (the first results are searchable soon), doubling up to `maxItems`. */
  private threshold: number;

  constructor(
    private readonly store: VectorStore,
    private readonly catalog: ItemCatalog,
    private readonly counter: ProgressCounter,
    private readonly staging: Staging,
    private readonly options: CommitterOptions,
    private readonly tags?: string[],
  ) {
    this.threshold = Math.min(options.firstItems, options.maxItems);
  }

  async add(pending: PendingCommit[]): Promise<void> {
    if (!this.waiting.length) this.since = Date.now();
    this.waiting.push(...pending);
    if (this.waiting.length >= this.threshold || Date.now() - this.since >= this.options.maxWaitMs) {
      this.threshold = Math.min(this.options.maxItems, this.threshold * 2);
      await this.startWrite();
    }
  }

  /** Writes what is waiting (also when a run is stopped: encoded items are not thrown away) and waits for every write. */
  async flush(): Promise<void> {
    await this.startWrite();
    await this.writing;
  }

  private async startWrite(): Promise<void> {
    await this.writing;
    const batch = this.waiting;
    this.waiting = [];
    if (!batch.length) return;
    for (const p of batch) {
      const more = this.staging.takeLocations(p.commit.item.hash);
      if (!more.length) continue;
      const item = p.commit.item;
      item.locations = [...new Set([...item.locations, ...more.map((m) => m.path)])];
      item.mtimeMs = Math.max(item.mtimeMs, ...more.map((m) => m.mtimeMs));
      p.extra += more.length;
    }
    this.writing = this.write(batch);
  }

  private async write(batch: PendingCommit[]): Promise<void> {
    const committed = new Set((await commitAll(this.store, this.catalog, batch, this.counter)).map((p) => p.commit.item.hash));
    for (const p of batch) {
      // Same-bytes files found while this batch was being written: add them now the item is stored.
      const late = this.staging.release(p.commit.item.hash);
      for (const l of late) {
        try {
          if (
            committed.has(p.commit.item.hash) &&
            (await this.catalog.addLocation(p.commit.item.hash, l.path, { mtimeMs: l.mtimeMs, tags: this.tags }))
          )
            this.counter.skipped += 1;
          else this.counter.fail(l.path, new Error(`${l.path} holds the same bytes as ${p.path}, which could not be stored`));
        } catch (error) {
          this.counter.fail(l.path, error);
        }
      }
    }
    this.counter.report('index', { current: batch[batch.length - 1]?.path });
  }
}
