import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { Rosetta } from '../../src/rosetta.js';
import { decodeImage } from '../../src/media/image/decode-image.js';
import { buildTinyClip } from '../helpers/tiny-clip.js';
import { colourImage } from '../helpers/images.js';

let root: string;
let model: string;

before(() => {
  root = mkdtempSync(join(tmpdir(), 'rosetta-ingest-'));
  model = buildTinyClip();
});
after(() => rmSync(root, { recursive: true, force: true }));

async function fresh(name: string): Promise<{ dir: string; rosetta: Rosetta }> {
  const dir = join(root, name);
  mkdirSync(join(dir, 'files'), { recursive: true });
  const rosetta = await Rosetta.open(join(dir, '.rosetta'), { spaces: [model], offline: true });
  return { dir: join(dir, 'files'), rosetta };
}

test('same bytes under two paths are one item with two locations', async () => {
  const { dir, rosetta } = await fresh('dedupe');
  const red = await colourImage('red');
  writeFileSync(join(dir, 'a.png'), red);
  mkdirSync(join(dir, 'copy'));
  writeFileSync(join(dir, 'copy', 'b.png'), red);
  const s = await rosetta.index([dir]);
  assert.equal(s.added + s.skipped, 2);
  assert.equal(await rosetta.store.countItems(), 1);
  const [hit] = await rosetta.search('red', { k: 5 });
  assert.deepEqual(hit.locations.map((l) => l.split('/').pop()).sort(), ['a.png', 'b.png']);
  assert.equal((await rosetta.search('red', { k: 5 })).length, 1, 'one result, not two');
  await rosetta.close();
});

test('re-indexing skips unchanged files, re-encodes changed ones, and --prune forgets deleted ones', async () => {
  const { dir, rosetta } = await fresh('incremental');
  writeFileSync(join(dir, 'x.png'), await colourImage('red'));
  writeFileSync(join(dir, 'y.png'), await colourImage('green'));
  writeFileSync(join(dir, 'z.png'), await colourImage('yellow'));
  assert.equal((await rosetta.index([dir])).added, 3);
  const again = await rosetta.index([dir]);
  assert.deepEqual([again.added, again.updated, again.skipped, again.failed], [0, 0, 3, 0]);
  // x.png now holds blue pixels: the old red item goes, the new content is found by "blue".
  writeFileSync(join(dir, 'x.png'), await colourImage('blue'));
  utimesSync(join(dir, 'x.png'), new Date(), new Date(Date.now() + 5000));
  const changed = await rosetta.index([dir]);
  assert.deepEqual([changed.added, changed.updated, changed.skipped], [0, 1, 2]);
  const [top] = await rosetta.search('blue', { k: 1 });
  assert.match(top.path, /x\.png$/);
  assert.equal(await rosetta.store.countItems(), 3);
  assert.ok(!(await rosetta.search('red', { k: 5 })).some((r) => r.path.endsWith('x.png') && r.similarity > 0.9));
  unlinkSync(join(dir, 'y.png'));
  const pruned = await rosetta.index([dir], { prune: true });
  assert.equal(pruned.pruned, 1);
  assert.equal(await rosetta.store.countItems(), 2);
  assert.ok(!(await rosetta.search('green', { k: 5 })).some((r) => r.path.endsWith('y.png')));
  await rosetta.close();
});

test('bad inputs each fail with a clear reason, the rest is indexed, nothing stored changes', async () => {
  const { dir, rosetta } = await fresh('bad');
  writeFileSync(join(dir, 'good.png'), await colourImage('cyan'));
  assert.equal((await rosetta.index([dir])).added, 1);
  const png = await colourImage('magenta', { width: 64, height: 64 });
  writeFileSync(join(dir, 'truncated.png'), png.subarray(0, Math.floor(png.length / 2)));
  writeFileSync(join(dir, 'corrupt.jpg'), Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(200, 7)]));
  writeFileSync(join(dir, 'empty.png'), Buffer.alloc(0));
  writeFileSync(join(dir, 'binary.dat'), Buffer.from([0, 1, 2, 3, 0, 255, 254, 0]));
  // A decompression bomb: 15000×15000 pixels in a few kB.
  writeFileSync(
    join(dir, 'bomb.png'),
    await sharp({ create: { width: 15000, height: 15000, channels: 3, background: '#000' } })
      .png({ compressionLevel: 9 })
      .toBuffer(),
  );
  symlinkSync(join(dir, 'missing-target.png'), join(dir, 'dangling.png'));
  writeFileSync(Buffer.from(join(dir, 'bad-name-\xff.png'), 'latin1'), await colourImage('red'));
  writeFileSync(join(dir, 'later.png'), await colourImage('black'));
  const s = await rosetta.index([dir]);
  const reasons = Object.fromEntries(
    s.failures.map((f) => [
      f.path
        .split('/')
        .pop()!
        .replace(/[^\x20-\x7e]/g, '?'),
      `${f.code} ${f.reason}`,
    ]),
  );
  assert.equal(s.failed, 7, JSON.stringify(reasons, null, 1));
  assert.match(reasons['truncated.png'], /CORRUPT.*truncated\.png/);
  assert.match(reasons['corrupt.jpg'], /CORRUPT.*corrupt\.jpg/);
  assert.match(reasons['empty.png'], /EMPTY.*0 bytes/);
  assert.match(reasons['binary.dat'], /UNSUPPORTED/);
  assert.match(reasons['bomb.png'], /TOO_LARGE.*225000000 pixels/);
  assert.match(reasons['dangling.png'], /broken symlink/);
  assert.match(Object.entries(reasons).find(([k]) => k.startsWith('bad-name'))![1], /not valid UTF-8/);
  assert.equal(s.added, 1, 'later.png still indexed');
  assert.equal(s.skipped, 1, 'good.png untouched');
  assert.equal(await rosetta.store.countItems(), 2);
  assert.match((await rosetta.search('cyan', { k: 1 }))[0].path, /good\.png$/);
  await rosetta.close();
});

test('symlink loops are walked once; EXIF orientation is applied', async () => {
  const { dir, rosetta } = await fresh('loops');
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'sub', 'a.png'), await colourImage('red'));
  symlinkSync(dir, join(dir, 'sub', 'loop'));
  const s = await rosetta.index([dir]);
  assert.equal(s.added, 1);
  assert.equal(s.failed, 0);
  const rotated = await sharp(await colourImage('red', { width: 40, height: 20 }))
    .jpeg()
    .withMetadata({ orientation: 6 })
    .toBuffer();
  const img = await decodeImage(rotated);
  assert.deepEqual([img.width, img.height], [20, 40]);
  await rosetta.close();
});

test('a missing model in offline mode stops index before any file, names the model and the fix, and creates nothing', async () => {
  await assert.rejects(
    async () => {
      const r = await Rosetta.open(join(root, 'offline', '.rosetta'), {
        spaces: ['Xenova/clip-vit-base-patch32'],
        offline: true,
        cacheDir: join(root, 'empty-cache'),
      });
      await r.index([root]);
    },
    (e: Error & { code?: string }) => {
      assert.equal(e.code, 'ROSETTA_ERR_MODEL_OFFLINE_MISSING');
      assert.match(e.message, /Xenova\/clip-vit-base-patch32/);
      assert.match(e.message, /--model mini/);
      return true;
    },
  );
  assert.equal(existsSync(join(root, 'offline')), false, 'no collection was created');
});

test('the device option reaches the model towers: an unavailable device fails with the fix, not silently on the CPU', async () => {
  const r = await Rosetta.open(join(root, 'device', '.rosetta'), { spaces: [model], offline: true, device: 'cuda' });
  await assert.rejects(r.index([root]), (e: Error & { code?: string }) => {
    assert.equal(e.code, 'ROSETTA_ERR_MODEL_DEVICE_UNAVAILABLE');
    assert.match(e.message, /cuda12/);
    return true;
  });
  await r.close();
});
