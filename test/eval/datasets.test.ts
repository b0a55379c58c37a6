import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { loadCaptionDataset, loadClassDataset, readPairs, detectEvalTask } from '../../src/datasets/index.js';
import { RosettaError } from '../../src/errors/index.js';

const FIX = resolve('test/fixtures/eval');
const captionsOf = (d: { images: { id: string; captions: string[] }[] }) => Object.fromEntries(d.images.map((i) => [i.id, i.captions]));

test('COCO captions JSON: groups captions per image, reports bad annotations and missing files', async () => {
  const d = await loadCaptionDataset(join(FIX, 'coco.json'));
  assert.equal(d.format, 'coco');
  assert.deepEqual(captionsOf(d), {
    'images/dog.png': ['A dog looking happy.', 'A brown puppy.'],
    'images/cat.png': ["A cat's face."],
    'images/apple.png': ['A red apple.'],
  });
  assert.equal(d.images[0].path, join(FIX, 'images/dog.png'));
  const reasons = d.issues.map((i) => `${i.row}: ${i.reason}`);
  assert.equal(d.issues.length, 4);
  assert.ok(reasons.some((r) => r.startsWith('5: image entry needs')));
  assert.ok(reasons.some((r) => r.startsWith('5: annotation needs')));
  assert.ok(reasons.some((r) => r.startsWith('6: annotation refers to unknown image_id 99')));
  assert.ok(reasons.some((r) => r.startsWith('7: image file not found')));
});

test('Karpathy split JSON: the split option keeps one split', async () => {
  const all = await loadCaptionDataset(join(FIX, 'karpathy.json'));
  assert.equal(all.format, 'karpathy');
  assert.equal(all.images.length, 3);
  const t = await loadCaptionDataset(join(FIX, 'karpathy.json'), { split: 'test' });
  assert.deepEqual(captionsOf(t), { 'images/dog.png': ['A dog.', 'A happy dog.'], 'images/cat.png': ['A cat.'] });
  assert.deepEqual(
    t.issues.map((i) => i.row),
    [2, 4],
  );
});

test('Flickr30k-style CSV: quoted fields, wrong field counts and empty captions reported by line', async () => {
  const d = await loadCaptionDataset(join(FIX, 'flickr.csv'));
  assert.deepEqual(captionsOf(d), {
    'images/dog.png': ['A dog with its tongue out', 'A puppy, smiling'],
    'images/sun.png': ['The sun'],
    'images/car.png': ['A car said "vroom"'],
  });
  assert.deepEqual(
    d.issues.map((i) => i.row),
    [5, 6],
  );
  assert.match(d.issues[0].reason, /expected 2 fields but found 3/);
  assert.match(d.issues[1].reason, /empty caption/);
});

test('Flickr30k Kaggle form (image_name| comment_number| comment) and the token file', async () => {
  const k = await loadCaptionDataset(join(FIX, 'flickr-kaggle.csv'));
  assert.deepEqual(captionsOf(k), { 'images/apple.png': ['An apple .', 'A shiny red apple .'], 'images/tree.png': ['A tree .'] });
  assert.deepEqual(
    k.issues.map((i) => i.row),
    [5],
  );
  const t = await loadCaptionDataset(join(FIX, 'flickr.token'));
  assert.equal(t.format, 'flickr-token');
  assert.deepEqual(captionsOf(t), {
    'images/cat.png': ['A cat .', 'A kitten looking at the camera .'],
    'images/sun.png': ['The sun shining .'],
  });
  assert.deepEqual(
    t.issues.map((i) => i.row),
    [3],
  );
});

test('JSONL: one caption or a captions array; broken lines reported, never thrown', async () => {
  const d = await loadCaptionDataset(join(FIX, 'captions.jsonl'));
  assert.deepEqual(captionsOf(d), {
    'images/dog.png': ['a dog'],
    'images/cat.png': ['a cat', 'a kitten'],
    'images/sun.png': ['the sun'],
  });
  assert.deepEqual(
    d.issues.map((i) => i.row),
    [3, 4, 5],
  );
  const test = await loadCaptionDataset(join(FIX, 'captions.jsonl'), { split: 'test' });
  assert.ok(test.images.some((i) => i.id === 'images/cat.png'));
});

test('folder with sidecar .txt captions; images without one are reported', async () => {
  const d = await loadCaptionDataset(join(FIX, 'folder'));
  assert.deepEqual(captionsOf(d), { 'cat.png': ['a cat face'], 'dog.png': ['a happy dog', 'a puppy with floppy ears'] });
  assert.equal(d.issues.length, 1);
  assert.match(d.issues[0].reason, /no caption file car\.txt/);
});

test('folder-per-class dataset: classes from folder names, empty folders reported', async () => {
  const d = await loadClassDataset(join(FIX, 'classes'));
  assert.deepEqual(d.classes, ['animal', 'fruit']);
  assert.equal(d.samples.length, 4);
  assert.equal(d.issues.length, 1);
  assert.match(d.issues[0].reason, /no images/);
});

test('pairs file for batch scoring, and a clear error for a missing dataset', async () => {
  const p = await readPairs(join(FIX, 'pairs.csv'));
  assert.deepEqual(
    p.pairs.map((x) => x.text),
    ['a dog', 'a cat'],
  );
  assert.deepEqual(
    p.issues.map((i) => i.row),
    [4, 5],
  );
  await assert.rejects(
    loadCaptionDataset(join(FIX, 'nope.json')),
    (e: unknown) => RosettaError.is(e) && e.code === 'ROSETTA_ERR_DATASET_INVALID',
  );
});

test('the evaluation task is told from the dataset layout', async () => {
  assert.equal(await detectEvalTask(join(FIX, 'classes')), 'zeroshot');
  assert.equal(await detectEvalTask(join(FIX, 'folder')), 'retrieval');
  assert.equal(await detectEvalTask(join(FIX, 'coco.json')), 'retrieval');
});
