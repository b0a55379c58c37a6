import { Job, Queue, Worker, UnrecoverableError, type MinimalQueue } from 'bullmq';
import { RosettaError } from '../errors/rosetta-error.js';
import { ErrorCodes } from '../errors/codes.js';
import type { WalkedFile } from '../ingest/walk.js';
import type { EncodeJobData } from './run-spec.js';

/** Most files one encode job may name (`--batch-files` above it is refused). */
export const MAX_FILES_PER_JOB = 1024;
/** Largest encode job, in characters of its JSON: the enqueuer splits chunks to stay under it, workers refuse more before parsing. */
export const MAX_JOB_CHARS = 1024 * 1024;

/** What a job's data becomes when it cannot be used as written: too large to parse, or not JSON. */
interface Unusable {
  unusable: 'too-large' | 'not-json';
  chars: number;
  reason?: string;
}

/**
 * BullMQ parses a job's data (`JSON.parse`) as it fetches the job, before any processor sees it. Encode jobs are
 * read through this class instead: data longer than MAX_JOB_CHARS is never parsed (a 23 MB job of 300k files
 * would hold a worker at gigabytes), and data that is not JSON does not throw inside BullMQ; both arrive as a
 * small `Unusable` marker, which the worker refuses with a coded error and `queue status` reports.
 */
class GuardedJob<D = unknown, R = unknown, N extends string = string> extends Job<D, R, N> {
  static override fromJSON<T = unknown, R = unknown, N extends string = string>(
    queue: MinimalQueue,
    json: JobJsonRaw,
    jobId?: string,
  ): Job<T, R, N> {
    const raw = typeof json.data === 'string' ? json.data : '';
    let marker: Unusable | undefined;
    if (raw.length > MAX_JOB_CHARS) marker = { unusable: 'too-large', chars: raw.length };
    else {
      try {
        JSON.parse(raw || '{}');
      } catch (error) {
        marker = { unusable: 'not-json', chars: raw.length, reason: (error as Error).message };
      }
    }
    return super.fromJSON<T, R, N>(queue, marker ? { ...json, data: JSON.stringify(marker) } : json, jobId);
  }
}

/** The shared encode queue, its jobs read through GuardedJob. */
export class EncodeQueue extends Queue<EncodeJobData> {
  protected override get Job(): typeof Job {
    return GuardedJob as typeof Job;
  }
}

/** A worker of the encode queue, its jobs read through GuardedJob. */
export class EncodeWorker extends Worker<EncodeJobData> {
  protected override get Job(): typeof Job {
    return GuardedJob as typeof Job;
  }
}

type JobJsonRaw = Parameters<typeof Job.fromJSON>[1];

const malformed = (why: string) =>
  new RosettaError(ErrorCodes.QUEUE_JOB_MALFORMED, `The job's data ${why}`, {
    hint:
      'jobs are written by `rosetta index --queue`; ' +
      'one in another shape was written by something else (or an older version): drop its run with `rosetta queue forget`',
  });

/** A job that must not be retried: the same data would be refused again. Its reason starts with the code. */
export const final = (error: RosettaError) => new UnrecoverableError(`${error.code}: ${error.message}`);

const isFile = (f: unknown): f is WalkedFile =>
  typeof f === 'object' &&
  f !== null &&
  typeof (f as WalkedFile).path === 'string' &&
  Number.isFinite((f as WalkedFile).size) &&
  (f as WalkedFile).size >= 0 &&
  Number.isFinite((f as WalkedFile).mtimeMs);

/** The job's data if it has the shape and size of an encode job; else the coded error that refuses it. */
export function checkEncodeJob(data: unknown): EncodeJobData {
  if (typeof data !== 'object' || data === null) throw malformed('is not an object');
  const d = data as Partial<Unusable> & { runId?: unknown; kind?: unknown; files?: unknown; path?: unknown };
  if (d.unusable === 'too-large') {
    throw new RosettaError(
      ErrorCodes.QUEUE_JOB_TOO_LARGE,
      `The job is ${d.chars} characters long, above the ${MAX_JOB_CHARS}-character limit of a job; not parsed`,
      {
        hint:
          `\`rosetta index --queue\` writes jobs of at most ${MAX_FILES_PER_JOB} files and ${MAX_JOB_CHARS} characters; ` +
          `this one was written by something else`,
      },
    );
  }
  if (d.unusable === 'not-json') throw malformed(`is not JSON (${d.reason ?? 'unparsable'})`);
  if (typeof d.runId !== 'string' || d.runId === '') throw malformed('has no run id');
  if (d.kind === 'shard') {
    if (typeof d.path !== 'string') throw malformed('is a shard job without a path');
    return { runId: d.runId, kind: 'shard', path: d.path };
  }
  if (d.kind !== 'files') throw malformed(`has an unknown kind ${JSON.stringify(d.kind)?.slice(0, 40)}`);
  if (!Array.isArray(d.files)) throw malformed('is a files job without a list of files');
  if (d.files.length > MAX_FILES_PER_JOB) {
    throw new RosettaError(
      ErrorCodes.QUEUE_JOB_TOO_LARGE,
      `The job names ${d.files.length} files, above the limit of ${MAX_FILES_PER_JOB} per job`,
      {
        hint: `\`rosetta index --queue\` writes at most ${MAX_FILES_PER_JOB} files per job (--batch-files); this one was written by something else`,
      },
    );
  }
  if (!d.files.every(isFile)) throw malformed('names a file without a path, size or modification time');
  return { runId: d.runId, kind: 'files', files: d.files };
}

/** What `queue status` shows of a failed job, whatever its data holds. */
export interface FailedJobView {
  id: string;
  runId?: string;
  reason: string;
  code: string;
  files: number;
  path: string;
  attempts: number;
}

export function describeFailedJob(job: { id?: string; data?: unknown; failedReason?: string; attemptsMade?: number }): FailedJobView {
  const reason = typeof job.failedReason === 'string' ? job.failedReason : 'no reason recorded';
  const coded = /^(ROSETTA_ERR_[A-Z0-9_]+): /.exec(reason);
  const view = {
    id: String(job.id),
    reason: coded ? reason.slice(coded[0].length) : reason,
    code: coded?.[1] ?? ErrorCodes.QUEUE_FAILED,
    attempts: Number(job.attemptsMade) || 0,
  };
  const runId =
    typeof (job.data as { runId?: unknown } | undefined)?.runId === 'string' ? (job.data as { runId: string }).runId : undefined;
  try {
    const d = checkEncodeJob(job.data);
    return { ...view, runId, files: d.kind === 'files' ? d.files.length : 1, path: d.kind === 'files' ? (d.files[0]?.path ?? '') : d.path };
  } catch (error) {
    const e = error as RosettaError;
    // A job whose data is unusable counts as one failure, shown with why its data was refused.
    return { ...view, runId, code: e.code, reason: `${e.message.split('\n')[0]} (${view.reason})`, files: 1, path: `job ${view.id}` };
  }
}
