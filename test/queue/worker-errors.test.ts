/**
 * A distributed-ingest worker reports the errors it meets outside a job (a Redis it cannot reach, its own
 * bookkeeping) with a code and the original error as the cause, instead of dropping them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { errorReporter, workerError } from '../../src/queue/worker-errors.js';
import { ErrorCodes } from '../../src/errors/codes.js';
import { RosettaError } from '../../src/errors/rosetta-error.js';

test('a refused Redis connection is QUEUE_UNREACHABLE, the password hidden, the socket error kept as its cause', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6399'), { code: 'ECONNREFUSED' });
  const coded = workerError(refused, 'redis://user:s3cret@127.0.0.1:6399');
  assert.equal(coded.code, ErrorCodes.QUEUE_UNREACHABLE);
  assert.equal(coded.cause, refused);
  assert.match(coded.message, /ECONNREFUSED/);
  assert.doesNotMatch(coded.message, /s3cret/);
  const other = new Error('Missing lock for job 7. moveToFinished');
  assert.equal(workerError(other, 'redis://127.0.0.1:6399').code, ErrorCodes.QUEUE_FAILED);
  assert.equal(workerError(other, 'redis://127.0.0.1:6399').cause, other);
  const already = new RosettaError(ErrorCodes.QUEUE_KEY, 'no key');
  assert.equal(workerError(already, 'redis://127.0.0.1:6399'), already);
});

test('an error that repeats on every reconnect is reported once, a different one again', () => {
  const seen: RosettaError[] = [];
  const report = errorReporter('redis://127.0.0.1:6399', (e) => seen.push(e));
  for (let i = 0; i < 5; i++) report(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6399'), { code: 'ECONNREFUSED' }));
  report(new Error('Missing lock for job 7'));
  assert.deepEqual(
    seen.map((e) => e.code),
    [ErrorCodes.QUEUE_UNREACHABLE, ErrorCodes.QUEUE_FAILED],
  );
});

test(
  'a worker started against a Redis that is not there says so through onError, with the code and the cause',
  { timeout: 120_000 },
  async () => {
    // A free port with nothing listening on it.
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const child = fileURLToPath(new URL('./worker-error-child.ts', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', child, `redis://127.0.0.1:${port}`], {
      timeout: 100_000,
    });
    const reported = JSON.parse(stdout) as { code: string; message: string; cause?: string };
    assert.equal(reported.code, ErrorCodes.QUEUE_UNREACHABLE);
    assert.match(reported.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
    assert.match(reported.cause ?? '', /ECONNREFUSED/, 'the connection error is kept as the cause');
  },
);
