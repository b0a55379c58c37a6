/**
 * Distributed ingest on a real redis-server with real `rosetta worker` and `rosetta index --queue`
 * processes: every run must leave the collection exactly as a single-process index of the same folder
 * leaves it (items and their locations, segments, vectors, search results), whatever is killed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rosetta } from '../../src/rosetta.js';
import { queueStatus } from '../../src/queue/queue-status.js';
import { buildTinyClip } from '../helpers/tiny-clip.js';
import { hasRedis, RedisHarness } from '../helpers/redis-server.js';
import {
  assertSameAsReference as sameAs,
  writeRunFiles,
  exited,
  kill,
  killRandomWorkers,
  RosettaChildren,
  snapshot as snapshotOf,
  untilCommitted as committed,
  type Snapshot,
} from './distributed-harness.js';

const LOCK_MS = '1500';

let redis: RedisHarness;
let root: string;
let files: string;
let model: string;
let reference: Snapshot;
const children = new RosettaChildren();
const snapshot = (dir: string) => snapshotOf(dir, model);
const assertSameAsReference = (got: Snapshot, label: string) => sameAs(got, reference, label);
const rosettaChild = (args: string[]) => children.start(args);
const startWorker = () => rosettaChild(['worker', '--queue', redis.url, '--lock-ms', LOCK_MS, '--offline', '--json', '--threads', '1']);
const startIndex = (dir: string) =>
  rosettaChild([
    'index',
    files,
    '--queue',
    redis.url,
    '--dir',
    dir,
    '--model',
    model,
    '--offline',
    '--json',
    '--lock-ms',
    LOCK_MS,
    '--batch-files',
    '4',
  ]);
const untilCommitted = (n: number, timeoutMs = 60_000) => committed(redis.url, n, timeoutMs);

describe(
  'distributed ingest on Redis (real redis-server, real worker processes)',
  { skip: hasRedis ? false : 'redis-server is not installed: run `npm run setup:system` (CI installs it)' },
  () => {
    before(async () => {
      redis = await RedisHarness.start();
      root = mkdtempSync(join(tmpdir(), 'rosetta-dist-'));
      files = join(root, 'files');
      model = buildTinyClip();
      await writeRunFiles(files, 120, 16);
      const ref = await Rosetta.open(join(root, 'reference'), { spaces: [model], offline: true });
      const s = await ref.index([files]);
      assert.equal(s.failed, 0);
      await ref.close();
      reference = await snapshot(join(root, 'reference'));
      assert.equal(reference.items.length, 136);
    });

    after(async () => {
      children.killAll();
      await redis?.close();
      rmSync(root, { recursive: true, force: true });
    });

    it('two workers share a run and the result equals a single-process index', async () => {
      const workers = [startWorker(), startWorker()];
      const dir = join(root, 'two');
      const index = startIndex(dir);
      assert.equal(await exited(index), 0, index.out);
      const summary = JSON.parse(index.out.slice(index.out.indexOf('{'))) as { added: number; failed: number; runId: string };
      assert.equal(summary.failed, 0, index.out);
      assert.equal(summary.added, 136);
      await Promise.all(workers.map(kill));
      const jobsPerWorker = workers.map((w) => (w.out.match(/"status":"done"/g) ?? []).length);
      assert.ok(
        jobsPerWorker.every((n) => n > 0),
        `both workers took jobs (${jobsPerWorker.join(', ')})`,
      );
      assertSameAsReference(await snapshot(dir), 'two workers');
      // Run again: nothing changed, so nothing is queued and every file is skipped.
      const again = startIndex(dir);
      assert.equal(await exited(again), 0, again.out);
      const s2 = JSON.parse(again.out.slice(again.out.indexOf('{'))) as { added: number; skipped: number };
      assert.equal(s2.added, 0);
      assert.equal(s2.skipped, 121, 'the 121 files are skipped (the unchanged shard is not queued at all)');
    });

    it('up to twenty SIGKILLs of random workers at random moments: nothing lost, nothing duplicated', async (t) => {
      const dir = join(root, 'kills');
      const index = startIndex(dir);
      const { workers, landed } = await killRandomWorkers(
        [startWorker(), startWorker()],
        20,
        startWorker,
        7,
        () => index.exitCode === null,
      );
      t.diagnostic(`${landed} workers killed while the run went on`);
      assert.equal(await exited(index), 0, index.out);
      await Promise.all(workers.map(kill));
      assertSameAsReference(await snapshot(dir), 'after 20 kills');
    });

    it('the committer killed mid-run and started again finishes the same run', async () => {
      const worker = startWorker();
      const dir = join(root, 'committer');
      const first = startIndex(dir);
      await untilCommitted(20);
      await kill(first);
      const second = startIndex(dir);
      assert.equal(await exited(second), 0, second.out);
      const s = JSON.parse(second.out.slice(second.out.indexOf('{'))) as { runId: string; added: number; updated: number; skipped: number };
      const status = await queueStatus(redis.url, { runs: 10 });
      assert.equal(status.runs.filter((r) => r.store.endsWith(dir)).length, 1, 'the restart resumed the run instead of starting another');
      assert.equal(s.added + s.updated + s.skipped, 137, 'every file and sample accounted for once');
      await kill(worker);
      assertSameAsReference(await snapshot(dir), 'committer restarted');
    });

    it('Redis restarted mid-run (AOF): the run resumes and completes', async () => {
      const workers = [startWorker(), startWorker()];
      const dir = join(root, 'redis-restart');
      const index = startIndex(dir);
      await untilCommitted(20);
      await redis.restart(1500);
      assert.equal(await exited(index), 0, index.out);
      await Promise.all(workers.map(kill));
      assertSameAsReference(await snapshot(dir), 'Redis restarted');
      const status = await queueStatus(redis.url, { runs: 1 });
      assert.ok(status.runs[0].finishedAt && status.runs[0].failed === 0 && status.runs[0].jobsDone === status.runs[0].jobs);
    });

    it('the server shows the runs at GET /api/queue, as `rosetta queue status --json` does', async () => {
      const { createServer } = await import('../../src/server/index.js');
      const rosetta = await Rosetta.open(join(root, 'reference'), { spaces: [model], offline: true });
      const server = await createServer(rosetta, { port: 0, queue: redis.url, rateLimit: false });
      try {
        const url = await server.listen();
        const res = await fetch(`${url}/api/queue?runs=10`);
        assert.equal(res.status, 200);
        const body = (await res.json()) as {
          runs: { store: string; added: number; updated: number; failed: number; finishedAt?: number }[];
          counts: { failed: number };
        };
        const kills = body.runs.find((r) => r.store.endsWith(join(root, 'kills')))!;
        assert.ok(kills.finishedAt, 'the killed-workers run is listed as finished');
        assert.equal(kills.failed, 0);
        assert.equal(kills.added + kills.updated, 137, 'every file and sample committed once');
      } finally {
        await server.close();
        await rosetta.close();
      }
    });
  },
);
