import type { Redis } from 'ioredis';
import type { SpaceSpec } from '../spaces/load-space.js';
import type { FetchImagesOptions } from '../ingest/fetch-images.js';
import type { WalkedFile } from '../ingest/walk.js';

/** BullMQ key prefix and queue names. Encode jobs of every run share one queue; each run has its own commit queue. */
export const PREFIX = 'rosetta';
export const ENCODE_QUEUE = 'encode';
export const commitQueueName = (runId: string) => `commit-${runId}`;

/** Where a run's items are stored: a LanceDB folder (one committer writes it) or a Milvus server (workers write it). */
export type StoreTarget = { kind: 'lancedb'; dir: string } | { kind: 'milvus'; address: string; database?: string; prefix?: string };

/** What every worker needs to process a run's jobs, kept in Redis beside the queue, signed (run-trust.ts). */
export interface RunSpec {
  id: string;
  createdAt: string;
  paths: string[];
  store: StoreTarget;
  spaces: Required<SpaceSpec>[];
  tags?: string[];
  meta?: Record<string, unknown>;
  maxPixels?: number;
  fetch?: Pick<FetchImagesOptions, 'allowPrivate' | 'attempts' | 'perHost'>;
}

export type EncodeJobData = { runId: string; kind: 'files'; files: WalkedFile[] } | { runId: string; kind: 'shard'; path: string };

/** Redis keys of a run (besides BullMQ's own). */
export const keys = {
  runs: `${PREFIX}:runs`,
  spec: (id: string) => `${PREFIX}:run:${id}:spec`,
  /** Hash: jobs, enqueued, skipped, startedAt, finishedAt. */
  state: (id: string) => `${PREFIX}:run:${id}:state`,
  /** Hash of counters: added, updated, failed, skipped, files. */
  stats: (id: string) => `${PREFIX}:run:${id}:stats`,
  /** Set of the run's encode job ids. */
  jobs: (id: string) => `${PREFIX}:run:${id}:jobs`,
  /** Set of encode jobs whose results are recorded (acknowledged work). */
  encoded: (id: string) => `${PREFIX}:run:${id}:encoded`,
  /** Hash: encode job id → commit jobs it produced. */
  expected: (id: string) => `${PREFIX}:run:${id}:expected`,
  /** Set of commit jobs applied to the store. */
  committed: (id: string) => `${PREFIX}:run:${id}:committed`,
  failures: (id: string) => `${PREFIX}:run:${id}:failures`,
  /** Hash: shard path → `size:mtimeMs` when a run of this store finished it; an unchanged shard is not queued again. */
  shardsDone: (storeKey: string) => `${PREFIX}:shards:${storeKey}`,
  /** The unfinished run of a store, so a restarted `index --queue` resumes it. */
  active: (storeKey: string) => `${PREFIX}:active:${storeKey}`,
  /** Held while a worker merges and commits one item of a shared store (queue/item-lock.ts). */
  itemLock: (storeKey: string, hash: string) => `${PREFIX}:lock:${storeKey}:${hash}`,
};

export function storeKey(target: StoreTarget): string {
  return target.kind === 'lancedb'
    ? `lancedb:${target.dir}`
    : `milvus:${target.address}/${target.database ?? 'default'}/${target.prefix ?? 'rosetta_'}`;
}

/** The stored (signed) spec of a run, as written; read it through run-trust.ts (verifySpec, specUnverified). */
export async function readSpecRecord(redis: Redis, runId: string): Promise<string | null> {
  return redis.get(keys.spec(runId));
}

/**
 * Records a piece of acknowledged work once: adds `member` to a set and, only if it was new, adds the
 * counters and failure lines, in one atomic step. A job redone after a crash (its commit already
 * applied) therefore never counts twice.
 */
const RECORD_ONCE = `
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
local n = tonumber(ARGV[2])
for i = 3, 2 + n * 2, 2 do redis.call('HINCRBY', KEYS[2], ARGV[i], ARGV[i + 1]) end
for i = 3 + n * 2, #ARGV do redis.call('RPUSH', KEYS[3], ARGV[i]) end
redis.call('LTRIM', KEYS[3], -10000, -1)
return 1`;

export async function recordOnce(
  redis: Redis,
  runId: string,
  set: string,
  member: string,
  counts: Record<string, number>,
  failures: unknown[] = [],
): Promise<boolean> {
  const pairs = Object.entries(counts)
    .filter(([, v]) => v !== 0)
    .flatMap(([k, v]) => [k, String(v)]);
  const added = await redis.eval(
    RECORD_ONCE,
    3,
    set,
    keys.stats(runId),
    keys.failures(runId),
    member,
    String(pairs.length / 2),
    ...pairs,
    ...failures.map((f) => JSON.stringify(f)),
  );
  return added === 1;
}
