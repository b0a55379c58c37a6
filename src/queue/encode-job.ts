import type { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { encodeBatch, mergeSameBytes, type EncodeWork, type PendingCommit } from '../ingest/index-paths.js';
import { decodeForEncoding, hashAndType } from '../ingest/prepare-file.js';
import { ProgressCounter } from '../ingest/progress.js';
import { ImageFetcher } from '../ingest/fetch-images.js';
import { shardWork } from '../ingest/shard-work.js';
import type { Space } from '../spaces/space.js';
import type { VectorStore } from '../store/vector-store.js';
import { redisItemTurns } from './item-lock.js';
import { commitToSharedStore } from './shared-commit.js';
import { keys, recordOnce, type EncodeJobData, type RunSpec } from './run-spec.js';
import { commitMac, confine, refused, type RunRoots } from './run-trust.js';
import { isShardPath } from '../datasets/shards/shard-sample.js';
import { toWire } from './wire.js';

/** Files of a files job read, decoded and encoded at once (the in-process default batch). */
export const ENCODE_SLICE = 16;

/** What a worker holds for one run: its spec, loaded spaces, and the shared store or the run's commit queue. */
export interface RunContext {
  /** Verified against the shared key (run-trust.ts). */
  spec: RunSpec;
  /** What the run's jobs may read. */
  roots: RunRoots;
  /** The shared key, to sign what this worker hands the committer. */
  key: Buffer;
  spaces: Space[];
  /** Set when the store is shared (Milvus): the worker commits itself. */
  store?: VectorStore;
  /** Set when one committer writes the store (LanceDB): the worker hands it the encoded items. */
  commits?: Queue;
  fetcher: ImageFetcher;
}

/**
 * One encode job: read, hash, decode and encode its files (or its shard's samples) with the ingest
 * stages, then either commit them to the shared store or queue them for the run's committer (one
 * commit job per batch, with ids derived from this job's, so a redone job queues nothing twice).
 * Only then is the job's result recorded: a worker killed before that has its job retried. Every path the job
 * names is checked against the run's signed paths first (run-trust.ts `confine`); a refused one is recorded as
 * failed (ROSETTA_ERR_QUEUE_JOB_REFUSED) and never opened.
 */
export async function processEncodeJob(job: Job, data: EncodeJobData, run: RunContext, redis: Redis): Promise<{ commits: number; failed: number }> {
  const counter = new ProgressCounter(0);
  let batches = 0;
  const hand = async (pending: PendingCommit[], place?: number) => {
    if (!pending.length) return;
    const id = `${job.id}.${place ?? batches}`;
    batches += 1;
    if (run.store) {
      const before = { added: counter.added, updated: counter.updated, skipped: counter.skipped };
      await commitToSharedStore(run.store, pending, counter, redisItemTurns(redis, run.spec.store));
      await recordOnce(redis, run.spec.id, keys.committed(run.spec.id), id,
        { added: counter.added - before.added, updated: counter.updated - before.updated, skipped: counter.skipped - before.skipped });
    } else {
      const payload = JSON.stringify(pending.map(toWire));
      await run.commits!.add('commit', { runId: run.spec.id, payload, mac: commitMac(run.key, run.spec.id, id, payload) }, { jobId: id });
    }
  };
  const options = { tags: run.spec.tags, meta: run.spec.meta };
  if (data.kind === 'shard') {
    const shardPath = data.path;
    let allowed = true;
    try {
      await confine(shardPath, run.roots);
      if (!isShardPath(shardPath)) throw refused(shardPath, 'not a shard (.tar or .parquet)');
    } catch (error) {
      counter.fail(shardPath, error);
      allowed = false;
    }
    if (allowed) for await (const work of shardWork(shardPath, counter, { maxPixels: run.spec.maxPixels, fetcher: run.fetcher })) {
      await hand(await encodeBatch(run, mergeSameBytes(work), options, counter));
    }
  } else {
    // In slices of ENCODE_SLICE files, each its own commit batch (id from the slice's place, so a redone job
    // queues the same ids): a job's memory stays that of one slice, whatever its number of files.
    for (let first = 0; first < data.files.length; first += ENCODE_SLICE) {
      const work: EncodeWork[] = [];
      await Promise.all(data.files.slice(first, first + ENCODE_SLICE).map(async (file) => {
        try {
          await confine(file.path, run.roots);
          const { bytes, hash, type } = await hashAndType(file);
          work.push({ prepared: await decodeForEncoding(file, bytes, hash, type, run.spec.maxPixels) });
        } catch (error) {
          counter.fail(file.path, error);
        }
      }));
      work.sort((a, b) => (a.prepared.file.path < b.prepared.file.path ? -1 : 1));
      await hand(await encodeBatch(run, mergeSameBytes(work), options, counter), first / ENCODE_SLICE);
    }
  }
  await redis.hset(keys.expected(run.spec.id), String(job.id), String(run.store ? 0 : batches));
  await recordOnce(redis, run.spec.id, keys.encoded(run.spec.id), String(job.id), { failed: counter.failed, samples: data.kind === 'shard' ? counter.total : 0 }, counter.failures);
  return { commits: batches, failed: counter.failed };
}
