import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rosetta } from '../../src/rosetta.js';
import { buildTinyClip } from '../helpers/tiny-clip.js';
import { colourImage } from '../helpers/images.js';

let root: string;
let model: string;
before(async () => {
  root = mkdtempSync(join(tmpdir(), 'rosetta-door-'));
  model = buildTinyClip();
  writeFileSync(join(root, 'red.png'), await colourImage('red'));
});
after(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(model, { recursive: true, force: true });
});

test('Rosetta.open(dir, { create: false }) never writes: what needs a collection fails with the fix, one-shot calls work', async () => {
  const dir = join(root, 'absent', '.rosetta');
  const rosetta = await Rosetta.open(dir, { spaces: [model], offline: true, create: false });
  try {
    assert.equal(rosetta.exists, false);
    for (const run of [
      () => rosetta.search('red'),
      () => rosetta.index([root]),
      () => rosetta.create(),
      () => rosetta.caption(join(root, 'red.png'), { store: true }),
    ]) {
      await assert.rejects(run(), { code: 'ROSETTA_ERR_COLLECTION_NOT_FOUND', message: /rosetta index/ });
    }
    assert.ok((await rosetta.score(join(root, 'red.png'), 'red')).score > 0, 'scoring needs no collection');
    assert.deepEqual((await rosetta.stats()).items, 0);
    assert.equal(existsSync(join(root, 'absent')), false, 'nothing was created');
  } finally {
    await rosetta.close();
  }
});

test('a new collection is created by its first write, and reopening keeps its spaces', async () => {
  const dir = join(root, 'fresh', '.rosetta');
  const rosetta = await Rosetta.open(dir, { spaces: [model], offline: true });
  assert.equal(existsSync(dir), false, 'opening alone writes nothing');
  assert.deepEqual(await rosetta.search('red'), [], 'a collection not written yet has nothing to find');
  await rosetta.index([join(root, 'red.png')]);
  await rosetta.close();
  assert.equal(JSON.parse(readFileSync(join(dir, 'collection.json'), 'utf8')).spaces[0].model, model);
  const again = await Rosetta.open(dir, { offline: true, create: false });
  assert.match((await again.search('red'))[0].path, /red\.png$/);
  await again.close();
});

test('inputs: text must be marked, an ambiguous string names both readings, index refuses URLs', async () => {
  const rosetta = await Rosetta.open(join(root, 'inputs', '.rosetta'), { spaces: [model], offline: true, create: false });
  try {
    assert.equal((await rosetta.embed('a red car', { modality: 'text' })).modality, 'text');
    await assert.rejects(
      rosetta.embed('a red car'),
      (e: Error & { code?: string }) =>
        e.code === 'ROSETTA_ERR_ARG_INVALID' &&
        /no file at .*a red car/.test(e.message) &&
        /read as text/.test(e.message) &&
        /modality: 'text'/.test(e.message),
    );
    const { modality } = await rosetta.embed(readFileSync(join(root, 'red.png')));
    assert.equal(modality, 'image', 'a Buffer is sniffed from its bytes');
    await assert.rejects(
      Rosetta.open(join(root, 'url', '.rosetta'), { spaces: [model], offline: true }).then((r) => r.index(['https://example.com/a.png'])),
      { code: 'ROSETTA_ERR_ARG_INVALID', message: /index takes files, folders and shards, not URLs/ },
    );
  } finally {
    await rosetta.close();
  }
});

test("what a server needs is on the door: an item's file with byte ranges, its thumbnail, and content checks", async () => {
  const rosetta = await Rosetta.open(join(root, 'media', '.rosetta'), { spaces: [model], offline: true });
  try {
    const picture = join(root, 'red.png');
    await rosetta.index([picture]);
    const [hit] = await rosetta.search('red', { k: 1 });
    const file = await rosetta.mediaFile(hit.itemHash);
    const bytes = readFileSync(picture);
    assert.equal(file?.size, bytes.length);
    assert.equal(file?.mime, 'image/png');
    const chunks: Buffer[] = [];
    for await (const chunk of file!.open({ start: 1, end: 3 })) chunks.push(chunk as Buffer);
    assert.deepEqual(Buffer.concat(chunks), bytes.subarray(1, 4));
    // A caller that may not read the file (a server's roots) gets nothing, not the file.
    assert.equal(await rosetta.mediaFile(hit.itemHash, { readable: async () => undefined }), undefined);
    assert.equal(await rosetta.mediaFile('0'.repeat(64)), undefined);
    const thumb = await rosetta.thumbnail(hit.itemHash, { side: 16 });
    assert.equal(thumb?.mime, 'image/jpeg');
    assert.equal((await rosetta.checkMedia(bytes, { name: 'red.png', allowed: ['image'], file: bytes })).modality, 'image');
    await assert.rejects(rosetta.checkMedia(Buffer.from('just words'), { name: 'note.txt', allowed: ['image'] }), {
      code: 'ROSETTA_ERR_MEDIA_UNSUPPORTED',
      message: /note\.txt is text/,
    });
    await assert.rejects(rosetta.checkMedia(bytes, { name: 'red.png', allowed: ['image'], file: bytes, maxPixels: 10 }), {
      code: 'ROSETTA_ERR_MEDIA_TOO_LARGE',
    });
  } finally {
    await rosetta.close();
  }
});
