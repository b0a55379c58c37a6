import { RosettaError } from '../errors/rosetta-error.js';
import { ErrorCodes } from '../errors/codes.js';
import { redactUrl } from './connection.js';

const CONNECTION = /ECONNREFUSED|ECONNRESET|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|EPIPE|Connection is closed|connect/i;

/**
 * What a queue worker reports of an error outside any job (BullMQ's `error` event: a lost Redis connection, a
 * lock that could not be renewed, a failure in its own bookkeeping): a RosettaError with a code, QUEUE_UNREACHABLE
 * for a connection that failed (it reconnects by itself) and QUEUE_FAILED otherwise, with the original as its cause.
 */
export function workerError(error: unknown, url: string): RosettaError {
  if (RosettaError.is(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown })?.code;
  if (CONNECTION.test(`${String(code ?? '')} ${message}`)) {
    return new RosettaError(
      ErrorCodes.QUEUE_UNREACHABLE,
      `The worker lost Redis at ${redactUrl(url)} (${message}); it reconnects and goes on`,
      { hint: 'check that redis-server is running and reachable from this machine', cause: error },
    );
  }
  return new RosettaError(ErrorCodes.QUEUE_FAILED, `The worker failed outside a job: ${message}`, {
    hint: 'a job it held is retried by another worker once its lock lapses; see the cause',
    cause: error,
  });
}

/**
 * Reports worker errors to `report`, each once while it repeats (a Redis that is down fails every reconnect with
 * the same message): a different error, or the same one after `quietMs` without it, is reported again.
 */
export function errorReporter(url: string, report: (error: RosettaError) => void, quietMs = 60_000): (error: unknown) => void {
  let last = '';
  let lastAt = 0;
  return (error) => {
    const coded = workerError(error, url);
    const key = `${coded.code} ${coded.message}`;
    const now = Date.now();
    const repeat = key === last && now - lastAt < quietMs;
    lastAt = now;
    last = key;
    if (!repeat) report(coded);
  };
}
