/**
 * A distributed-ingest worker, and `rosetta index --queue` (its run's queue, Redis client and committer), report
 * the errors they meet outside a job (a Redis they cannot reach, their own bookkeeping) with a code and the
 * original error as the cause, the Redis password hidden, instead of dropping them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/run-cli.js';
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

test('the committer and the run of `index --queue` name themselves in what they report', () => {
  const lost = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
  const committer = workerError(lost, 'redis://:pw@127.0.0.1:6399', 'committer');
  assert.equal(committer.code, ErrorCodes.QUEUE_UNREACHABLE);
  assert.match(committer.message, /committer/);
  assert.doesNotMatch(committer.message, /:pw@/);
  const run = workerError(new Error('Unexpected reply'), 'redis://127.0.0.1:6399', 'run');
  assert.equal(run.code, ErrorCodes.QUEUE_FAILED);
  assert.match(run.message, /run's queue/);
  assert.match(run.message, /Unexpected reply/);
});

test('one reporter over several connections reports an error they all meet once, even interleaved', () => {
  const seen: RosettaError[] = [];
  const report = errorReporter('redis://127.0.0.1:6399', (e) => seen.push(e), 60_000, 'run');
  const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6399'), { code: 'ECONNREFUSED' });
  for (let i = 0; i < 3; i++) {
    report(refused());
    report(new Error('Connection is closed.'));
  }
  assert.equal(seen.length, 2);
});

/** A free port with nothing listening on it. */
function freePort(): Promise<number> {
  return new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

test(
  '`index --queue` against a Redis that is not there reports it through onError, coded, password hidden, cause kept',
  { timeout: 120_000 },
  async () => {
    const port = await freePort();
    const child = fileURLToPath(new URL('./index-error-child.ts', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', child, `redis://user:s3cret@127.0.0.1:${port}`], {
      timeout: 100_000,
    });
    const reported = JSON.parse(stdout) as { code: string; message: string; cause?: string };
    assert.equal(reported.code, ErrorCodes.QUEUE_UNREACHABLE);
    assert.match(reported.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
    assert.doesNotMatch(reported.message, /s3cret/, 'the Redis password is not shown');
    assert.match(reported.cause ?? '', /ECONNREFUSED/, 'the connection error is kept as the cause');
  },
);

test(
  '`queue status` against a Redis that is not there fails with QUEUE_UNREACHABLE and the refused connection as its cause',
  { timeout: 120_000 },
  async () => {
    const port = await freePort();
    const { queueStatus } = await import('../../src/queue/queue-status.js');
    const reported: RosettaError[] = [];
    await assert.rejects(queueStatus(`redis://:s3cret@127.0.0.1:${port}`, { onError: (e) => reported.push(e) }), (e: unknown) => {
      assert.ok(RosettaError.is(e));
      assert.equal(e.code, ErrorCodes.QUEUE_UNREACHABLE);
      assert.doesNotMatch(e.message, /s3cret/);
      assert.match(e.cause instanceof Error ? e.cause.message : '', /ECONNREFUSED/);
      return true;
    });
    assert.deepEqual(reported, [], 'the failure is the thrown error, not a second report besides it');
  },
);

test('`rosetta index --queue` prints a Redis it cannot reach on stderr, coded, the password hidden', { timeout: 180_000 }, async () => {
  const port = await freePort();
  const root = mkdtempSync(join(tmpdir(), 'rosetta-index-queue-error-'));
  try {
    writeFileSync(join(root, 'note.txt'), 'a red car');
    const r = await runCli(
      [
        'index',
        join(root, 'note.txt'),
        '--dir',
        join(root, 'c'),
        '--model',
        'mini',
        '--offline',
        '--queue',
        `redis://:s3cret@127.0.0.1:${port}`,
      ],
      { timeoutMs: 150_000 },
    );
    assert.notEqual(r.code, 0, r.stderr);
    // Reported while the run waits for Redis (not only the final failure): its code, the URL and the socket error.
    assert.match(r.stderr, new RegExp(`rosetta index: ${ErrorCodes.QUEUE_UNREACHABLE}: .*127\\.0\\.0\\.1:${port} \\(connect ECONNREFUSED`));
    assert.doesNotMatch(r.stderr, /s3cret/, 'the Redis password is not shown');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
