import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rosetta } from '../../src/rosetta.js';
import { buildTinyClip } from '../helpers/tiny-clip.js';
import { colourImage, mix } from '../helpers/images.js';

let root: string;
let photos: string;
let rosetta: Rosetta;

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'rosetta-core-'));
  photos = join(root, 'photos');
  mkdirSync(join(photos, 'holidays'), { recursive: true });
  mkdirSync(join(photos, 'notes'), { recursive: true });
  const formats = ['png', 'jpeg', 'webp', 'gif', 'avif', 'tiff'] as const;
  const colours = ['red', 'green', 'blue', 'yellow', 'cyan', 'magenta'] as const;
  for (const [i, c] of colours.entries()) {
    writeFileSync(
      join(photos, i % 2 ? 'holidays' : '', `${c}.${formats[i] === 'jpeg' ? 'jpg' : formats[i]}`),
      await colourImage(c, { format: formats[i], seed: i + 1 }),
    );
  }
  // Distractors: mixtures close to, but not, pure red.
  writeFileSync(join(photos, 'orange.png'), await colourImage(mix('red', 'yellow', 0.5), { seed: 11 }));
  writeFileSync(join(photos, 'purple.png'), await colourImage(mix('red', 'blue', 0.5), { seed: 12 }));
  writeFileSync(join(photos, 'notes', 'sky.txt'), 'The sky was a deep blue that evening.');
  writeFileSync(join(photos, 'notes', 'fire.md'), '# Fire\n\nA *red* glow over the hills.');
  rosetta = await Rosetta.open(join(root, '.rosetta'), { spaces: [buildTinyClip()], offline: true });
  const summary = await rosetta.index([photos], { tags: ['demo'] });
  assert.equal(summary.failed, 0, JSON.stringify(summary.failures));
  assert.equal(summary.added, 10);
});

after(async () => {
  await rosetta?.close();
  rmSync(root, { recursive: true, force: true });
});

test('text → image: the red photo ranks first among near-red distractors', async () => {
  const results = await rosetta.search('a photo of a red square', { k: 3, in: ['image'] });
  assert.match(results[0].path, /red\.png$/);
  assert.equal(results[0].modality, 'image');
  assert.equal(results[0].space, 'clip');
  assert.ok(results[0].score > results[1].score);
  assert.ok(results.every((r) => r.modality === 'image'));
});

test('every image format decodes and is findable by its colour', async () => {
  for (const c of ['green', 'blue', 'yellow', 'cyan', 'magenta']) {
    const [top] = await rosetta.search(c, { k: 1, in: ['image'] });
    assert.match(top.path, new RegExp(`${c}\\.\\w+$`), `query ${c} found ${top.path}`);
  }
});

test('image → image and image → text', async () => {
  const ref = join(root, 'query-blue.png');
  writeFileSync(ref, await colourImage('blue', { seed: 99 }));
  const images = await rosetta.search({ image: ref }, { k: 1, in: ['image'] });
  assert.match(images[0].path, /blue\.webp$/);
  const texts = await rosetta.search({ image: ref }, { k: 1, in: ['text'] });
  assert.match(texts[0].path, /sky\.txt$/);
  assert.equal(texts[0].kind, 'text-chunk');
  assert.match(texts[0].text ?? '', /deep blue/);
});

test('a composed query moves results toward the text as its weight grows', async () => {
  const ref = join(root, 'query-red.png');
  writeFileSync(ref, await colourImage('red', { seed: 98 }));
  const imageHeavy = await rosetta.search({ image: ref, text: 'blue', weights: { image: 0.9, text: 0.1 } }, { k: 1, in: ['image'] });
  const textHeavy = await rosetta.search({ image: ref, text: 'blue', weights: { image: 0.2, text: 0.8 } }, { k: 1, in: ['image'] });
  const balanced = await rosetta.search({ image: ref, text: 'blue', weights: { image: 0.5, text: 0.5 } }, { k: 1, in: ['image'] });
  assert.match(imageHeavy[0].path, /red\.png$/);
  assert.match(textHeavy[0].path, /blue\.webp$/);
  assert.match(balanced[0].path, /purple\.png$/, 'an even mix of red and blue finds the purple image');
});

test('filters: path glob, tags, size, modality', async () => {
  const inHolidays = await rosetta.search('red', { k: 10, filter: { pathGlob: '**/holidays/**' } });
  assert.ok(inHolidays.length > 0);
  assert.ok(
    inHolidays.every((r) => r.path.includes('/holidays/')),
    inHolidays.map((r) => r.path).join(),
  );
  assert.equal((await rosetta.search('red', { k: 10, filter: { tags: ['nope'] } })).length, 0);
  assert.ok((await rosetta.search('red', { k: 10, filter: { tags: ['demo'] } })).length > 0);
  const sizes = (await rosetta.search('red', { k: 20 })).map((r) => statSync(r.path).size).sort((a, b) => a - b);
  const cut = sizes[Math.floor(sizes.length / 2)];
  const small = await rosetta.search('red', { k: 20, filter: { maxSize: cut } });
  assert.ok(small.length > 0 && small.length < sizes.length);
  assert.ok(small.every((r) => statSync(r.path).size <= cut));
  const texts = await rosetta.search('red', { k: 20, in: ['text'] });
  assert.ok(texts.length === 2 && texts.every((r) => r.modality === 'text'));
});

test('zero-shot tag gives probabilities that favour the right label', async () => {
  const tags = await rosetta.tag(join(photos, 'red.png'), { labels: ['red', 'green', 'blue'] });
  assert.equal(tags[0].label, 'red');
  assert.ok(Math.abs(tags.reduce((s, t) => s + t.probability, 0) - 1) < 1e-6);
  assert.ok(tags[0].probability > 0.9);
});

test('a hybrid search needs words: an image-only hybrid query is an error, not a silently plain one', async () => {
  await assert.rejects(rosetta.search({ image: join(photos, 'red.png') }, { hybrid: true }), {
    code: 'ROSETTA_ERR_QUERY_INVALID',
    message: /hybrid/,
  });
  const hits = await rosetta.search('red glow', { hybrid: true, k: 3 });
  assert.ok(
    hits.some((h) => /fire\.md$/.test(h.path)),
    'keywords find the note',
  );
});
