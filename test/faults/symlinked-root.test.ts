/**
 * Attack: escape `--root` through a symlinked folder (or file) *inside* the folder the client names. The
 * walk must confine every path it reaches, and the server must not show nor serve what lies outside.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildFixture, postJson, startServer, waitForJob, type Fixture } from '../server/fixture.js';
import type { RosettaServer } from '../../src/server/index.js';
import { colourImage } from '../helpers/images.js';
import { writeWebdatasetTar } from '../../src/datasets/shards/write-shards.js';

const SECRET_TEXT = 'The vault combination is seven seven three.';
let fx: Fixture;
let server: RosettaServer;
let url: string;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

before(async () => {
  fx = await buildFixture();
  writeFileSync(join(fx.outside, 'vault.txt'), SECRET_TEXT);
  mkdirSync(join(fx.photos, 'sub'));
  writeFileSync(join(fx.photos, 'sub', 'own.png'), await colourImage('green', { seed: 90 }));
  symlinkSync(fx.outside, join(fx.photos, 'sub', 'link')); // a folder link leading out
  symlinkSync(join(fx.outside, 'secret.png'), join(fx.photos, 'sub', 'secret-link.png')); // a file link leading out
  symlinkSync(join(fx.photos, 'red.png'), join(fx.photos, 'sub', 'red-link.png')); // a link that stays inside
  ({ server, url } = await startServer(fx));
});
after(async () => {
  await server?.close();
  await fx?.cleanup();
});

test('indexing a folder under the root does not follow links out of the roots, and says so', async () => {
  const res = await postJson(`${url}/api/index`, { paths: ['sub'] });
  assert.equal(res.status, 202, await res.clone().text());
  const { job } = (await res.json()) as { job: { id: string } };
  const done = (await waitForJob(url, job.id)) as unknown as {
    status: string;
    result: { failed: number; failures: { path: string; code: string; reason: string }[] };
  };
  assert.equal(done.status, 'done');
  const refused = done.result.failures
    .filter((f) => f.code === 'ROSETTA_ERR_SERVER_FORBIDDEN_PATH')
    .map((f) => f.path)
    .sort();
  assert.deepEqual(refused, [join(fx.photos, 'sub', 'link'), join(fx.photos, 'sub', 'secret-link.png')]);
  assert.match(done.result.failures[0].reason, /outside the allowed folders/);
  const items = await fx.rosetta.store.listItems();
  const locations = items.flatMap((i) => i.locations);
  assert.ok(locations.includes(join(fx.photos, 'sub', 'own.png')), 'the file inside was indexed');
  assert.ok(locations.includes(join(fx.photos, 'sub', 'red-link.png')), 'a link that stays inside is followed');
  const outsideHashes = [sha(readFileSync(join(fx.outside, 'secret.png'))), sha(Buffer.from(SECRET_TEXT))];
  assert.deepEqual(
    items.filter((i) => outsideHashes.includes(i.hash)),
    [],
    'nothing from outside got in',
  );
});

test('search never returns, and /api/media never serves, a file whose real path is outside the roots', async () => {
  // An item indexed inside the root whose file is later swapped for a link to the outside.
  const swap = join(fx.photos, 'swap.png');
  writeFileSync(swap, await colourImage('magenta', { seed: 5 }));
  const indexed = await postJson(`${url}/api/index`, { paths: ['swap.png'] });
  await waitForJob(url, ((await indexed.json()) as { job: { id: string } }).job.id);
  const swapHash = sha(readFileSync(swap));
  assert.equal((await fetch(`${url}/api/media/${swapHash}`)).status, 200);
  renameSync(swap, `${swap}.bak`);
  symlinkSync(join(fx.outside, 'secret.png'), swap);
  const media = await fetch(`${url}/api/media/${swapHash}`);
  assert.equal(media.status, 404);
  assert.notDeepEqual(Buffer.from(await media.arrayBuffer()), readFileSync(join(fx.outside, 'secret.png')));
  assert.equal((await fetch(`${url}/api/thumb/${swapHash}`)).status, 404);

  // A collection that already holds outside files (indexed through the link before this fix, or by the
  // operator): their text and paths never appear in results, however the query is phrased.
  const polluted = await fx.rosetta.index([join(fx.photos, 'sub')]);
  assert.ok(polluted.added >= 2, 'the library (operator) path follows links: outside files are in the collection now');
  let shown = 0;
  for (const text of ['vault combination', 'seven', SECRET_TEXT, 'magenta']) {
    const { results } = (await (await postJson(`${url}/api/search`, { text, k: 50, hybrid: true })).json()) as {
      results: { path: string; text?: string; locations: string[] }[];
    };
    shown += results.length;
    for (const r of results) {
      assert.ok(!(r.text ?? '').includes('vault'), `result text ${r.text}`);
      for (const l of [r.path, ...r.locations])
        assert.ok(!l.includes(join('sub', 'link')) && !l.includes('secret-link') && !l.startsWith(fx.outside), `result path ${l}`);
    }
  }
  assert.ok(shown > 0, 'the inside items are still found');
});

test('a shard sample under a root stays in search results (its location is `<shard>#<key>`, not a file)', async () => {
  const shard = join(fx.photos, 'shards', '00000.tar');
  mkdirSync(join(fx.photos, 'shards'));
  await writeWebdatasetTar(shard, [
    { key: 'k1', image: await colourImage('yellow', { seed: 70, format: 'jpeg' }), ext: 'jpg', caption: 'a yellow square' },
  ]);
  const res = await postJson(`${url}/api/index`, { paths: ['shards'] });
  const done = await waitForJob(url, ((await res.json()) as { job: { id: string } }).job.id);
  assert.equal(done.status, 'done');
  const { results } = (await (await postJson(`${url}/api/search`, { text: 'yellow', k: 50, in: ['image'] })).json()) as {
    results: { path: string }[];
  };
  assert.ok(
    results.some((r) => r.path === `${shard}#k1`),
    JSON.stringify(results.map((r) => r.path)),
  );
});
