import { Queue, type Job } from 'bullmq';
import { resolveRuntime, type ModelRuntimeOptions } from '../models/runtime-options.js';
import { loadSpace } from '../spaces/load-space.js';
import { ImageFetcher } from '../ingest/fetch-images.js';
import { RosettaError } from '../errors/rosetta-error.js';
import { ErrorCodes } from '../errors/codes.js';
import { openRedis, redisOptions } from './connection.js';
import { EncodeTurns, processEncodeJob, type RunContext } from './encode-job.js';
import { openTarget } from './open-target.js';
import { commitQueueName, ENCODE_QUEUE, keys, PREFIX, readSpecRecord } from './run-spec.js';
import { loadQueueKey, refused, runRoots, verifySpec, type QueueKeyOptions } from './run-trust.js';
import { checkEncodeJob, EncodeWorker, final } from './job-data.js';
import { lockSettings, type LockOptions } from './locks.js';
import { errorReporter, stderrReporter } from './worker-errors.js';
import { expectPositiveInt } from '../util/validate.js';

export interface WorkerOptions extends ModelRuntimeOptions, LockOptions, QueueKeyOptions {
  /** Jobs encoded at once by this process (default 1: encoding already uses every core). */
  concurrency?: number;
  /**
   * Jobs taken beyond those encoding (default 1): each reads and decodes its first batches while the jobs before it
   * encode, then waits for its turn, so the model never waits for a job to be fetched and decoded. 0 takes no more
   * jobs than it encodes. A worker that dies holding them lets their locks lapse; other workers redo them.
   */
  prefetchJobs?: number;
  /** Token of the Milvus server runs write to (never stored in Redis). Default $ROSETTA_MILVUS_TOKEN. */
  milvusToken?: string;
  /** Called after each job with its id and outcome (a failed job: its reason, and its error code when it has one). */
  onJob?: (event: { id: string; runId: string; status: 'done' | 'failed'; failed?: number; reason?: string; code?: string }) => void;
  /**
   * Called with each error outside a job (a lost Redis connection: QUEUE_UNREACHABLE; anything else: QUEUE_FAILED),
   * the original as its `cause`, once while it repeats. Default: a line on stderr.
   */
  onError?: (error: RosettaError) => void;
  signal?: AbortSignal;
}

/**
 * A distributed ingest worker: takes encode jobs of any run from the queue at `url`, loads each run's
 * spaces (once) and its store when the store is shared, and processes jobs until `signal` aborts.
 * A job is acknowledged only when its items are committed (or durably handed to the run's committer);
 * a worker that dies holding a job lets its lock lapse, and another worker takes the job again.
 * Nothing read from Redis is trusted (run-trust.ts): a run's spec must carry the shared key's signature, a
 * job must be one of its run's, of a job's shape and size, and name only paths under the run's paths.
 * A refused job fails at once (no retry) with its code in its reason, which `rosetta queue status` shows.
 */
export async function runWorker(url: string, options: WorkerOptions = {}): Promise<void> {
  const key = await loadQueueKey(options);
  const connection = redisOptions(url);
  // Connection errors are reported, not fatal: ioredis reconnects and BullMQ resumes. The worker and its Redis
  // client share one reporter, so a Redis that is down is reported once, not once by each.
  const reportError = errorReporter(url, options.onError ?? stderrReporter('rosetta worker'));
  const redis = openRedis(url, reportError);
  const runtime = resolveRuntime(options);
  const encoding = expectPositiveInt('concurrency', options.concurrency ?? 1);
  const prefetch = options.prefetchJobs ?? 1;
  if (prefetch !== 0) expectPositiveInt('prefetchJobs', prefetch);
  const turns = new EncodeTurns(encoding);
  const runs = new Map<string, Promise<RunContext>>();
  const contextFor = (runId: string) => {
    let ctx = runs.get(runId);
    if (!ctx) {
      ctx = (async () => {
        const raw = await readSpecRecord(redis, runId);
        if (raw === null)
          throw final(
            new RosettaError(ErrorCodes.QUEUE_FAILED, `Run ${runId} has no record in Redis (deleted, or Redis lost its data)`, {
              hint: 'start the run again with `rosetta index --queue …`',
            }),
          );
        let spec;
        try {
          spec = verifySpec(key, raw, runId);
        } catch (error) {
          throw final(error as RosettaError);
        }
        const spaces = await Promise.all(spec.spaces.map((s) => loadSpace(s, runtime)));
        const fetcher = new ImageFetcher(spec.fetch);
        const base = { spec, spaces, fetcher, key, roots: await runRoots(spec) };
        if (spec.store.kind === 'milvus')
          return { ...base, store: await openTarget(spec.store, options.milvusToken ?? process.env.ROSETTA_MILVUS_TOKEN) };
        return { ...base, commits: new Queue(commitQueueName(runId), { connection, prefix: PREFIX }) };
      })();
      ctx.catch(() => runs.delete(runId));
      runs.set(runId, ctx);
    }
    return ctx;
  };
  const worker = new EncodeWorker(
    ENCODE_QUEUE,
    async (job: Job) => {
      let data;
      try {
        data = checkEncodeJob(job.data);
      } catch (error) {
        throw final(error as RosettaError);
      }
      const run = await contextFor(data.runId);
      if ((await redis.sismember(keys.jobs(data.runId), String(job.id))) !== 1)
        throw final(refused(`job ${job.id}`, `not one of run ${data.runId}'s jobs`));
      return processEncodeJob(job, data, run, redis, turns);
    },
    { connection, prefix: PREFIX, concurrency: encoding + prefetch, ...lockSettings(options) },
  );
  const runOf = (job: Job) => String((job.data as { runId?: unknown } | undefined)?.runId ?? '');
  worker.on('error', reportError);
  worker.on('completed', (job, result: { failed: number }) =>
    options.onJob?.({ id: String(job.id), runId: runOf(job), status: 'done', failed: result.failed }),
  );
  worker.on(
    'failed',
    (job, error) =>
      job &&
      options.onJob?.({
        id: String(job.id),
        runId: runOf(job),
        status: 'failed',
        reason: error.message,
        code: RosettaError.is(error) ? error.code : undefined,
      }),
  );
  await new Promise<void>((resolve) => {
    if (options.signal?.aborted) resolve();
    options.signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  // Finish the job in hand; if Redis is gone the graceful close would wait for it forever, so give up after 30 s
  // (the unfinished job's lock lapses and another worker redoes it).
  const closed = worker.close();
  if ((await Promise.race([closed.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 30_000).unref())])) === false) {
    void worker.disconnect().catch(() => undefined);
  }
  for (const ctx of runs.values()) {
    const run = await ctx.catch(() => undefined);
    if (!run) continue;
    await run.commits?.close();
    await run.store?.close();
    await Promise.all(run.spaces.map((s) => s.dispose()));
  }
  redis.disconnect();
}
