import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { RedisOptions } from 'bullmq';
import { commitAll } from '../ingest/index-paths.js';
import type { ItemCatalog } from '../ingest/item-catalog.js';
import { ProgressCounter } from '../ingest/progress.js';
import type { VectorStore } from '../store/vector-store.js';
import { lockSettings, type LockOptions } from './locks.js';
import { catalogLookup, mergeWithStored } from './merge-stored.js';
import { commitQueueName, keys, PREFIX, recordOnce } from './run-spec.js';
import { fromWire, type WireCommit } from './wire.js';

/**
 * The one writer of a LanceDB collection in a distributed run: applies the run's commit jobs in order,
 * each folded into the catalogue first, then records it once. A commit job is acknowledged only after
 * its items are in the store; a committer killed mid-commit leaves the job to be redone, and the
 * store's commits are idempotent (the item row goes last and re-committing replaces, never adds).
 */
export function startCommitter(runId: string, connection: RedisOptions, redis: Redis, store: VectorStore, catalog: ItemCatalog, locks: LockOptions): Worker {
  const worker = new Worker(commitQueueName(runId), async (job: Job<{ runId: string; commits: WireCommit[] }>) => {
    const counter = new ProgressCounter(0);
    const merged = await mergeWithStored(job.data.commits.map(fromWire), catalogLookup(catalog));
    await commitAll(store, catalog, merged, counter);
    await recordOnce(redis, runId, keys.committed(runId), String(job.id),
      { added: counter.added, updated: counter.updated, skipped: counter.skipped, failed: counter.failed }, counter.failures);
  }, { connection, prefix: PREFIX, concurrency: 1, ...lockSettings(locks) });
  worker.on('error', () => undefined);
  return worker;
}
