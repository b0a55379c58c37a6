/**
 * Many copies of one already-indexed file met in one batch: each adds its location to the same item at
 * the same time. None may be lost (a clean 2,012-file run once recorded 2,008 paths).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rosetta } from '../../src/rosetta.js';
import { buildTinyClip } from '../helpers/tiny-clip.js';
import { colourImage } from '../helpers/images.js';

let root: string;
let model: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'rosetta-race-'));
  model = buildTinyClip();
});
after(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(model, { recursive: true, force: true });
});

test('copies of an indexed file in one batch each keep their location; detaching several at once loses none either', async () => {
  const files = join(root, 'files');
  mkdirSync(files);
  const rosetta = await Rosetta.open(join(root, '.rosetta'), { spaces: [model], offline: true });
  try {
    const red = await colourImage('red', { seed: 3 });
    writeFileSync(join(files, 'original.png'), red);
    assert.equal((await rosetta.index([files])).added, 1);
    const copies = Array.from({ length: 15 }, (_, i) => join(files, `copy-${String(i).padStart(2, '0')}.png`));
    for (const c of copies) writeFileSync(c, red);
    const second = await rosetta.index([files], { batchFiles: 16 });
    assert.deepEqual([second.added, second.updated, second.failed], [0, 0, 0]);
    assert.equal(second.skipped, 16);
    const [item] = await rosetta.store.listItems();
    assert.equal(await rosetta.store.countItems(), 1);
    assert.deepEqual([...item.locations].sort(), [join(files, 'original.png'), ...copies].sort(), 'every copy is a location');

    // Now ten of those copies change their bytes in one batch: each leaves the red item at the same time.
    for (const [i, c] of copies.slice(0, 10).entries()) writeFileSync(c, await colourImage('blue', { seed: 100 + i }));
    const third = await rosetta.index([files], { batchFiles: 16 });
    assert.equal(third.failed, 0);
    const redItem = (await rosetta.store.listItems()).find((i) => i.hash === item.hash)!;
    assert.deepEqual([...redItem.locations].sort(), [join(files, 'original.png'), ...copies.slice(10)].sort());
    assert.equal(await rosetta.store.countItems(), 11);
    for (const c of copies.slice(10)) unlinkSync(c);
  } finally {
    await rosetta.close();
  }
});

test('copies of a new file spread over batches that are decoded ahead and written together: one item, every location', async () => {
  const files = join(root, 'spread');
  mkdirSync(files);
  const rosetta = await Rosetta.open(join(root, '.rosetta-spread'), { spaces: [model], offline: true });
  try {
    const green = await colourImage('green', { seed: 5 });
    // Names sort so copies fall in different batches of 3, interleaved with other pictures.
    const copies: string[] = [];
    for (let i = 0; i < 12; i++) {
      const name = join(files, `f-${String(i).padStart(2, '0')}.png`);
      if (i % 4 === 1) {
        writeFileSync(name, green);
        copies.push(name);
      } else writeFileSync(name, await colourImage([i * 20, 40, 200 - i * 10], { seed: 50 + i }));
    }
    const summary = await rosetta.index([files], { batchFiles: 3, commitItems: 100 });
    assert.deepEqual(
      [summary.added, summary.updated, summary.failed, summary.skipped],
      [10, 0, 0, 2],
      'the two later copies count as skipped',
    );
    assert.equal(await rosetta.store.countItems(), 10);
    const item = (await rosetta.store.listItems()).find((i) => i.locations.includes(copies[0]))!;
    assert.deepEqual([...item.locations].sort(), copies.sort(), 'every copy is a location of one item');
    const again = await rosetta.index([files], { batchFiles: 3 });
    assert.deepEqual([again.added, again.skipped], [0, 12], 'a second run finds everything in place');
  } finally {
    await rosetta.close();
  }
});
