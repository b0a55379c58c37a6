import { Queue } from 'bullmq';
import { ErrorCodes } from '../errors/codes.js';
import type { RosettaError } from '../errors/rosetta-error.js';
import type { IndexFailure } from '../ingest/progress.js';
import { openRedis, redactUrl, redisOptions } from './connection.js';
import { reachable } from './distributed-index.js';
import { readRunProgress, runFailures, type RunProgress } from './run-progress.js';
import { commitQueueName, ENCODE_QUEUE, keys, PREFIX, readSpecRecord, storeKey } from './run-spec.js';
import { specUnverified } from './run-trust.js';
import { errorReporter, stderrReporter } from './worker-errors.js';
import { describeFailedJob, EncodeQueue, type FailedJobView } from './job-data.js';

export interface QueueStatus {
  queue: string;
  /** BullMQ's job counts of the shared encode queue. */
  counts: Record<string, number>;
  /** Worker connections BullMQ sees on the encode queue. */
  workers: number;
  runs: (RunProgress & { paths: string[]; store: string; failures: IndexFailure[]; commitCounts?: Record<string, number> })[];
  /** Failed jobs whose data names no run (not JSON, too large to read, another shape), each with its code. */
  unreadableJobs: FailedJobView[];
}

/**
 * What `queueStatus` and `forgetRun` do with an error of their Redis connection or queues while they read
 * (QUEUE_UNREACHABLE or QUEUE_FAILED, the original as its cause, once while it repeats). Default: a line on
 * stderr. A Redis that does not answer at all fails the call instead (QUEUE_UNREACHABLE, the last such error as
 * its cause).
 */
export interface QueueReadOptions {
  onError?: (error: RosettaError) => void;
}

/** Counts, rates and failures (with reasons) of the queue and its latest runs, read from Redis alone. */
export function queueStatus(url: string, options: { runs?: number; failures?: number } & QueueReadOptions = {}): Promise<QueueStatus> {
  return withEncodeQueue(url, options, async ({ connection, redis, encode, onError }) => {
    const counts = await encode.getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized');
    const workers = (await encode.getWorkers()).length;
    const ids = await redis.zrevrange(keys.runs, 0, (options.runs ?? 5) - 1);
    const runs: QueueStatus['runs'] = [];
    for (const id of ids) {
      const raw = await readSpecRecord(redis, id);
      if (raw === null) continue;
      // Shown as written (status acts on nothing); workers verify the signature before they act on a spec.
      const spec = specUnverified(raw);
      const progress = await readRunProgress(redis, encode, id);
      const failures = (await runFailures(redis, encode, id)).slice(-(options.failures ?? 10));
      let commitCounts: Record<string, number> | undefined;
      if (!spec)
        failures.push({
          path: '',
          code: ErrorCodes.QUEUE_JOB_MALFORMED,
          reason: `run ${id}'s record in Redis is not a run spec Rosetta wrote; workers refuse its jobs`,
        });
      if (spec?.store.kind === 'lancedb') {
        const commits = new Queue(commitQueueName(id), { connection, prefix: PREFIX });
        commits.on('error', onError);
        commitCounts = await commits.getJobCounts('waiting', 'active', 'completed', 'failed');
        await commits.close();
      }
      runs.push({
        ...progress,
        paths: spec?.paths ?? [],
        store: spec ? storeKey(spec.store) : '(unreadable record)',
        failures,
        commitCounts,
      });
    }
    const unreadableJobs = (await encode.getFailed(0, -1))
      .filter(Boolean)
      .map((j) => describeFailedJob(j))
      .filter((j) => j.runId === undefined)
      .slice(-(options.failures ?? 10));
    return { queue: redactUrl(url), counts, workers, runs, unreadableJobs };
  });
}

/** Drops a run: its record, its unfinished jobs and its commit queue (committed items stay in the store). */
export function forgetRun(url: string, runId: string, options: QueueReadOptions = {}): Promise<{ removedJobs: number }> {
  return withEncodeQueue(url, options, async ({ connection, redis, encode, onError }) => {
    const raw = await readSpecRecord(redis, runId);
    const spec = raw === null ? undefined : specUnverified(raw);
    const ids = await redis.smembers(keys.jobs(runId));
    let removedJobs = 0;
    for (const id of ids) removedJobs += await encode.remove(id);
    const commits = new Queue(commitQueueName(runId), { connection, prefix: PREFIX });
    commits.on('error', onError);
    await commits.obliterate({ force: true });
    await commits.close();
    const tx = redis.multi().zrem(keys.runs, runId);
    for (const k of [keys.spec, keys.state, keys.stats, keys.jobs, keys.encoded, keys.expected, keys.committed, keys.failures])
      tx.del(k(runId));
    if (spec && (await redis.get(keys.active(storeKey(spec.store)))) === runId) tx.del(keys.active(storeKey(spec.store)));
    await tx.exec();
    return { removedJobs };
  });
}

/** Opens the Redis connection and the shared encode queue, checks Redis answers, runs `work`, and closes both. */
async function withEncodeQueue<T>(
  url: string,
  options: QueueReadOptions,
  work: (q: {
    connection: ReturnType<typeof redisOptions>;
    redis: ReturnType<typeof openRedis>;
    encode: EncodeQueue;
    onError: (error: unknown) => void;
  }) => Promise<T>,
): Promise<T> {
  const connection = redisOptions(url);
  const reportError = errorReporter(url, options.onError ?? stderrReporter('rosetta queue'), undefined, 'run');
  let lastError: unknown;
  let answered = false;
  // Until Redis has answered once, its errors are kept for the QUEUE_UNREACHABLE that `reachable` throws; after,
  // they are reported.
  const onError = (error: unknown) => {
    lastError = error;
    if (answered) reportError(error);
  };
  const redis = openRedis(url, onError);
  const encode = new EncodeQueue(ENCODE_QUEUE, { connection, prefix: PREFIX });
  encode.on('error', onError);
  try {
    await reachable(redis.ping(), url, undefined, () => lastError);
    answered = true;
    return await work({ connection, redis, encode, onError });
  } finally {
    await encode.close();
    redis.disconnect();
  }
}
