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
import { commitMacMatches } from './run-trust.js';
import { final } from './job-data.js';
import { RosettaError } from '../errors/rosetta-error.js';
import { ErrorCodes } from '../errors/codes.js';

/**
 * The one writer of a LanceDB collection in a distributed run: applies the run's commit jobs in order,
 * each folded into the catalogue first, then records it once. A commit job is acknowledged only after
 * its items are in the store; a committer killed mid-commit leaves the job to be redone, and the
 * store's commits are idempotent (the item row goes last and re-committing replaces, never adds).
 * Only commit jobs a worker signed with the shared key are applied (run-trust.ts): one written into Redis by
 * anyone else is refused, never stored. Errors outside a job (a lost Redis, a lock it could not renew) go to
 * `onError` (an errorReporter: coded, each once while it repeats).
 */
export function startCommitter(
  runId: string,
  connection: RedisOptions,
  redis: Redis,
  store: VectorStore,
  catalog: ItemCatalog,
  locks: LockOptions,
  key: Buffer,
  onError: (error: unknown) => void,
): Worker {
  const worker = new Worker(
    commitQueueName(runId),
    async (job: Job<{ runId?: unknown; payload?: unknown; mac?: unknown }>) => {
      const { payload, mac } = job.data ?? {};
      if (typeof payload !== 'string' || !commitMacMatches(key, runId, String(job.id), payload, mac)) {
        throw final(
          new RosettaError(
            ErrorCodes.QUEUE_JOB_REFUSED,
            `Commit job ${job.id} of run ${runId} is not signed by a worker holding this run's key; not stored`,
            {
              hint:
                'give every worker the same key as `rosetta index --queue` (ROSETTA_QUEUE_KEY or the key file); ' +
                'if no worker of yours wrote it, someone else can write to this Redis',
            },
          ),
        );
      }
      const commits = JSON.parse(payload) as WireCommit[];
      const counter = new ProgressCounter(0);
      const merged = await mergeWithStored(commits.map(fromWire), catalogLookup(catalog));
      await commitAll(store, catalog, merged, counter);
      await recordOnce(
        redis,
        runId,
        keys.committed(runId),
        String(job.id),
        { added: counter.added, updated: counter.updated, skipped: counter.skipped, failed: counter.failed },
        counter.failures,
      );
    },
    { connection, prefix: PREFIX, concurrency: 1, ...lockSettings(locks) },
  );
  worker.on('error', onError);
  return worker;
}
