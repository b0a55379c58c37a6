import type { IndexCounts } from '../ingest/progress.js';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { IndexFailure } from '../ingest/progress.js';
import { ErrorCodes } from '../errors/codes.js';
import { keys, type EncodeJobData } from './run-spec.js';
import { describeFailedJob, type FailedJobView } from './job-data.js';

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

const num = (v: string | undefined | null) => (v && Number.isFinite(Number(v)) ? Number(v) : 0);

export async function readRunProgress(redis: Redis, encode: Queue<EncodeJobData>, runId: string): Promise<RunProgress> {
  const [state, stats, jobs, jobsDone, expected, commitsApplied] = await Promise.all([
    redis.hgetall(keys.state(runId)),
    redis.hgetall(keys.stats(runId)),
    redis.scard(keys.jobs(runId)),
    redis.scard(keys.encoded(runId)),
    redis.hvals(keys.expected(runId)),
    redis.scard(keys.committed(runId)),
  ]);
  const failedJobs = await failedJobsOf(encode, runId, redis);
  // Only the run's own jobs count towards its end; a job someone else added under its id is shown and counted as failed, no more.
  const jobsFailed = failedJobs.filter((j) => j.ofRun).length;
  const failedFiles = failedJobs.reduce((n, j) => n + j.files, 0);
  const p = {
    runId,
    enqueued: state.enqueued === '1',
    jobs,
    jobsDone,
    jobsFailed,
    commitsExpected: expected.reduce((n, v) => n + Number(v), 0),
    commitsApplied,
    files: num(state.files),
    shards: num(state.shards),
    samples: num(stats.samples),
    added: num(stats.added),
    updated: num(stats.updated),
    skipped: num(state.skipped) + num(stats.skipped),
    failed: num(stats.failed) + num(state.walkFailed) + failedFiles,
    startedAt: num(state.startedAt),
    finishedAt: state.finishedAt ? Number(state.finishedAt) : undefined,
  };
  const finished = p.enqueued && jobsDone + jobsFailed >= jobs && p.commitsApplied >= p.commitsExpected;
  const settled = p.added + p.updated + p.skipped + p.failed;
  const seconds = ((p.finishedAt ?? Date.now()) - p.startedAt) / 1000;
  return { ...p, finished, rate: seconds > 0 ? settled / seconds : 0 };
}

/**
 * The encode jobs of `runId` that failed their last attempt, with the reason, its code and how many files they
 * held; `ofRun` when the job is one the run queued. Jobs whose data is unusable (not JSON, another shape, too
 * large to read) are listed with their own code, never thrown on.
 */
export async function failedJobsOf(
  encode: Queue<EncodeJobData>,
  runId: string,
  redis: Redis,
): Promise<(FailedJobView & { ofRun: boolean })[]> {
  const failed = (await encode.getFailed(0, -1))
    .filter(Boolean)
    .map((j) => describeFailedJob(j))
    .filter((j) => j.runId === runId);
  if (!failed.length) return [];
  const members = await redis.pipeline(failed.map((j) => ['sismember', keys.jobs(runId), j.id])).exec();
  return failed.map((j, i) => ({ ...j, ofRun: members?.[i]?.[1] === 1 }));
}

/** File-level failures recorded by workers and the committer, plus one line per failed job. */
export async function runFailures(redis: Redis, encode: Queue<EncodeJobData>, runId: string): Promise<IndexFailure[]> {
  const recorded = (await redis.lrange(keys.failures(runId), 0, -1)).map(failureLine);
  const jobs = (await failedJobsOf(encode, runId, redis)).map((j) => ({
    path: j.path,
    code: j.code,
    reason: `job ${j.id} (${j.files} file${j.files === 1 ? '' : 's'}) failed${j.attempts > 1 ? ` after ${j.attempts} attempts` : ''}: ${j.reason}`,
  }));
  return [...recorded, ...jobs];
}

function failureLine(raw: string): IndexFailure {
  try {
    const f = JSON.parse(raw) as Partial<IndexFailure>;
    if (typeof f === 'object' && f !== null && typeof f.path === 'string' && typeof f.reason === 'string')
      return { path: f.path, reason: f.reason, code: typeof f.code === 'string' ? f.code : ErrorCodes.QUEUE_FAILED };
  } catch {
    /* shown below */
  }
  return {
    path: '',
    code: ErrorCodes.QUEUE_JOB_MALFORMED,
    reason: `a failure record in Redis is not one Rosetta wrote: ${raw.slice(0, 120)}`,
  };
}
