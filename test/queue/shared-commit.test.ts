/**
 * Workers committing to a shared store (Milvus in production) take turns per item through a Redis lock,
 * re-reading the stored record inside their turn. Real redis-server (one client per simulated worker),
 * a real LanceDB store standing in for the shared store (the merge logic is store-agnostic), and the real
 * worker commit path. Reads of the stored record are held at a barrier so that, without turns, both
 * workers read before either writes — the interleaving that loses a location.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { openRedis } from '../../src/queue/connection.js';
import { inProcessTurn, redisItemTurns, withRedisLock, type ItemTurn } from '../../src/queue/item-lock.js';
import { commitToSharedStore } from '../../src/queue/shared-commit.js';
import { processEncodeJob } from '../../src/queue/encode-job.js';
import { runRoots } from '../../src/queue/run-trust.js';
import { keys, type EncodeJobData, type RunSpec, type StoreTarget } from '../../src/queue/run-spec.js';
import { ProgressCounter } from '../../src/ingest/progress.js';
import type { PendingCommit } from '../../src/ingest/index-paths.js';
import { ImageFetcher } from '../../src/ingest/fetch-images.js';
import { openLanceStore } from '../../src/store/lancedb/lance-store.js';
import type { VectorStore } from '../../src/store/vector-store.js';
import { Rosetta } from '../../src/rosetta.js';
import { makeFixture, SPACE } from '../store/conformance.js';
import { buildTinyClip } from '../helpers/tiny-clip.js';
import { colourImage } from '../helpers/images.js';
import { hasRedis, RedisHarness } from '../helpers/redis-server.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let redis: RedisHarness;
let root: string;
const clients: Redis[] = [];
let dirs = 0;

/** A Redis connection of its own, as each worker process has. */
function worker(): Redis {
  const c = openRedis(redis.url);
  clients.push(c);
  return c;
}

/**
 * The store with `getItem` held at a one-shot barrier: the first reads wait until `readers` reads have
 * happened (or `timeoutMs` passed), so concurrent committers all read before any of them writes.
 */
function withReadBarrier(store: VectorStore, readers: number, timeoutMs: number): { store: VectorStore; timedOut: () => boolean } {
  let reads = 0;
  let open: () => void;
  const opened = new Promise<void>((r) => {
    open = r;
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    open();
  }, timeoutMs);
  const proxy = new Proxy(store, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (prop === 'getItem') {
        return async (hash: string) => {
          const found = await target.getItem(hash);
          if (++reads >= readers) {
            clearTimeout(timer);
            open();
          }
          await opened;
          return found;
        };
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { store: proxy, timedOut: () => timedOut };
}

const pending = (hash: string, location: string, tags: string[] = []): PendingCommit => {
  const f = makeFixture(hash, { axis: 2, n: 2, locations: [location], tags });
  return { commit: { item: f.item, segments: f.segments, vectors: f.vectors, spaces: [SPACE] }, updated: false, extra: 0, path: location };
};

async function freshStore(): Promise<VectorStore> {
  return openLanceStore(join(root, `store-${dirs++}`));
}

async function vectorCount(store: VectorStore): Promise<number> {
  let n = 0;
  for await (const batch of store.scanVectors(SPACE)) n += batch.length;
  return n;
}

describe(
  'commits of one item across workers take turns through a Redis lock (real redis-server)',
  { skip: hasRedis ? false : 'redis-server is not installed: run `npm run setup:system` (CI installs it)' },
  () => {
    before(async () => {
      redis = await RedisHarness.start();
      root = mkdtempSync(join(tmpdir(), 'rosetta-shared-commit-'));
    });

    after(async () => {
      for (const c of clients) c.disconnect();
      await redis?.close();
      rmSync(root, { recursive: true, force: true });
    });

    it('lets one holder in at a time, keeps the lock past its ttl while the holder works, and frees it for the next', async () => {
      let inside = 0;
      let most = 0;
      const order: string[] = [];
      const hold = (name: string, ms: number) =>
        withRedisLock(
          worker(),
          'test:lock:a',
          async () => {
            inside += 1;
            most = Math.max(most, inside);
            order.push(name);
            await sleep(ms);
            inside -= 1;
            return name;
          },
          { ttlMs: 200 },
        );
      // The first holder works for 4 ttls: only its renewals keep the three others out.
      const first = hold('long', 800);
      await sleep(50);
      const results = await Promise.all([first, hold('b', 30), hold('c', 30), hold('d', 30)]);
      assert.deepEqual(results, ['long', 'b', 'c', 'd']);
      assert.equal(most, 1, 'never two holders at once');
      assert.equal(order[0], 'long');
      assert.equal(order.length, 4, 'each work ran once (no lock was lost)');
      assert.equal(await worker().exists('test:lock:a'), 0, 'released');
    });

    it('waits out a lock left by a killed holder, never frees a lock that is not its own, and redoes work whose lock lapsed', async () => {
      const r = worker();
      await r.set('test:lock:dead', 'killed-worker', 'PX', 400);
      const t0 = Date.now();
      await withRedisLock(r, 'test:lock:dead', async () => undefined, { ttlMs: 5000 });
      assert.ok(Date.now() - t0 >= 350, `waited for the dead holder's lock to lapse (${Date.now() - t0} ms)`);

      // While the first run works, its lock is taken over (as if it had lapsed and another worker took it).
      const runs: number[] = [];
      let takenOverAt = 0;
      await withRedisLock(
        r,
        'test:lock:lost',
        async () => {
          runs.push(Date.now());
          if (runs.length === 1) {
            await r.set('test:lock:lost', 'other-worker', 'PX', 500);
            takenOverAt = Date.now();
          }
        },
        { ttlMs: 5000 },
      );
      assert.equal(runs.length, 2, 'the work ran again under a fresh lock');
      assert.ok(runs[1] - takenOverAt >= 450, `the other worker's lock was left alone until it lapsed (${runs[1] - takenOverAt} ms)`);
    });

    it('gives up after waitMs with ROSETTA_ERR_QUEUE_FAILED naming the lock, without running the work', async () => {
      const r = worker();
      await r.set('test:lock:busy', 'someone', 'PX', 10_000);
      let ran = false;
      await assert.rejects(
        withRedisLock(
          r,
          'test:lock:busy',
          async () => {
            ran = true;
          },
          { waitMs: 300 },
        ),
        { code: 'ROSETTA_ERR_QUEUE_FAILED', message: /test:lock:busy stayed held by another worker/ },
      );
      assert.equal(ran, false);
    });

    it('two workers committing the same bytes at once both keep their locations (without turns, one is lost)', async () => {
      const target: StoreTarget = { kind: 'lancedb', dir: 'shared' };
      // Control: no turns. Both read "not stored", both write; the second write drops the first location.
      const control = await freshStore();
      const raced = withReadBarrier(control, 2, 5000);
      const counters = [new ProgressCounter(0), new ProgressCounter(0)];
      await Promise.all([
        commitToSharedStore(raced.store, [pending('same', '/w1/a.jpg')], counters[0], inProcessTurn),
        commitToSharedStore(raced.store, [pending('same', '/w2/a.jpg')], counters[1], inProcessTurn),
      ]);
      assert.equal(raced.timedOut(), false, 'both read before either wrote');
      assert.equal((await control.getItem('same'))?.locations.length, 1, 'without turns a location is lost: this test can fail');
      await control.close();

      const store = await freshStore();
      const gated = withReadBarrier(store, 2, 1500);
      const turns: ItemTurn[] = [redisItemTurns(worker(), target), redisItemTurns(worker(), target)];
      await Promise.all([
        commitToSharedStore(gated.store, [pending('same', '/w1/a.jpg', ['from-1'])], (counters[0] = new ProgressCounter(0)), turns[0]),
        commitToSharedStore(gated.store, [pending('same', '/w2/a.jpg', ['from-2'])], (counters[1] = new ProgressCounter(0)), turns[1]),
      ]);
      assert.equal(gated.timedOut(), true, 'the second worker could not read until the first had committed');
      const item = await store.getItem('same');
      assert.deepEqual([...item!.locations].sort(), ['/w1/a.jpg', '/w2/a.jpg']);
      assert.deepEqual([...item!.tags].sort(), ['from-1', 'from-2']);
      assert.equal(await store.countItems(), 1);
      assert.equal(await vectorCount(store), 2, 'one copy of each vector');
      assert.deepEqual(counters.map((c) => [c.added, c.updated, c.failed]).sort(), [
        [0, 1, 0],
        [1, 0, 0],
      ]);
      assert.equal(await worker().exists(keys.itemLock('lancedb:shared', 'same')), 0, 'lock released');

      // Five workers at once on the same item, each bringing its own path.
      const five = await freshStore();
      await Promise.all(
        [1, 2, 3, 4, 5].map((w) =>
          commitToSharedStore(five, [pending('many', `/w${w}/b.jpg`)], new ProgressCounter(0), redisItemTurns(worker(), target)),
        ),
      );
      assert.deepEqual([...(await five.getItem('many'))!.locations].sort(), [
        '/w1/b.jpg',
        '/w2/b.jpg',
        '/w3/b.jpg',
        '/w4/b.jpg',
        '/w5/b.jpg',
      ]);
      await Promise.all([store.close(), five.close()]);
    });

    it('a path that now holds other bytes leaves its old item, while another worker commits that item under a new path', async () => {
      const target: StoreTarget = { kind: 'lancedb', dir: 'moved' };
      const store = await freshStore();
      const old = pending('old', '/p/photo.jpg');
      old.commit.item.locations = ['/p/photo.jpg', '/r/photo.jpg'];
      await store.commitItem(old.commit.item, old.commit.segments, old.commit.vectors, old.commit.spaces);
      const gated = withReadBarrier(store, 2, 1500);
      await Promise.all([
        // Worker 1: /p/photo.jpg was overwritten with other bytes.
        commitToSharedStore(gated.store, [pending('new', '/p/photo.jpg')], new ProgressCounter(0), redisItemTurns(worker(), target)),
        // Worker 2: the old bytes were also copied to /q/photo.jpg.
        commitToSharedStore(gated.store, [pending('old', '/q/photo.jpg')], new ProgressCounter(0), redisItemTurns(worker(), target)),
      ]);
      assert.deepEqual([...(await store.getItem('old'))!.locations].sort(), ['/q/photo.jpg', '/r/photo.jpg']);
      assert.deepEqual((await store.getItem('new'))!.locations, ['/p/photo.jpg']);
      assert.equal((await store.getItemByLocation('/p/photo.jpg'))?.hash, 'new');
      await store.close();
    });

    it('through the worker commit path: two jobs encoding the same image under two paths at once keep both paths', async () => {
      const model = buildTinyClip(join(root, 'model'));
      const files = join(root, 'files');
      const bytes = await colourImage('red', { seed: 3 });
      const paths = [join(files, 'a', 'red.png'), join(files, 'b', 'red-copy.png')];
      for (const p of paths) {
        await mkdir(dirname(p), { recursive: true });
        await writeFile(p, bytes);
      }
      const dir = join(root, 'collection');
      const rosetta = await Rosetta.open(dir, { spaces: [model], offline: true });
      await rosetta.create();
      try {
        const spec: RunSpec = {
          id: 'run-lock',
          createdAt: new Date().toISOString(),
          paths: [files],
          store: { kind: 'lancedb', dir },
          spaces: [],
        };
        const gated = withReadBarrier(rosetta.store, 2, 1500);
        const job = async (id: string, path: string) => {
          const s = await stat(path);
          const data: EncodeJobData = { runId: spec.id, kind: 'files', files: [{ path, size: s.size, mtimeMs: s.mtimeMs }] };
          return processEncodeJob(
            { id, data } as unknown as Job<EncodeJobData>,
            data,
            {
              spec,
              spaces: rosetta.spaces,
              store: gated.store,
              fetcher: new ImageFetcher(),
              key: Buffer.alloc(32),
              roots: await runRoots(spec),
            },
            worker(),
          );
        };
        const results = await Promise.all([job('j1', paths[0]), job('j2', paths[1])]);
        assert.deepEqual(
          results.map((r) => r.failed),
          [0, 0],
        );
        const items = await rosetta.store.listItems();
        assert.equal(items.length, 1);
        assert.deepEqual([...items[0].locations].sort(), [...paths].sort());
        const stats = await worker().hgetall(keys.stats(spec.id));
        assert.equal(Number(stats.added), 1);
        assert.equal(Number(stats.updated), 1);
        const hits = await rosetta.search('red', { k: 5 });
        assert.equal(hits.length, 1, 'one vector for the two paths');
        assert.equal(hits[0].itemHash, items[0].hash);
      } finally {
        await rosetta.close();
      }
    });
  },
);
