/**
 * Rosetta on a real Milvus server (2.3.5, from the set-up's `milvus` wheel; test/helpers/milvus-server.ts), with
 * real `rosetta` processes: `index --store-url` (tags, a second location, --prune, a large text stored a group of
 * chunks at a time through addSegments), `search --filter`, `serve --store-url`, and workers committing to Milvus
 * under random SIGKILLs. Every collection must equal what the embedded LanceDB store holds after the same steps.
 * One Milvus server and one redis-server for the whole file.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rosetta } from '../../src/rosetta.js';
import { openMilvusStore } from '../../src/store/milvus/milvus-store.js';
import { buildTinyClip } from '../helpers/tiny-clip.js';
import { hasRedis, RedisHarness } from '../helpers/redis-server.js';
import { hasMilvus, milvusSkipReason, MilvusHarness } from '../helpers/milvus-server.js';
import { textOfSize } from '../faults/texts.js';
import {
  writeRunFiles,
  assertSameAsReference,
  exited,
  kill,
  killRandomWorkers,
  RosettaChildren,
  snapshot,
  type Snapshot,
} from './distributed-harness.js';

const LOCK_MS = '1500';
const skip = !hasMilvus('milvus')
  ? milvusSkipReason('milvus')
  : !hasRedis
    ? 'redis-server is not installed: run `npm run setup:system` (CI installs it)'
    : false;

let milvus: MilvusHarness;
let redis: RedisHarness;
let root: string;
let files: string;
let model: string;
let reference: Snapshot;
const children = new RosettaChildren();
const storeUrl = (prefix: string) => `${milvus.url}?prefix=${prefix}`;
const milvusStore = (prefix: string) => () => openMilvusStore({ address: milvus.address, prefix });
const json = <T>(out: string): T => JSON.parse(out.slice(out.indexOf('{'))) as T;

async function cli(args: string[]): Promise<string> {
  const child = children.start([...args, '--model', model, '--offline', '--json']);
  const code = await exited(child);
  assert.equal(code, 0, `rosetta ${args.join(' ')}:\n${child.out}`);
  return child.out;
}

describe('Rosetta on a real Milvus server: CLI, HTTP server and distributed workers', { skip }, () => {
  before(async () => {
    [milvus, redis] = await Promise.all([MilvusHarness.start('milvus'), RedisHarness.start()]);
    root = mkdtempSync(join(tmpdir(), 'rosetta-milvus-cli-'));
    files = join(root, 'files');
    model = buildTinyClip();
    await writeRunFiles(files, 48, 8);
    const ref = await Rosetta.open(join(root, 'reference'), { spaces: [model], offline: true });
    const s = await ref.index([files]);
    assert.equal(s.failed, 0);
    await ref.close();
    reference = await snapshot(join(root, 'reference'), model);
    assert.equal(reference.items.length, 56);
  });

  after(async () => {
    children.killAll();
    await Promise.all([milvus?.close(), redis?.close()]);
    if (root) rmSync(root, { recursive: true, force: true });
    if (model) rmSync(model, { recursive: true, force: true });
  });

  it('index --store-url holds what LanceDB holds through tags, a new location, --prune, a large text and filtered searches', async () => {
    // The same steps on a LanceDB collection and on Milvus, each on its own copy of the files.
    const copies = { lance: join(root, 'cli-lance-files'), milvus: join(root, 'cli-milvus-files') };
    const dirs = { lance: join(root, 'cli-lance'), milvus: join(root, 'cli-milvus') };
    const where = (k: 'lance' | 'milvus') =>
      k === 'milvus' ? ['--dir', dirs.milvus, '--store-url', storeUrl('cli_')] : ['--dir', dirs.lance];
    const snap = async (k: 'lance' | 'milvus') => snapshot(dirs[k], model, k === 'milvus' ? milvusStore('cli_') : undefined);
    const search = async (k: 'lance' | 'milvus', ...args: string[]) =>
      json<{ results: { path: string; score: number; segmentId?: string }[] }>(await cli(['search', ...args, ...where(k)])).results.map(
        (r) => `${r.path.replace(copies[k], '')} ${r.score.toFixed(4)}`,
      );
    for (const k of ['lance', 'milvus'] as const) {
      cpSync(files, copies[k], { recursive: true });
      const summary = json<{ added: number; failed: number }>(await cli(['index', copies[k], ...where(k), '--tag', 'batch1']));
      assert.equal(summary.failed, 0);
      assert.equal(summary.added, 56);
    }
    const strip = (s: Snapshot, k: 'lance' | 'milvus') => ({ ...s, items: s.items.map((i) => i.split(copies[k]).join('')) });
    assert.deepEqual(strip(await snap('milvus'), 'milvus'), strip(await snap('lance'), 'lance'), 'after the first index');
    for (const filters of [
      ['--filter', 'tag=batch1'],
      ['--filter', 'path=**/more/**'],
      ['--filter', 'size>100', '--in', 'images'],
      ['--filter', 'tag=nope'],
    ]) {
      assert.deepEqual(
        await search('milvus', 'red', '-k', '6', ...filters),
        await search('lance', 'red', '-k', '6', ...filters),
        `search ${filters.join(' ')}`,
      );
    }
    // A second location of one file, a removed file, a moved file and a large text (chunks stored by addSegments).
    for (const k of ['lance', 'milvus'] as const) {
      cpSync(join(copies[k], 'img-000.png'), join(copies[k], 'more', 'again-000.png'));
      rmSync(join(copies[k], 'img-002.png'));
      renameSync(join(copies[k], 'img-004.png'), join(copies[k], 'more', 'moved-004.png'));
      writeFileSync(join(copies[k], 'big.txt'), `${textOfSize(1.05 * 1024 * 1024, 3)}The magenta magenta sky car.\n`);
      const summary = json<{ failed: number }>(await cli(['index', copies[k], ...where(k), '--prune', '--tag', 'batch2']));
      assert.equal(summary.failed, 0);
    }
    const lance = strip(await snap('lance'), 'lance');
    const onMilvus = strip(await snap('milvus'), 'milvus');
    assert.deepEqual(onMilvus, lance, 'after the second index with --prune');
    assert.ok(
      onMilvus.items.some((i) => i.includes('/img-000.png,/more/again-000.png')),
      'two locations of one item',
    );
    assert.ok(!onMilvus.items.some((i) => i.includes('img-002.png')), 'the removed file is pruned');
    assert.ok(onMilvus.segments.filter((s) => s.includes(':text-chunk:')).length > 100, 'the large text is stored in chunks');
    assert.deepEqual(
      await search('milvus', 'magenta sky', '-k', '5', '--in', 'text'),
      await search('lance', 'magenta sky', '-k', '5', '--in', 'text'),
    );
  });

  it('serve --store-url answers searches from Milvus', async () => {
    const dir = join(root, 'cli-milvus');
    const server = children.start([
      'serve',
      '--dir',
      dir,
      '--store-url',
      storeUrl('cli_'),
      '--model',
      model,
      '--offline',
      '--json',
      '--port',
      '0',
      '--rate-limit',
      '0',
    ]);
    try {
      let url = '';
      for (let i = 0; i < 600 && !url; i += 1) {
        const m = /"url":\s*"([^"]+)"/.exec(server.out);
        if (m) url = m[1];
        else if (server.exitCode !== null) assert.fail(`serve exited:\n${server.out}`);
        else await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(url, `serve printed its URL:\n${server.out}`);
      const res = await fetch(`${url}/api/search`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'red', k: 5, filter: { tags: ['batch1'] } }),
      });
      assert.equal(res.status, 200, await res.clone().text());
      const got = ((await res.json()) as { results: { path: string; score: number }[] }).results.map(
        (r) => `${r.path} ${r.score.toFixed(4)}`,
      );
      const cliHits = json<{ results: { path: string; score: number }[] }>(
        await cli(['search', 'red', '-k', '5', '--filter', 'tag=batch1', '--dir', dir, '--store-url', storeUrl('cli_')]),
      ).results.map((r) => `${r.path} ${r.score.toFixed(4)}`);
      assert.equal(got.length, 5);
      assert.deepEqual(got, cliHits, 'the server searched the Milvus collection (the --dir holds no vectors)');
    } finally {
      await kill(server);
    }
  });

  it('workers commit to Milvus through up to eight random SIGKILLs: nothing lost, nothing duplicated, the same as LanceDB', async (t) => {
    const startWorker = () =>
      children.start(['worker', '--queue', redis.url, '--lock-ms', LOCK_MS, '--offline', '--json', '--threads', '1']);
    const dir = join(root, 'dist');
    const index = children.start([
      'index',
      files,
      '--queue',
      redis.url,
      '--dir',
      dir,
      '--store-url',
      storeUrl('dist_'),
      '--model',
      model,
      '--offline',
      '--json',
      '--lock-ms',
      LOCK_MS,
      '--batch-files',
      '4',
    ]);
    const { workers, landed } = await killRandomWorkers([startWorker(), startWorker()], 8, startWorker, 11, () => index.exitCode === null);
    t.diagnostic(`${landed} workers killed while the run went on`);
    assert.equal(await exited(index), 0, index.out);
    await Promise.all(workers.map(kill));
    const summary = json<{ added: number; failed: number }>(index.out);
    assert.equal(summary.failed, 0, index.out);
    assertSameAsReference(await snapshot(dir, model, milvusStore('dist_')), reference, 'Milvus after 8 kills');
  });
});
