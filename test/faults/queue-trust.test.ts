/**
 * Distributed ingest when someone else can write to its Redis (real redis-server on loopback, real workers):
 * forged jobs and run records make no worker read outside its run's paths, fetch a URL or reach a store;
 * malformed or oversize job data is refused with a code and reported, never crashing status, the server or
 * the committer; a run whose record vanishes stops its `index --queue` instead of leaving it waiting.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { Rosetta } from '../../src/rosetta.js';
import { runWorker } from '../../src/queue/worker.js';
import { forgetRun, queueStatus } from '../../src/queue/queue-status.js';
import { openRedis, redisOptions } from '../../src/queue/connection.js';
import { ENCODE_QUEUE, keys, PREFIX, type RunSpec } from '../../src/queue/run-spec.js';
import { signSpec } from '../../src/queue/run-trust.js';
import { chunks, enqueueRun } from '../../src/queue/enqueue-run.js';
import { MAX_FILES_PER_JOB, MAX_JOB_CHARS } from '../../src/queue/job-data.js';
import { writeWebdatasetTar } from '../../src/datasets/shards/write-shards.js';
import { buildTinyClip } from '../helpers/tiny-clip.js';
import { colourImage } from '../helpers/images.js';
import { hasRedis, RedisHarness } from '../helpers/redis-server.js';

const BIN = fileURLToPath(new URL('../../bin/rosetta.js', import.meta.url));
const SECRET = 'the vault password is hunter2 and nobody may index it';
const KEY = randomBytes(32).toString('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let redis: RedisHarness;
let root: string;
let files: string;
let outside: string;
let model: string;
let web: Server;
let webHits = 0;
let webUrl: string;

/** Resolves `promise`, or rejects after `ms` naming what did not happen (the suite stays bounded on a broken build). */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms / 1000} s`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function until<T>(probe: () => Promise<T | undefined>, what: string, ms = 90_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`${what}: not within ${ms / 1000} s`);
    await sleep(100);
  }
}

/** A worker in this process, with the suite's key, until the returned function is called. */
function worker(): () => Promise<void> {
  const controller = new AbortController();
  const done = runWorker(redis.url, { queueKey: KEY, offline: true, threads: 1, lockMs: 5000, signal: controller.signal });
  return async () => {
    controller.abort();
    await done;
  };
}

/** Starts `index --queue` of `paths` in this process (no worker yet) and waits until its jobs are queued. */
async function startRun(name: string, paths = [files]) {
  const rosetta = await Rosetta.open(join(root, name), { spaces: [model], offline: true });
  const index = rosetta.index(paths, { queue: redis.url, queueKey: KEY, pollMs: 100, batchFiles: 4 });
  index.catch(() => undefined);
  const client = openRedis(redis.url);
  const runId = await until(async () => {
    const id = (await client.zrevrange(keys.runs, 0, 0))[0];
    return id && (await client.hget(keys.state(id), 'enqueued')) === '1' && !(await client.hget(keys.state(id), 'finishedAt'))
      ? id
      : undefined;
  }, `run ${name} enqueued`);
  return { rosetta, index, runId, client };
}

async function failedJob(encode: Queue, id: string) {
  // The state is read first and the job after it: a job read before the state can be the record from just before the
  // failure (no failedReason yet) while the state read a moment later already says 'failed'.
  return until(async () => {
    if ((await encode.getJobState(id)) !== 'failed') return undefined;
    return encode.getJob(id);
  }, `job ${id} failed`);
}

describe(
  'distributed ingest against a hostile Redis (real redis-server, loopback)',
  { skip: hasRedis ? false : 'redis-server is not installed: run `npm run setup:system`' },
  () => {
    let encode: Queue;

    before(async () => {
      redis = await RedisHarness.start();
      root = mkdtempSync(join(tmpdir(), 'rosetta-queue-trust-'));
      files = join(root, 'files');
      outside = join(root, 'outside');
      mkdirSync(files);
      mkdirSync(outside);
      model = buildTinyClip();
      for (let i = 0; i < 3; i += 1)
        writeFileSync(join(files, `img-${i}.png`), await colourImage([i * 80, 200 - i * 60, 90], { seed: i + 1 }));
      writeFileSync(join(outside, 'secret.txt'), SECRET);
      symlinkSync(join(outside, 'secret.txt'), join(files, 'link-to-secret.txt'));
      await writeWebdatasetTar(join(outside, 'secret.tar'), [
        { key: '000000001', image: await colourImage('red', { format: 'jpeg', seed: 9 }), caption: SECRET },
      ]);
      web = createHttpServer((_req, res) => {
        webHits += 1;
        res.end(SECRET);
      });
      await new Promise<void>((r) => web.listen(0, '127.0.0.1', () => r()));
      webUrl = `http://127.0.0.1:${(web.address() as { port: number }).port}/secret.txt`;
      encode = new Queue(ENCODE_QUEUE, { connection: redisOptions(redis.url), prefix: PREFIX });
    });

    after(async () => {
      await encode?.close();
      await new Promise((r) => web?.close(r));
      await redis?.close();
      rmSync(root, { recursive: true, force: true });
    });

    it('forged jobs in a genuine run read nothing outside its paths: refused with a code, counted failed, never stored', async () => {
      const { rosetta, index, runId, client } = await startRun('forged-jobs');
      // Someone with write access to Redis adds jobs to the run (and to its list of jobs, so they are waited for).
      const forged = [
        {
          id: 'evil-files',
          data: {
            runId,
            kind: 'files',
            files: [
              join(outside, 'secret.txt'),
              join(files, 'link-to-secret.txt'),
              `${files}/../outside/secret.txt`,
              webUrl,
              '/etc/passwd',
            ].map((path) => ({ path, size: 60, mtimeMs: 1 })),
          },
        },
        { id: 'evil-shard', data: { runId, kind: 'shard', path: join(outside, 'secret.tar') } },
      ];
      await client.sadd(keys.jobs(runId), ...forged.map((f) => f.id));
      for (const f of forged) await encode.add('files', f.data, { jobId: f.id });
      // …and one job it does not list as the run's.
      await encode.add(
        'files',
        { runId, kind: 'files', files: [{ path: join(files, 'img-0.png'), size: 1, mtimeMs: 1 }] },
        { jobId: 'evil-unlisted' },
      );
      const stop = worker();
      try {
        const summary = await within(index, 120_000, 'the run with forged jobs finishing');
        assert.equal(summary.added, 3, "the run's own three images are indexed");
        const items = await rosetta.store.listItems();
        const locations = items.flatMap((i) => i.locations);
        assert.deepEqual(
          locations.filter((l) => !l.startsWith(`${files}/img-`)),
          [],
          "nothing but the run's images is stored",
        );
        assert.equal(items.length, 3);
        assert.equal(webHits, 0, 'the URL named as a file was never fetched');
        const refused = summary.failures.filter((f) => f.code === 'ROSETTA_ERR_QUEUE_JOB_REFUSED');
        for (const path of [
          join(outside, 'secret.txt'),
          join(files, 'link-to-secret.txt'),
          `${files}/../outside/secret.txt`,
          webUrl,
          '/etc/passwd',
          join(outside, 'secret.tar'),
        ]) {
          assert.ok(
            refused.some((f) => f.path === path),
            `${path} refused with ROSETTA_ERR_QUEUE_JOB_REFUSED (${JSON.stringify(summary.failures)})`,
          );
        }
        const unlisted = await failedJob(encode, 'evil-unlisted');
        assert.match(unlisted.failedReason, /^ROSETTA_ERR_QUEUE_JOB_REFUSED: .*not one of run/, 'the unlisted job is refused whole');
        assert.equal(unlisted.attemptsMade, 1, 'a refused job is not retried');
        assert.ok(summary.failed >= 7, `refused files are counted as failed (${summary.failed})`);
        // The symlink is a link out of the run's folders: the enqueuer does not queue it either, it reports it.
        assert.ok(
          summary.failures.some((f) => f.path === join(files, 'link-to-secret.txt') && f.code !== 'ROSETTA_ERR_QUEUE_JOB_REFUSED'),
          'the link out is reported by the walk',
        );
        const status = await queueStatus(redis.url, { runs: 1, failures: 50 });
        assert.ok(
          status.runs[0].failures.some((f) => f.code === 'ROSETTA_ERR_QUEUE_JOB_REFUSED' && f.path === join(outside, 'secret.txt')),
          '`queue status` shows the refusal with its code',
        );
        assert.ok(
          status.runs[0].failures.some((f) => f.code === 'ROSETTA_ERR_QUEUE_JOB_REFUSED' && /job evil-unlisted/.test(f.reason)),
          'and the job refused whole',
        );
        const hits = await rosetta.search('hunter2 vault password', { k: 10 });
        assert.ok(
          hits.every((h) => h.locations.every((l) => !l.includes('secret'))),
          'the secret is not searchable',
        );
      } finally {
        await stop();
        client.disconnect();
        await rosetta.close();
      }
    });

    it('a forged, foreign-key or tampered run spec is refused before any store is contacted or file read', async () => {
      let connections = 0;
      const fakeStore = createTcpServer((s) => {
        connections += 1;
        s.destroy();
      });
      await new Promise<void>((r) => fakeStore.listen(0, '127.0.0.1', () => r()));
      const address = `127.0.0.1:${(fakeStore.address() as { port: number }).port}`;
      const client = openRedis(redis.url);
      const rosetta = await Rosetta.open(join(root, 'spaces-only'), { spaces: [model], offline: true });
      const stop = worker();
      try {
        const spec = (id: string, paths = [outside]): RunSpec => ({
          id,
          createdAt: new Date().toISOString(),
          paths,
          store: { kind: 'milvus', address },
          spaces: rosetta.config.spaces,
        });
        const genuine = JSON.parse(signSpec(Buffer.from(KEY), spec('tampered', [files]))) as { spec: string };
        const records: Record<string, string> = {
          unsigned: JSON.stringify(spec('unsigned')),
          'other-key': signSpec(randomBytes(32), spec('other-key')),
          tampered: JSON.stringify({ ...genuine, spec: genuine.spec.replace(JSON.stringify(files), JSON.stringify(outside)) }),
          copied: signSpec(Buffer.from(KEY), spec('somewhere-else', [files])),
        };
        for (const [id, record] of Object.entries(records)) {
          await client.set(keys.spec(id), record);
          await client.zadd(keys.runs, Date.now(), id);
          await client.sadd(keys.jobs(id), `${id}-job`);
          await encode.add(
            'files',
            { runId: id, kind: 'files', files: [{ path: join(outside, 'secret.txt'), size: 60, mtimeMs: 1 }] },
            { jobId: `${id}-job` },
          );
        }
        for (const id of Object.keys(records)) {
          const job = await failedJob(encode, `${id}-job`);
          assert.match(job.failedReason, /^ROSETTA_ERR_QUEUE_SPEC_UNTRUSTED: /, `${id}: ${job.failedReason}`);
          assert.equal(job.attemptsMade, 1, `${id}: refused once, not retried`);
        }
        assert.match((await encode.getJob('other-key-job'))!.failedReason, /signed with another key/);
        assert.equal(connections, 0, 'no worker connected to the store address a forged spec named');
        const status = await queueStatus(redis.url, { runs: 10 });
        for (const id of Object.keys(records)) {
          const run = status.runs.find((r) => r.runId === id);
          assert.ok(
            run?.failures.some((f) => f.code === 'ROSETTA_ERR_QUEUE_SPEC_UNTRUSTED'),
            `${id} shows its refusal in queue status`,
          );
        }
        for (const id of Object.keys(records)) await forgetRun(redis.url, id);
      } finally {
        await stop();
        await rosetta.close();
        client.disconnect();
        await new Promise((r) => fakeStore.close(r));
      }
    });

    it("malformed failed jobs: `queue status`, GET /api/queue and the run's committer report them with a code and go on", async () => {
      const { rosetta, index, runId, client } = await startRun('malformed');
      // Failed jobs as someone writing BullMQ's keys directly leaves them: no files, not JSON, a file without a path.
      const bad: Record<string, string> = {
        'bad-nofiles': JSON.stringify({ runId, kind: 'files' }),
        'bad-notjson': '{"runId": "' + runId + '", "kind": "fi',
        'bad-filepath': JSON.stringify({ runId, kind: 'files', files: [{ size: 3 }] }),
        'bad-kind': JSON.stringify({ runId, kind: 'everything' }),
      };
      for (const [id, data] of Object.entries(bad)) {
        await client.hset(`${PREFIX}:${ENCODE_QUEUE}:${id}`, {
          name: 'files',
          data,
          opts: '{}',
          timestamp: Date.now(),
          failedReason: "TypeError: Cannot read properties of undefined (reading 'map')",
          attemptsMade: 5,
          finishedOn: Date.now(),
        });
        await client.zadd(`${PREFIX}:${ENCODE_QUEUE}:failed`, Date.now(), id);
      }
      await client.rpush(keys.failures(runId), 'not a failure record');
      const stop = worker();
      try {
        const status = await within(queueStatus(redis.url, { runs: 1, failures: 50 }), 30_000, 'queue status');
        const run = status.runs.find((r) => r.runId === runId)!;
        assert.ok(
          run.failures.some((f) => f.code === 'ROSETTA_ERR_QUEUE_JOB_MALFORMED' && /without a list of files/.test(f.reason)),
          JSON.stringify(run.failures),
        );
        assert.ok(run.failures.some((f) => f.code === 'ROSETTA_ERR_QUEUE_JOB_MALFORMED' && /without a path/.test(f.reason)));
        assert.ok(run.failures.some((f) => f.code === 'ROSETTA_ERR_QUEUE_JOB_MALFORMED' && /not one Rosetta wrote/.test(f.reason)));
        assert.ok(
          status.unreadableJobs.some((j) => j.id === 'bad-notjson' && j.code === 'ROSETTA_ERR_QUEUE_JOB_MALFORMED'),
          'a job that is not JSON is listed on its own',
        );
        const { createServer } = await import('../../src/server/index.js');
        const server = await createServer(rosetta, { port: 0, queue: redis.url, rateLimit: false });
        try {
          const res = await fetch(`${await server.listen()}/api/queue`);
          assert.equal(res.status, 200, await res.clone().text());
          const body = (await res.json()) as { runs: { runId: string; failures: { code: string }[] }[] };
          assert.ok(body.runs.find((r) => r.runId === runId)?.failures.some((f) => f.code === 'ROSETTA_ERR_QUEUE_JOB_MALFORMED'));
        } finally {
          await server.close();
        }
        const cli = spawn(process.execPath, [BIN, 'queue', 'status', '--queue', redis.url, '--runs', '1'], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        cli.stdout.on('data', (d) => {
          out += d;
        });
        cli.stderr.on('data', (d) => {
          out += d;
        });
        const code = await within(new Promise<number | null>((r) => cli.once('exit', r)), 60_000, 'rosetta queue status');
        assert.equal(code, 0, out);
        assert.match(out, /ROSETTA_ERR_QUEUE_JOB_MALFORMED/);
        // The committer (this run's `index --queue`) follows the same records: it finishes the run.
        const summary = await within(index, 120_000, 'the run beside malformed jobs finishing');
        assert.equal(summary.added, 3);
      } finally {
        await stop();
        client.disconnect();
        await rosetta.close();
      }
    });

    it('a job over the size limit is refused before it is parsed, and the enqueuer never writes one', async () => {
      const client = openRedis(redis.url);
      const runId = 'oversize-run';
      // 300,000 files in one job, as a forged write (23 MB of JSON).
      const big = {
        runId,
        kind: 'files',
        files: Array.from({ length: 300_000 }, (_, i) => ({
          path: join(root, `f${String(i).padStart(7, '0')}.png`),
          size: 100,
          mtimeMs: 1,
        })),
      };
      await client.sadd(keys.jobs(runId), 'big-job');
      await encode.add('files', big, { jobId: 'big-job' });
      const stop = worker();
      try {
        const job = await failedJob(encode, 'big-job');
        assert.match(
          job.failedReason,
          /^ROSETTA_ERR_QUEUE_JOB_TOO_LARGE: The job is \d+ characters long, above the 1048576-character limit of a job; not parsed/,
        );
        assert.equal(job.attemptsMade, 1);
      } finally {
        await stop();
        client.disconnect();
      }
      // The enqueuer's side: --batch-files above the limit is refused; long paths make smaller jobs.
      const enqueuer = openRedis(redis.url);
      try {
        await assert.rejects(
          enqueueRun(
            enqueuer,
            redisOptions(redis.url),
            { id: 'x', createdAt: '', paths: [files], store: { kind: 'lancedb', dir: join(root, 'x') }, spaces: [] },
            () => false,
            MAX_FILES_PER_JOB + 1,
          ),
          { code: 'ROSETTA_ERR_ARG_INVALID' },
        );
      } finally {
        enqueuer.disconnect();
      }
      const long = Array.from({ length: 3000 }, (_, i) => ({ path: `/${'d'.repeat(3000)}/${i}.png`, size: 1, mtimeMs: 1 }));
      const cut = chunks(long, MAX_FILES_PER_JOB);
      assert.equal(cut.flat().length, 3000);
      assert.ok(
        cut.every((c) => JSON.stringify({ runId: 'r'.repeat(40), kind: 'files', files: c }).length <= MAX_JOB_CHARS),
        'every job stays under the size limit',
      );
    });

    for (const how of ['queue forget', 'a flushed Redis'] as const) {
      it(`after ${how}, an unfinished run's \`index --queue\` stops with ROSETTA_ERR_QUEUE_FAILED instead of waiting`, async () => {
        const { rosetta, index, runId, client } = await startRun(`vanish-${how.replace(/\W/g, '')}`);
        try {
          if (how === 'queue forget') await forgetRun(redis.url, runId);
          else await client.flushall();
          await assert.rejects(within(index, 60_000, 'the committer noticing its run is gone'), (e: { code?: string; message: string }) => {
            assert.equal(e.code, 'ROSETTA_ERR_QUEUE_FAILED', e.message);
            assert.match(e.message, /no longer recorded in Redis/);
            return true;
          });
        } finally {
          client.disconnect();
          await rosetta.close();
        }
      });
    }
  },
);
