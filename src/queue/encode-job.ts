import type { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { encodeBatch, mergeSameBytes, prepareBatch, type EncodeWork, type PendingCommit } from '../ingest/index-paths.js';
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
import { batchesOf } from '../util/batches.js';
import { readAhead } from '../util/read-ahead.js';
import type { WalkedFile } from '../ingest/walk.js';

/** Files of a files job read, decoded and encoded at once (the in-process default batch). */
export const ENCODE_SLICE = 16;
/** Batches of a job decoded ahead of the one being encoded (as in-process ingest does). */
export const PREPARE_AHEAD = 2;
/**
 * Encoded batches of a job handed off together (up to 512 items, the in-process committer's largest write): one
 * commit job, so one store write by the committer (LanceDB's cost is per write, not per row), which overlaps the
 * encoding of the worker's next job. A batch holding bytes already in the group starts a new group, so a commit
 * job never holds one item twice.
 */
export const HAND_BATCHES = 32;

/**
 * Whose turn it is to encode: a worker takes one job more than it encodes at once, and the extra job reads and
 * decodes its first batches while the one before it encodes; it waits here for its turn, so jobs encode one
 * after the other (in the order they were taken) and never share the cores the model is using.
 */
export class EncodeTurns {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(slots: number) {
    this.free = slots;
  }

  async take(): Promise<void> {
    if (this.free > 0) {
      this.free -= 1;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  give(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free += 1;
  }
}

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
 * One encode job through the ingest stages — the same prepare (read, hash, detect, decode: `prepareBatch`, or
 * `shardWork` for a shard), encode (`encodeBatch`) and hand-off as in-process ingest, pipelined as it is: the
 * next batches are decoded (PREPARE_AHEAD) while one is encoded, and hand-offs (a commit to the shared store, or
 * a commit job for the run's committer, HAND_BATCHES batches at a time, ids derived from this job's so a redone
 * job queues nothing twice) go on while the next batch encodes. `turns` orders the encoding of jobs a worker holds
 * at once. Only when every hand-off is done is the job's result recorded: a worker killed before that has its
 * job retried. Every path the job names is checked against the run's signed paths first (run-trust.ts
 * `confine`); a refused one is recorded as failed (ROSETTA_ERR_QUEUE_JOB_REFUSED) and never opened.
 */
export async function processEncodeJob(
  job: Job,
  data: EncodeJobData,
  run: RunContext,
  redis: Redis,
  turns = new EncodeTurns(1),
): Promise<{ commits: number; failed: number }> {
  const counter = new ProgressCounter(0);
  let handed = 0;
  let handing: Promise<void> = Promise.resolve();
  let handFailed: unknown;
  const hand = async (id: string, pending: PendingCommit[]) => {
    if (run.store) {
      const before = { added: counter.added, updated: counter.updated, skipped: counter.skipped };
      await commitToSharedStore(run.store, pending, counter, redisItemTurns(redis, run.spec.store));
      await recordOnce(redis, run.spec.id, keys.committed(run.spec.id), id, {
        added: counter.added - before.added,
        updated: counter.updated - before.updated,
        skipped: counter.skipped - before.skipped,
      });
    } else {
      const payload = JSON.stringify(pending.map(toWire));
      await run.commits!.add('commit', { runId: run.spec.id, payload, mac: commitMac(run.key, run.spec.id, id, payload) }, { jobId: id });
    }
  };
  // Encoded items waiting to be handed off together, and their hashes.
  let group: PendingCommit[] = [];
  let groupHashes = new Set<string>();
  let groupBatches = 0;
  const handGroup = () => {
    if (group.length) {
      const [id, pending] = [`${job.id}.${handed}`, group];
      handed += 1;
      handing = handing.then(() => hand(id, pending));
      handing.catch((error: unknown) => {
        handFailed ??= error;
      });
    }
    group = [];
    groupHashes = new Set();
    groupBatches = 0;
  };
  const take = (pending: PendingCommit[]) => {
    if (pending.some((p) => groupHashes.has(p.commit.item.hash))) handGroup();
    group.push(...pending);
    for (const p of pending) groupHashes.add(p.commit.item.hash);
    groupBatches += 1;
    if (groupBatches >= HAND_BATCHES) handGroup();
  };
  const options = { tags: run.spec.tags, meta: run.spec.meta };
  let turn = false;
  try {
    for await (const work of readAhead(prepared(data, run, counter), PREPARE_AHEAD)) {
      if (handFailed !== undefined) break;
      if (!turn) {
        await turns.take();
        turn = true;
      }
      take(await encodeBatch(run, mergeSameBytes(work), options, counter));
    }
  } catch (error) {
    // A damaged shard: what was encoded before the damage is still handed off (the retried job queues the same ids).
    handGroup();
    await handing.catch(() => undefined);
    throw error;
  } finally {
    if (turn) turns.give();
  }
  handGroup();
  await handing;
  await redis.hset(keys.expected(run.spec.id), String(job.id), String(run.store ? 0 : handed));
  await recordOnce(
    redis,
    run.spec.id,
    keys.encoded(run.spec.id),
    String(job.id),
    { failed: counter.failed, samples: data.kind === 'shard' ? counter.total : 0 },
    counter.failures,
  );
  return { commits: handed, failed: counter.failed };
}

/** The job's decoded batches: its shard's samples (`shardWork`), or its files in slices of ENCODE_SLICE (`prepareBatch`). */
async function* prepared(data: EncodeJobData, run: RunContext, counter: ProgressCounter): AsyncGenerator<EncodeWork[]> {
  if (data.kind === 'shard') {
    try {
      await confine(data.path, run.roots);
      if (!isShardPath(data.path)) throw refused(data.path, 'not a shard (.tar or .parquet)');
    } catch (error) {
      counter.fail(data.path, error);
      return;
    }
    yield* shardWork(data.path, counter, { maxPixels: run.spec.maxPixels, fetcher: run.fetcher });
    return;
  }
  // The worker does not see the store (no catalogue, no staging: its committer merges with what is stored), and hands
  // whole items, so large texts are decoded whole; a job's memory stays that of PREPARE_AHEAD + 1 slices.
  const ctx = {
    spaces: run.spaces,
    maxPixels: run.spec.maxPixels,
    streamTextBytes: Infinity,
    admit: (file: WalkedFile) => confine(file.path, run.roots),
  };
  for (const slice of batchesOf(data.files, ENCODE_SLICE)) {
    yield (await prepareBatch(ctx, undefined, undefined, slice.items, run.spec.tags, counter)).work;
  }
}
