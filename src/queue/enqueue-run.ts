import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { walkPaths, type WalkedFile } from '../ingest/walk.js';
import { splitShards } from '../datasets/shards/shard-sample.js';
import { RosettaError } from '../errors/rosetta-error.js';
import { ErrorCodes } from '../errors/codes.js';
import { JOB_ATTEMPTS } from './locks.js';
import { ENCODE_QUEUE, keys, PREFIX, readSpec, storeKey, type EncodeJobData, type RunSpec } from './run-spec.js';
import type { RedisOptions } from 'bullmq';

export interface WalkProblemRecord { path: string; code: string; reason: string }

/**
 * Finds the store's unfinished run with the same paths (a restarted `index --queue` resumes it), or
 * records a new one. Another unfinished run on the same store is refused: one committer per collection.
 */
export async function openRun(redis: Redis, spec: Omit<RunSpec, 'id' | 'createdAt'>): Promise<{ spec: RunSpec; resumed: boolean }> {
  const activeKey = keys.active(storeKey(spec.store));
  const activeId = await redis.get(activeKey);
  if (activeId) {
    const active = await readSpec(redis, activeId);
    if (active && JSON.stringify(active.paths) === JSON.stringify(spec.paths)) return { spec: active, resumed: true };
    if (active) {
      throw new RosettaError(ErrorCodes.QUEUE_FAILED, `Run ${activeId} on this collection is unfinished (paths: ${active.paths.join(', ')})`,
        { hint: `finish it by running \`rosetta index --queue … ${active.paths.join(' ')}\` again, or drop it with \`rosetta queue forget ${activeId}\`` });
    }
  }
  const full: RunSpec = { ...spec, id: `${Date.now().toString(36)}${randomUUID().slice(0, 6)}`, createdAt: new Date().toISOString() };
  await redis.multi().set(keys.spec(full.id), JSON.stringify(full)).zadd(keys.runs, Date.now(), full.id).set(activeKey, full.id)
    .hset(keys.state(full.id), 'startedAt', Date.now()).exec();
  return { spec: full, resumed: false };
}

/**
 * Walks the run's paths and queues its work: files in fixed chunks of `batchFiles` (ids from the chunk's
 * position, so re-queuing after an interrupted enqueue adds nothing twice), shards one job each.
 * Files unchanged since they were stored are skipped here, as in-process ingest skips them.
 */
export async function enqueueRun(redis: Redis, connection: RedisOptions, spec: RunSpec, isUnchanged: (file: WalkedFile) => boolean, batchFiles: number): Promise<{ problems: WalkProblemRecord[] }> {
  const walked = await walkPaths(spec.paths, { exclude: spec.store.kind === 'lancedb' ? [spec.store.dir] : [] });
  const { shards: allShards, files } = await splitShards(walked.files);
  const shardsDone = await redis.hgetall(keys.shardsDone(storeKey(spec.store)));
  const shards = allShards.filter((f) => shardsDone[f.path] !== `${f.size}:${f.mtimeMs}`);
  const queue = new Queue<EncodeJobData>(ENCODE_QUEUE, { connection, prefix: PREFIX });
  queue.on('error', () => undefined);
  try {
    const jobs: { name: string; data: EncodeJobData; opts: { jobId: string } & typeof JOB_ATTEMPTS }[] = [];
    let skipped = 0;
    for (let i = 0, n = 0; i < files.length; i += batchFiles, n += 1) {
      const chunk = files.slice(i, i + batchFiles).filter((f) => !isUnchanged(f));
      skipped += Math.min(batchFiles, files.length - i) - chunk.length;
      if (chunk.length) jobs.push({ name: 'files', data: { runId: spec.id, kind: 'files', files: chunk }, opts: { jobId: `${spec.id}-f${n}`, ...JOB_ATTEMPTS } });
    }
    shards.forEach((s, n) => jobs.push({ name: 'shard', data: { runId: spec.id, kind: 'shard', path: s.path }, opts: { jobId: `${spec.id}-s${n}`, ...JOB_ATTEMPTS } }));
    for (let i = 0; i < jobs.length; i += 500) {
      const part = jobs.slice(i, i + 500);
      await queue.addBulk(part);
      await redis.sadd(keys.jobs(spec.id), ...part.map((j) => j.opts.jobId));
    }
    const problems = walked.problems.map((p) => ({ path: p.path, code: ErrorCodes.MEDIA_UNREADABLE, reason: p.reason }));
    const done = redis.multi().hset(keys.state(spec.id), { enqueued: 1, files: files.length, shards: shards.length, skippedShards: allShards.length - shards.length, skipped, walkFailed: problems.length });
    if (problems.length) done.rpush(keys.failures(spec.id), ...problems.map((p) => JSON.stringify(p)));
    await done.exec();
    await redis.hset(keys.state(spec.id), 'shardFiles', JSON.stringify(shards.map((s) => [s.path, `${s.size}:${s.mtimeMs}`])));
    return { problems };
  } finally {
    await queue.close();
  }
}

export const resolvePaths = (paths: string[]) => paths.map((p) => resolve(p));
