import { Queue, Worker, type Job } from 'bullmq';
import { resolveRuntime, type ModelRuntimeOptions } from '../models/runtime-options.js';
import { loadSpace } from '../spaces/load-space.js';
import { ImageFetcher } from '../ingest/fetch-images.js';
import { RosettaError } from '../errors/rosetta-error.js';
import { ErrorCodes } from '../errors/codes.js';
import { openRedis, redisOptions } from './connection.js';
import { processEncodeJob, type RunContext } from './encode-job.js';
import { openTarget } from './open-target.js';
import { commitQueueName, ENCODE_QUEUE, PREFIX, readSpec, type EncodeJobData } from './run-spec.js';
import { lockSettings, type LockOptions } from './locks.js';

export interface WorkerOptions extends ModelRuntimeOptions, LockOptions {
  /** Jobs processed at once by this process (default 1: encoding already uses every core). */
  concurrency?: number;
  /** Token of the Milvus server runs write to (never stored in Redis). Default $ROSETTA_MILVUS_TOKEN. */
  milvusToken?: string;
  /** Called after each job with its id and outcome. */
  onJob?: (event: { id: string; runId: string; status: 'done' | 'failed'; failed?: number; reason?: string }) => void;
  signal?: AbortSignal;
}

/**
 * A distributed ingest worker: takes encode jobs of any run from the queue at `url`, loads each run's
 * spaces (once) and its store when the store is shared, and processes jobs until `signal` aborts.
 * A job is acknowledged only when its items are committed (or durably handed to the run's committer);
 * a worker that dies holding a job lets its lock lapse, and another worker takes the job again.
 */
export async function runWorker(url: string, options: WorkerOptions = {}): Promise<void> {
  const connection = redisOptions(url);
  const redis = openRedis(url);
  const runtime = resolveRuntime(options);
  const runs = new Map<string, Promise<RunContext>>();
  const contextFor = (runId: string) => {
    let ctx = runs.get(runId);
    if (!ctx) {
      ctx = (async () => {
        const spec = await readSpec(redis, runId);
        if (!spec) throw new RosettaError(ErrorCodes.QUEUE_FAILED, `Run ${runId} has no record in Redis (deleted, or Redis lost its data)`, { hint: 'start the run again with `rosetta index --queue …`' });
        const spaces = await Promise.all(spec.spaces.map((s) => loadSpace(s, runtime)));
        const fetcher = new ImageFetcher(spec.fetch);
        if (spec.store.kind === 'milvus') return { spec, spaces, fetcher, store: await openTarget(spec.store, options.milvusToken ?? process.env.ROSETTA_MILVUS_TOKEN) };
        return { spec, spaces, fetcher, commits: new Queue(commitQueueName(runId), { connection, prefix: PREFIX }) };
      })();
      ctx.catch(() => runs.delete(runId));
      runs.set(runId, ctx);
    }
    return ctx;
  };
  const worker = new Worker<EncodeJobData>(ENCODE_QUEUE, async (job: Job<EncodeJobData>) => processEncodeJob(job, await contextFor(job.data.runId), redis),
    { connection, prefix: PREFIX, concurrency: options.concurrency ?? 1, ...lockSettings(options) });
  worker.on('error', () => undefined); // connection errors: ioredis reconnects, BullMQ resumes
  worker.on('completed', (job, result: { failed: number }) => options.onJob?.({ id: String(job.id), runId: job.data.runId, status: 'done', failed: result.failed }));
  worker.on('failed', (job, error) => job && options.onJob?.({ id: String(job.id), runId: job.data.runId, status: 'failed', reason: error.message }));
  await new Promise<void>((resolve) => {
    if (options.signal?.aborted) resolve();
    options.signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  // Finish the job in hand; if Redis is gone the graceful close would wait for it forever, so give up after 30 s
  // (the unfinished job's lock lapses and another worker redoes it).
  const closed = worker.close();
  if (await Promise.race([closed.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 30_000).unref())]) === false) {
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
