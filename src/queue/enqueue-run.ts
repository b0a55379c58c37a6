import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { walkPaths, type WalkedFile } from '../ingest/walk.js';
import { splitShards } from '../datasets/shards/shard-sample.js';
import { RosettaError } from '../errors/rosetta-error.js';
import { ErrorCodes } from '../errors/codes.js';
import { JOB_ATTEMPTS } from './locks.js';
import { ENCODE_QUEUE, keys, PREFIX, readSpecRecord, storeKey, type EncodeJobData, type RunSpec } from './run-spec.js';
import { runRoots, signSpec, verifySpec } from './run-trust.js';
import { MAX_FILES_PER_JOB, MAX_JOB_CHARS } from './job-data.js';
import { expectPositiveInt } from '../util/validate.js';
import type { RedisOptions } from 'bullmq';

export interface WalkProblemRecord {
  path: string;
  code: string;
  reason: string;
}

/**
 * Finds the store's unfinished run with the same paths (a restarted `index --queue` resumes it), or
 * records a new one, signed with `key` (run-trust.ts). Another unfinished run on the same store is refused:
 * one committer per collection. A recorded run is resumed only if `key` signed it.
 */
export async function openRun(
  redis: Redis,
  spec: Omit<RunSpec, 'id' | 'createdAt'>,
  key: Buffer,
): Promise<{ spec: RunSpec; resumed: boolean }> {
  const activeKey = keys.active(storeKey(spec.store));
  const activeId = await redis.get(activeKey);
  if (activeId) {
    const raw = await readSpecRecord(redis, activeId);
    const active = raw === null ? undefined : verifySpec(key, raw, activeId);
    if (active && JSON.stringify(active.paths) === JSON.stringify(spec.paths)) return { spec: active, resumed: true };
    if (active) {
      throw new RosettaError(
        ErrorCodes.QUEUE_FAILED,
        `Run ${activeId} on this collection is unfinished (paths: ${active.paths.join(', ')})`,
        {
          hint: `finish it by running \`rosetta index --queue … ${active.paths.join(' ')}\` again, or drop it with \`rosetta queue forget ${activeId}\``,
        },
      );
    }
  }
  const full: RunSpec = { ...spec, id: `${Date.now().toString(36)}${randomUUID().slice(0, 6)}`, createdAt: new Date().toISOString() };
  await redis
    .multi()
    .set(keys.spec(full.id), signSpec(key, full))
    .zadd(keys.runs, Date.now(), full.id)
    .set(activeKey, full.id)
    .hset(keys.state(full.id), 'startedAt', Date.now())
    .exec();
  return { spec: full, resumed: false };
}

/**
 * Walks the run's paths and queues its work: files in fixed chunks of at most `batchFiles` (and MAX_JOB_CHARS of
 * JSON; ids from the chunk's position, so re-queuing after an interrupted enqueue adds nothing twice), shards
 * one job each. The walk stays inside the paths' real folders (a link leading out is reported, not queued),
 * as workers refuse such files. Files unchanged since they were stored are skipped here, as in-process ingest
 * skips them. Job ids are recorded as the run's before the jobs are queued, so a worker never meets one of
 * them before it is known (workers refuse jobs that are not their run's). Errors of its queue's connection
 * go to `onError` (an errorReporter; commands wait for Redis to come back).
 */
export async function enqueueRun(
  redis: Redis,
  connection: RedisOptions,
  spec: RunSpec,
  isUnchanged: (file: WalkedFile) => boolean,
  batchFiles: number,
  onError: (error: unknown) => void = () => undefined,
): Promise<{ problems: WalkProblemRecord[] }> {
  expectPositiveInt('batchFiles', batchFiles, MAX_FILES_PER_JOB);
  const roots = await runRoots(spec);
  const walked = await walkPaths(spec.paths, { exclude: roots.exclude, within: roots.real });
  const { shards: allShards, files } = await splitShards(walked.files);
  const shardsDone = await redis.hgetall(keys.shardsDone(storeKey(spec.store)));
  const shards = allShards.filter((f) => shardsDone[f.path] !== `${f.size}:${f.mtimeMs}`);
  const queue = new Queue<EncodeJobData>(ENCODE_QUEUE, { connection, prefix: PREFIX });
  queue.on('error', onError);
  try {
    const jobs: { name: string; data: EncodeJobData; opts: { jobId: string } & typeof JOB_ATTEMPTS }[] = [];
    let skipped = 0;
    for (const [n, whole] of chunks(files, batchFiles).entries()) {
      const chunk = whole.filter((f) => !isUnchanged(f));
      skipped += whole.length - chunk.length;
      if (chunk.length)
        jobs.push({
          name: 'files',
          data: { runId: spec.id, kind: 'files', files: chunk },
          opts: { jobId: `${spec.id}-f${n}`, ...JOB_ATTEMPTS },
        });
    }
    shards.forEach((s, n) =>
      jobs.push({
        name: 'shard',
        data: { runId: spec.id, kind: 'shard', path: s.path },
        opts: { jobId: `${spec.id}-s${n}`, ...JOB_ATTEMPTS },
      }),
    );
    for (let i = 0; i < jobs.length; i += 500) {
      const part = jobs.slice(i, i + 500);
      await redis.sadd(keys.jobs(spec.id), ...part.map((j) => j.opts.jobId));
      await queue.addBulk(part);
    }
    const problems = walked.problems.map((p) => ({ path: p.path, code: p.code ?? ErrorCodes.MEDIA_UNREADABLE, reason: p.reason }));
    const done = redis.multi().hset(keys.state(spec.id), {
      enqueued: 1,
      files: files.length,
      shards: shards.length,
      skippedShards: allShards.length - shards.length,
      skipped,
      walkFailed: problems.length,
    });
    if (problems.length) done.rpush(keys.failures(spec.id), ...problems.map((p) => JSON.stringify(p)));
    await done.exec();
    await redis.hset(keys.state(spec.id), 'shardFiles', JSON.stringify(shards.map((s) => [s.path, `${s.size}:${s.mtimeMs}`])));
    return { problems };
  } finally {
    await queue.close();
  }
}

export const resolvePaths = (paths: string[]) => paths.map((p) => resolve(p));

/**
 * Cuts the walked files into jobs of at most `batchFiles` files and MAX_JOB_CHARS characters of JSON (long paths
 * make smaller jobs). Depends on the walk alone, so an interrupted enqueue cuts the same chunks again.
 */
export function chunks(files: WalkedFile[], batchFiles: number): WalkedFile[][] {
  const out: WalkedFile[][] = [];
  const budget = MAX_JOB_CHARS - 200; // the job's own fields around its files
  let current: WalkedFile[] = [];
  let chars = 0;
  for (const f of files) {
    const size = JSON.stringify(f).length + 1;
    if (current.length && (current.length >= batchFiles || chars + size > budget)) {
      out.push(current);
      current = [];
      chars = 0;
    }
    current.push(f);
    chars += size;
  }
  if (current.length) out.push(current);
  return out;
}
