import { RosettaError } from '../../errors/rosetta-error.js';
import { ErrorCodes } from '../../errors/codes.js';

/** Wraps a LanceDB failure in a RosettaError that names the collection directory and the likely fix. */
export function storeFailed(dir: string, operation: string, cause: unknown): RosettaError {
  if (RosettaError.is(cause)) return cause;
  const text = cause instanceof Error ? cause.message : String(cause);
  const first = text
    .split('\n')[0]
    .replace(/, \/usr\/local\/cargo\S*/g, '')
    .slice(0, 300);
  let hint =
    `if another process is writing to ${dir}, let it finish and retry; ` +
    `if the directory is damaged, move it aside and run the index again (items are re-read from their files)`;
  if (/conflict|concurrent|retryable|lock/i.test(text))
    hint = `another writer changed ${dir} at the same time; run one writer per collection and retry`;
  else if (/no such file|not found|does not exist/i.test(text))
    hint = `files under ${dir} are missing; restore the directory or move it aside and run the index again`;
  else if (/permission|EACCES|read-only/i.test(text)) hint = `make ${dir} writable by this user`;
  else if (/no space|ENOSPC/i.test(text)) hint = `free disk space under ${dir}, then run optimize() to compact old versions`;
  return new RosettaError(ErrorCodes.STORE_FAILED, `The collection at ${dir} failed during ${operation}: ${first}`, {
    file: dir,
    hint,
    cause,
  });
}

/** Runs `fn`, rethrowing any failure as STORE_FAILED with the caller's stack. */
export async function guard<T>(dir: string, operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw storeFailed(dir, operation, error);
  }
}
