/**
 * Peak memory of a `rosetta worker` handed one oversize job: 300,000 files in one encode job (28 MB of JSON;
 * ROSETTA_BENCH_FILES=1024 for the largest job the limits allow),
 * as someone writing to the queue's Redis could queue it. Starts a loopback redis-server, a run record (signed
 * when this build signs runs), the job, and one worker process; waits until the job is failed or done (or
 * ROSETTA_BENCH_WAIT_S, default 240 s), then prints the job's state, reason, how often it stalled, and the
 * worker's peak resident set (VmHWM).
 *
 *   npx tsx bench/queue-big-job.ts [rosetta-root]    # rosetta-root: another checkout to measure (default this one)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { RedisHarness } from '../test/helpers/redis-server.js';
import { buildTinyClip } from '../test/helpers/tiny-clip.js';

const rosettaRoot = resolve(process.argv[2] ?? join(import.meta.dirname, '..'));
const FILES = Number(process.env.ROSETTA_BENCH_FILES ?? 300_000);
const waitS = Number(process.env.ROSETTA_BENCH_WAIT_S ?? 240);
const key = randomBytes(32).toString('hex');

const vmHwmKb = (pid: number) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);

const redis = await RedisHarness.start();
const dir = mkdtempSync(join(tmpdir(), 'rosetta-big-job-'));
const client = new Redis(redis.port, '127.0.0.1');
const encode = new Queue('encode', { connection: { host: '127.0.0.1', port: redis.port }, prefix: 'rosetta' });
try {
  const model = buildTinyClip();
  const runId = 'bigjob';
  const spec = {
    id: runId,
    createdAt: new Date().toISOString(),
    paths: [dir],
    store: { kind: 'lancedb', dir: join(dir, 'collection') },
    spaces: [{ id: 'tiny', model }],
  };
  let record = JSON.stringify(spec);
  try {
    const trust = (await import(join(rosettaRoot, 'src/queue/run-trust.ts'))) as { signSpec: (k: Buffer, s: unknown) => string };
    record = trust.signSpec(Buffer.from(key), spec);
  } catch {
    /* a build before signed runs: the plain record it reads */
  }
  await client.set(`rosetta:run:${runId}:spec`, record);
  await client.sadd(`rosetta:run:${runId}:jobs`, 'big');
  const files = Array.from({ length: FILES }, (_, i) => ({
    path: join(dir, `photos/f${String(i).padStart(7, '0')}.png`),
    size: 4096,
    mtimeMs: 1_700_000_000_000 + i,
  }));
  await encode.add('files', { runId, kind: 'files', files }, { jobId: 'big', attempts: 5, backoff: { type: 'exponential', delay: 1000 } });
  const chars = (await client.hget('rosetta:encode:big', 'data'))!.length;

  const worker = spawn(
    process.execPath,
    [join(rosettaRoot, 'bin/rosetta.js'), 'worker', '--queue', redis.url, '--offline', '--threads', '1', '--json'],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ROSETTA_QUEUE_KEY: key } },
  );
  let peak = 0;
  const started = Date.now();
  let state = 'waiting';
  while (Date.now() - started < waitS * 1000 && worker.exitCode === null) {
    await new Promise((r) => setTimeout(r, 200));
    try {
      peak = Math.max(peak, vmHwmKb(worker.pid!));
    } catch {
      break;
    }
    state = await encode.getJobState('big');
    if (state === 'failed' || state === 'completed') break;
  }
  try {
    peak = Math.max(peak, vmHwmKb(worker.pid!));
  } catch {
    /* exited */
  }
  const job = await encode.getJob('big');
  worker.kill('SIGKILL');
  console.log(
    JSON.stringify(
      {
        rosetta: rosettaRoot,
        jobChars: chars,
        files: FILES,
        state,
        seconds: Math.round((Date.now() - started) / 100) / 10,
        attemptsMade: job?.attemptsMade,
        stalled: job?.stalledCounter,
        reason: job?.failedReason?.slice(0, 160),
        workerPeakRssMb: Math.round(peak / 1024),
      },
      null,
      1,
    ),
  );
} finally {
  await encode.close();
  client.disconnect();
  await redis.close();
  rmSync(dir, { recursive: true, force: true });
}
