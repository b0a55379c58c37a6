import type { PendingCommit } from '../ingest/index-paths.js';
import type { ProgressCounter } from '../ingest/progress.js';
import type { VectorStore } from '../store/vector-store.js';
import { ErrorCodes } from '../errors/codes.js';
import { RosettaError } from '../errors/rosetta-error.js';
import type { ItemTurn } from './item-lock.js';
import { mergeItem, releaseLocations, storeLookup } from './merge-stored.js';

/**
 * Commits encoded items to a store that several workers write at once (Milvus). Each item is merged with
 * the stored record and committed in its turn (`inTurn`: a Redis lock on its hash shared by every worker),
 * the record being re-read inside the turn, so two workers committing the same bytes under different paths
 * both keep their locations. Counts go to `counter` once per item. An item the store refuses is recorded as
 * failed and the others go on; a turn that cannot be had (lock trouble) throws, so the job is retried.
 */
export async function commitToSharedStore(
  store: VectorStore,
  pending: PendingCommit[],
  counter: ProgressCounter,
  inTurn: ItemTurn,
): Promise<void> {
  const lookup = storeLookup(store);
  for (const p of pending) {
    const hash = p.commit.item.hash;
    try {
      await releaseLocations(p.commit.item, lookup, inTurn);
      const committed = await inTurn(hash, async () => {
        const merged = mergeItem(p, await store.getItem(hash));
        await store.commitItem(merged.commit.item, merged.commit.segments, merged.commit.vectors, merged.commit.spaces);
        return merged;
      });
      if (committed.updated) counter.updated += 1;
      else counter.added += 1;
      counter.skipped += committed.extra;
    } catch (error) {
      if (RosettaError.is(error) && error.code === ErrorCodes.QUEUE_FAILED) throw error;
      counter.fail(p.path, error);
    }
  }
}
