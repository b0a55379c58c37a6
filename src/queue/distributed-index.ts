import type { SpaceSpec } from '../spaces/load-space.js';
import type { Space } from '../spaces/space.js';
import { ItemCatalog } from '../ingest/item-catalog.js';
import { isComplete, prune, type IndexOptions } from '../ingest/index-paths.js';
import { ProgressCounter, type IndexSummary } from '../ingest/progress.js';
import type { VectorStore } from '../store/vector-store.js';
import { RosettaError } from '../errors/rosetta-error.js';
import { ErrorCodes } from '../errors/codes.js';
import { openRedis, redactUrl, redisOptions } from './connection.js';
import { startCommitter } from './committer.js';
import { enqueueRun, openRun, resolvePaths } from './enqueue-run.js';
import type { LockOptions } from './locks.js';
import { readRunProgress, runFailures } from './run-progress.js';
import { ENCODE_QUEUE, keys, PREFIX, storeKey, type StoreTarget } from './run-spec.js';
import { loadQueueKey, type QueueKeyOptions } from './run-trust.js';
import { errorReporter, stderrReporter } from './worker-errors.js';
import { EncodeQueue, MAX_FILES_PER_JOB } from './job-data.js';
import { expectPositiveInt } from '../util/validate.js';

export interface DistributedIndexOptions extends IndexOptions, LockOptions, QueueKeyOptions {
  /** `redis://host:port` of the queue. */
  queue: string;
  /** How often progress is read, ms (default 500). */
  pollMs?: number;
  /**
   * Called with each error of the run's Redis connection, queue and committer (a lost Redis: QUEUE_UNREACHABLE;
   * anything else: QUEUE_FAILED), the original as its `cause` and the URL's password hidden, once while it
   * repeats. The run goes on: commands wait for Redis to come back. Default: a line on stderr.
   */
  onError?: (error: RosettaError) => void;
}

export interface DistributedContext {
  store: VectorStore;
  spaces: Space[];
  specs: Required<SpaceSpec>[];
  target: StoreTarget;
  maxPixels?: number;
}

/**
 * `index` spread over workers: records the run in Redis, queues its files and shards, and follows it
 * until every job is committed — committing itself when the store is a LanceDB folder (the one
 * writer), leaving commits to the workers when it is shared (Milvus). Killed and started again with
 * the same paths, it resumes the run. Returns the same summary as in-process ingest.
 */
export async function indexDistributed(
  ctx: DistributedContext,
  paths: string[],
  options: DistributedIndexOptions,
): Promise<IndexSummary & { runId: string }> {
  const started = performance.now();
  const batchFiles = expectPositiveInt('batchFiles', options.batchFiles ?? 16, MAX_FILES_PER_JOB);
  const connection = redisOptions(options.queue);
  const report = options.onError ?? stderrReporter('rosetta index');
  // One reporter for the client and the queues, so a Redis that is down is reported once, not by each of them.
  const reportError = errorReporter(options.queue, report, undefined, 'run');
  let lastError: unknown;
  const onError = (error: unknown) => {
    lastError = error;
    reportError(error);
  };
  const redis = openRedis(options.queue, onError);
  const encode = new EncodeQueue(ENCODE_QUEUE, { connection, prefix: PREFIX });
  encode.on('error', onError);
  let committer: ReturnType<typeof startCommitter> | undefined;
  try {
    await reachable(redis.ping(), options.queue, undefined, () => lastError);
    const key = await loadQueueKey(options);
    const { spec } = await openRun(
      redis,
      {
        paths: resolvePaths(paths),
        store: ctx.target,
        spaces: ctx.specs,
        tags: options.tags,
        meta: options.meta,
        maxPixels: ctx.maxPixels,
        fetch: options.fetch && {
          allowPrivate: options.fetch.allowPrivate,
          attempts: options.fetch.attempts,
          perHost: options.fetch.perHost,
        },
      },
      key,
    );
    const catalog = await ItemCatalog.load(ctx.store);
    if ((await redis.hget(keys.state(spec.id), 'enqueued')) !== '1') {
      const isUnchanged = (f: { path: string; size: number; mtimeMs: number }) => {
        const at = catalog.byLocation(f.path);
        return Boolean(at && at.size === f.size && at.mtimeMs >= f.mtimeMs && isComplete(at, ctx.spaces));
      };
      await enqueueRun(redis, connection, spec, isUnchanged, batchFiles, onError);
    }
    if (ctx.target.kind === 'lancedb') {
      const committerError = errorReporter(options.queue, report, undefined, 'committer');
      committer = startCommitter(spec.id, connection, redis, ctx.store, catalog, options, key, committerError);
    }
    const counter = new ProgressCounter(0, options.onProgress);
    for (;;) {
      // `queue forget` or a Redis that lost its data takes the run's record away: stop instead of waiting for ever.
      if ((await redis.exists(keys.spec(spec.id))) === 0) {
        throw new RosettaError(
          ErrorCodes.QUEUE_FAILED,
          `Run ${spec.id} is no longer recorded in Redis (dropped with \`rosetta queue forget\`, or Redis lost its data)`,
          {
            hint: 'run the same `rosetta index --queue …` command again to start a new run (items already committed stay and are skipped)',
          },
        );
      }
      const p = await readRunProgress(redis, encode, spec.id);
      counter.total = p.files + p.samples + ((await redis.hget(keys.state(spec.id), 'walkFailed').then(Number)) || 0);
      Object.assign(counter, { added: p.added, updated: p.updated, skipped: p.skipped, failed: p.failed });
      const idle = p.jobsDone + p.jobsFailed < p.jobs && (await encode.getWorkers()).length === 0;
      counter.report('index', {
        current: idle ? 'no worker connected: start `rosetta worker --queue …`' : `${p.jobsDone + p.jobsFailed}/${p.jobs} jobs`,
      });
      if (p.finished) break;
      if (options.signal?.aborted)
        throw new RosettaError(ErrorCodes.ABORTED, `Stopped following run ${spec.id}; its jobs stay queued`, {
          hint: 'run the same command again to resume it',
        });
      await new Promise((r) => setTimeout(r, options.pollMs ?? 500));
    }
    await committer?.close();
    committer = undefined;
    const final = await readRunProgress(redis, encode, spec.id);
    const failures = await runFailures(redis, encode, spec.id);
    // Shards read whole (no job failed) are remembered, so an unchanged shard is not queued again.
    const shardFiles = shardFilesOf(await redis.hget(keys.state(spec.id), 'shardFiles'));
    const failedShards = new Set(failures.filter((f) => f.code === ErrorCodes.QUEUE_FAILED).map((f) => f.path));
    const whole = shardFiles.filter(([path]) => !failedShards.has(path));
    if (whole.length) await redis.hset(keys.shardsDone(storeKey(ctx.target)), Object.fromEntries(whole));
    const pruneCounter = new ProgressCounter(0);
    if (options.prune) await prune(ctx.target.kind === 'lancedb' ? catalog : await ItemCatalog.load(ctx.store), spec.paths, pruneCounter);
    counter.report('optimize');
    await ctx.store.optimize();
    await redis
      .multi()
      .hset(keys.state(spec.id), 'finishedAt', Date.now())
      .del(keys.active(storeKey(ctx.target)))
      .exec();
    const seconds = (performance.now() - started) / 1000;
    const settled = final.added + final.updated + final.skipped + final.failed;
    return {
      runId: spec.id,
      added: final.added,
      updated: final.updated,
      skipped: final.skipped,
      failed: final.failed,
      pruned: pruneCounter.pruned,
      failures,
      seconds,
      filesPerSecond: settled / Math.max(seconds, 1e-3),
    };
  } finally {
    await committer?.close();
    await encode.close();
    redis.disconnect();
  }
}

/**
 * Fails fast, naming the URL, when Redis does not answer (commands otherwise wait for it forever); the last
 * connection error `lastError` gives (the refused socket, say) is kept as the cause.
 */
export async function reachable<T>(command: Promise<T>, url: string, ms = 5000, lastError?: () => unknown): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new RosettaError(ErrorCodes.QUEUE_UNREACHABLE, `No Redis answered at ${redactUrl(url)} within ${ms / 1000} s`, {
            setting: 'queue',
            hint: 'start one (`redis-server --port 6379 --appendonly yes`) or check the host, port and password in the URL',
            cause: lastError?.(),
          }),
        ),
      ms,
    );
  });
  try {
    return await Promise.race([command, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The run's shards and their `size:mtimeMs` as the enqueuer recorded them (nothing when the record is unreadable). */
function shardFilesOf(raw: string | null): [string, string][] {
  try {
    const list = JSON.parse(raw ?? '[]') as unknown;
    return Array.isArray(list)
      ? list.filter((e): e is [string, string] => Array.isArray(e) && typeof e[0] === 'string' && typeof e[1] === 'string')
      : [];
  } catch {
    return [];
  }
}
