import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateRetrieval } from '../../src/eval/evaluate-retrieval.js';
import { evaluateZeroShot } from '../../src/eval/evaluate-zeroshot.js';
import { compareSpaces } from '../../src/eval/compare-spaces.js';
import type { Space } from '../../src/spaces/space.js';
import { createEvalSpace, writeSolidPng, COLOURS } from '../helpers/eval-space.js';

let space: Space;
let dir: string;
const CHROMATIC = ['red', 'green', 'blue', 'yellow', 'cyan', 'magenta'];

before(async () => {
  space = await createEvalSpace();
  dir = await mkdtemp(join(tmpdir(), 'rosetta-eval-'));
  const rows = ['image,caption'];
  for (const c of CHROMATIC) {
    await writeSolidPng(join(dir, `${c}.png`), COLOURS[c]);
    rows.push(`${c}.png,a ${c} tile`, `${c}.png,${c}`);
  }
  rows.push('red.png,a blue thing', 'gone.png,a missing image');
  await writeFile(join(dir, 'captions.csv'), rows.join('\n'));
  const classes = join(dir, 'classes');
  for (const c of ['red', 'green', 'blue']) {
    await mkdir(join(classes, c), { recursive: true });
    for (let k = 0; k < 2; k += 1) await writeSolidPng(join(classes, c, `${k}.png`), COLOURS[c], 24, 0.2, k + 1);
  }
  await writeSolidPng(join(classes, 'green', 'orange.png'), [1, 0.2, 0]); // mislabelled: reads as red
});
after(async () => {
  await space.dispose();
  await rm(dir, { recursive: true, force: true });
});

test('retrieval evaluation ranks every caption and image, states the protocol, lists the worst mismatch', async () => {
  const stages = new Set<string>();
  const r = await evaluateRetrieval(space, join(dir, 'captions.csv'), { batchSize: 4, onProgress: (p) => stages.add(p.stage) });
  assert.equal(r.dataset.images, 6);
  assert.equal(r.dataset.captions, 13);
  assert.deepEqual(r.dataset.captionsPerImage, { min: 2, max: 3, mean: 13 / 6 });
  assert.match(r.protocol, /6 images and 13 captions/);
  assert.ok(Math.abs(r.t2i.r1 - 12 / 13) < 1e-12);
  assert.equal(r.t2i.r10, 1);
  assert.equal(r.t2i.medianRank, 1);
  // The blue image ties with red's caption "a blue thing", and ties count against the model: rank 2.
  assert.ok(Math.abs(r.i2t.r1 - 5 / 6) < 1e-12);
  assert.equal(r.i2t.r5, 1);
  assert.equal(r.worst[0].text, 'a blue thing');
  assert.ok([4, 5].includes(r.worst[0].rank), `rank ${r.worst[0].rank}`); // blue, cyan, magenta outrank red; green ties
  assert.equal(r.worst[0].score, 0); // cos −1/3, clipped
  assert.match(r.worst[0].retrievedPath ?? '', /blue\.png$/);
  assert.equal(r.issues.length, 1);
  assert.deepEqual([...stages].sort(), ['images', 'ranking', 'texts']);
  assert.equal(r.recallCurve[0].t2i, r.t2i.r1);
});

test('zero-shot classification with prompt ensembling: accuracy, per-class recall, confusion matrix', async () => {
  const r = await evaluateZeroShot(space, join(dir, 'classes'), { templates: ['a photo of a {}', 'a {} tile'] });
  assert.deepEqual(r.dataset.classes, ['blue', 'green', 'red']);
  assert.deepEqual(r.summary.confusion, [
    [2, 0, 0],
    [0, 2, 1],
    [0, 0, 2],
  ]);
  assert.ok(Math.abs(r.summary.accuracy - 6 / 7) < 1e-12);
  assert.ok(Math.abs(r.summary.perClass[1].recall - 2 / 3) < 1e-12);
  assert.equal(r.worst.length, 1);
  assert.equal(r.worst[0].predictedClass, 'red');
  assert.match(r.worst[0].imagePath, /orange\.png$/);
  assert.match(r.protocol, /2 prompts/);
  await assert.rejects(evaluateZeroShot(space, join(dir, 'classes'), { templates: ['no placeholder'] }), /templates/);
});

test('model comparison runs the same data through several spaces side by side', async () => {
  // A second space whose word "red" points the wrong way: comparison must show it doing worse.
  const skewed = await createEvalSpace({ id: 'skewed', words: { red: [-0.5, -0.5, 0.5] } });
  try {
    const c = await compareSpaces([space, skewed], join(dir, 'captions.csv'), { task: 'retrieval' });
    assert.deepEqual(
      c.rows.map((r) => r.space),
      ['evaltiny', 'skewed'],
    );
    assert.ok(c.rows[0].t2iR1! > c.rows[1].t2iR1!);
    assert.equal(c.results.length, 2);
  } finally {
    await skewed.dispose();
  }
});
