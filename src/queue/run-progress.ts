import type { IndexCounts } from '../ingest/progress.js';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { IndexFailure } from '../ingest/progress.js';
import { keys, type EncodeJobData } from './run-spec.js';

/** Where a distributed run stands, read from Redis alone (any machine can ask). */
export interface RunProgress extends IndexCounts {
  runId: string;
  enqueued: boolean;
  /** Encode jobs queued, recorded done, and failed after their last attempt. */
  jobs: number;
  jobsDone: number;
  jobsFailed: number;
  /** Commit jobs produced by workers and applied by the committer (LanceDB runs). */
  commitsExpected: number;
  commitsApplied: number;
  files: number;
  shards: number;
  /** Shard samples read so far. */
  samples: number;
  startedAt: number;
  finishedAt?: number;
  /** Items (files or samples) settled per second since the run started. */
  rate: number;
  finished: boolean;
}

const num = (v: string | undefined | null) => (v ? Number(v) : 0);

export async function readRunProgress(redis: Redis, encode: Queue<EncodeJobData>, runId: string): Promise<RunProgress> {
  const [state, stats, jobs, jobsDone, expected, commitsApplied] = await Promise.all([
    redis.hgetall(keys.state(runId)), redis.hgetall(keys.stats(runId)), redis.scard(keys.jobs(runId)), redis.scard(keys.encoded(runId)),
    redis.hvals(keys.expected(runId)), redis.scard(keys.committed(runId)),
  ]);
  const failedJobs = await failedJobsOf(encode, runId);
  const jobsFailed = failedJobs.length;
  const failedFiles = failedJobs.reduce((n, j) => n + j.files, 0);
  const p = {
    runId, enqueued: state.enqueued === '1', jobs, jobsDone, jobsFailed,
    commitsExpected: expected.reduce((n, v) => n + Number(v), 0), commitsApplied,
    files: num(state.files), shards: num(state.shards), samples: num(stats.samples),
    added: num(stats.added), updated: num(stats.updated), skipped: num(state.skipped) + num(stats.skipped),
    failed: num(stats.failed) + num(state.walkFailed) + failedFiles,
    startedAt: num(state.startedAt), finishedAt: state.finishedAt ? Number(state.finishedAt) : undefined,
  };
  const finished = p.enqueued && jobsDone + jobsFailed >= jobs && p.commitsApplied >= p.commitsExpected;
  const settled = p.added + p.updated + p.skipped + p.failed;
  const seconds = ((p.finishedAt ?? Date.now()) - p.startedAt) / 1000;
  return { ...p, finished, rate: seconds > 0 ? settled / seconds : 0 };
}

/** The run's encode jobs that failed their last attempt, with the reason and how many files they held. */
export async function failedJobsOf(encode: Queue<EncodeJobData>, runId: string): Promise<{ id: string; reason: string; files: number; path: string; attempts: number }[]> {
  const failed = await encode.getFailed(0, -1);
  return failed.filter((j) => j?.data?.runId === runId).map((j) => ({
    id: String(j.id), reason: j.failedReason, attempts: j.attemptsMade,
    files: j.data.kind === 'files' ? j.data.files.length : 1,
    path: j.data.kind === 'files' ? j.data.files[0]?.path ?? '' : j.data.path,
  }));
}

/** File-level failures recorded by workers and the committer, plus one line per failed job. */
export async function runFailures(redis: Redis, encode: Queue<EncodeJobData>, runId: string): Promise<IndexFailure[]> {
  const recorded = (await redis.lrange(keys.failures(runId), 0, -1)).map((s) => JSON.parse(s) as IndexFailure);
  const jobs = (await failedJobsOf(encode, runId)).map((j) => ({ path: j.path, code: 'ROSETTA_ERR_QUEUE_FAILED', reason: `job ${j.id} (${j.files} file${j.files === 1 ? '' : 's'}) failed after ${j.attempts} attempts: ${j.reason}` }));
  return [...recorded, ...jobs];
}
