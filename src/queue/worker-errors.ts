import { RosettaError } from '../errors/rosetta-error.js';
import { ErrorCodes } from '../errors/codes.js';
import { redactUrl } from './connection.js';

const CONNECTION = /ECONNREFUSED|ECONNRESET|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|EPIPE|Connection is closed|connect/i;

/**
 * Who met the error, as its message names it: a `rosetta worker`, the committer inside `rosetta index --queue`,
 * or the run's own queue and Redis client there (and in `rosetta queue status`).
 */
export type QueueRole = 'worker' | 'committer' | 'run';

const WHO: Record<QueueRole, string> = {
  worker: 'The worker',
  committer: 'The committer of `rosetta index --queue`',
  run: "The run's queue",
};

const FAILED_HINT: Record<QueueRole, string> = {
  worker: 'a job it held is retried by another worker once its lock lapses; see the cause',
  committer: 'a commit job it held is retried once its lock lapses; see the cause',
  run: 'the run goes on once Redis answers again; see the cause',
};

/**
 * What a queue worker (or committer, or run's queue) reports of an error outside any job (BullMQ's `error` event:
 * a lost Redis connection, a lock that could not be renewed, a failure in its own bookkeeping): a RosettaError
 * with a code, QUEUE_UNREACHABLE for a connection that failed (it reconnects by itself) and QUEUE_FAILED
 * otherwise, with the original as its cause.
 */
export function workerError(error: unknown, url: string, role: QueueRole = 'worker'): RosettaError {
  if (RosettaError.is(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown })?.code;
  if (CONNECTION.test(`${String(code ?? '')} ${message}`)) {
    return new RosettaError(
      ErrorCodes.QUEUE_UNREACHABLE,
      `${WHO[role]} cannot reach Redis at ${redactUrl(url)} (${message}); it keeps reconnecting and goes on once Redis answers`,
      { hint: 'check that redis-server is running and reachable from this machine', cause: error },
    );
  }
  return new RosettaError(ErrorCodes.QUEUE_FAILED, `${WHO[role]} failed outside a job: ${message}`, {
    hint: FAILED_HINT[role],
    cause: error,
  });
}

/**
 * Reports worker errors to `report`, each once while it repeats (a Redis that is down fails every reconnect with
 * the same message): a different error, or the same one after `quietMs` without it, is reported again.
 * One reporter can listen to several emitters (a Redis client and its queues): an error they all meet is
 * reported once, even when their messages interleave.
 */
export function errorReporter(
  url: string,
  report: (error: RosettaError) => void,
  quietMs = 60_000,
  role: QueueRole = 'worker',
): (error: unknown) => void {
  const seenAt = new Map<string, number>();
  return (error) => {
    const coded = workerError(error, url, role);
    const key = `${coded.code} ${coded.message}`;
    const now = Date.now();
    const at = seenAt.get(key);
    const repeat = at !== undefined && now - at < quietMs;
    if (seenAt.size > 100) seenAt.clear();
    seenAt.set(key, now);
    if (!repeat) report(coded);
  };
}

/** The default report of a command-line process: one line on stderr, `<prefix>: <code>: <message>`. */
export function stderrReporter(prefix: string): (error: RosettaError) => void {
  return (e) => process.stderr.write(`${prefix}: ${e.code}: ${e.message}\n`);
}
