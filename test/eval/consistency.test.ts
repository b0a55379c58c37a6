import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatCheck } from '../../src/eval/report/text-summary.js';
import { clipScore, score, bestOf, calibrateThreshold, rocAuc, check, scorePairs } from '../../src/eval/consistency/index.js';
import type { Space } from '../../src/spaces/space.js';
import { createEvalSpace, solidImage, writeSolidPng, COLOURS } from '../helpers/eval-space.js';

let space: Space;
let dir: string;
before(async () => {
  space = await createEvalSpace();
  dir = await mkdtemp(join(tmpdir(), 'rosetta-eval-'));
});
after(async () => {
  await space.dispose();
  await rm(dir, { recursive: true, force: true });
});

test('CLIPScore is 2.5 · max(cos, 0)', () => {
  assert.equal(clipScore(0.4), 1);
  assert.equal(clipScore(-0.2), 0);
  assert.equal(clipScore(1), 2.5);
});

test('score compares an image with a text in the space', async () => {
  const red = solidImage([1, 0, 0]);
  assert.ok(Math.abs((await score(space, red, 'a red square')).score - 2.5) < 1e-5);
  assert.equal((await score(space, red, 'a green square')).score, 0); // cos = −1/3, clipped
  assert.ok(Math.abs((await score(space, 'yellow', red)).score - 2.5 / 3) < 1e-5); // cos = 1/3
});

test('score compares audio with a text in the same form', async () => {
  const samples = new Float32Array(300);
  samples.fill(0.9, 0, 100); // loud in the first third → the "red" direction of this space
  const r = await score(space, { samples, sampleRate: 1000 }, 'red');
  const expectedCos = 0.7 / (Math.sqrt(0.66) * Math.sqrt(0.75));
  assert.deepEqual(r.modalities, ['audio', 'text']);
  assert.ok(Math.abs(r.cosine - expectedCos) < 1e-5);
  assert.ok(Math.abs(r.score - 2.5 * expectedCos) < 1e-5);
});

test('bestOf keeps the candidate most consistent with the anchor (caption --best-of N)', async () => {
  const r = await bestOf(space, solidImage([0, 0, 1]), ['a red thing', 'a cyan thing', 'a blue thing']);
  assert.equal(r.best, 2);
  assert.equal(r.scores.length, 3);
  assert.ok(r.scores[2].score > r.scores[1].score && r.scores[1].score > r.scores[0].score);
});

test('calibration: threshold, equal-error point and AUC on hand-computed scores', () => {
  const c = calibrateThreshold([0.9, 0.8, 0.7, 0.3], [0.1, 0.2, 0.4, 0.35]);
  assert.ok(Math.abs(c.threshold - 0.55) < 1e-12);
  assert.equal(c.balancedAccuracy, 0.875);
  assert.equal(c.auc, 0.875);
  assert.ok(Math.abs(c.equalError.threshold - 0.375) < 1e-12);
  assert.equal(c.equalError.rate, 0.25);
  assert.equal(rocAuc([1], [1]), 0.5);
  assert.deepEqual(
    c.histogram.matched.reduce((a, b) => a + b, 0),
    4,
  );
});

test('check calibrates on matched vs shuffled pairs and flags the mislabelled ones', async () => {
  const names = Object.keys(COLOURS);
  const lines: string[] = [];
  let k = 0;
  for (const name of names) {
    for (let copy = 0; copy < 3; copy += 1) {
      const file = `${name}-${copy}.png`;
      await writeSolidPng(join(dir, file), COLOURS[name], 24, 0.15, ++k);
      lines.push(JSON.stringify({ image: file, text: `a ${name} tile` }));
    }
  }
  lines.push(JSON.stringify({ image: 'red-0.png', text: 'a blue tile' }));
  lines.push(JSON.stringify({ image: 'green-1.png', text: 'a magenta tile' }));
  lines.push('{"image": "missing.png", "text": "gone"}', 'not json');
  const file = join(dir, 'pairs.jsonl');
  await writeFile(file, lines.join('\n'));
  const result = await check(space, file, { seed: 7 });
  const cal = result.calibration.image!;
  assert.ok(cal.auc > 0.85, `AUC ${cal.auc}`); // 2 mislabelled "matched" pairs at 0 tie with clipped shuffled ones
  assert.ok(cal.balancedAccuracy > 0.85);
  assert.ok(cal.matched.median > cal.threshold && cal.threshold > cal.shuffled.median);
  assert.equal(result.thresholds.image?.source, 'calibrated');
  assert.deepEqual(result.flagged.map((p) => p.text).sort(), ['a blue tile', 'a magenta tile']);
  assert.deepEqual(
    result.issues.map((i) => i.row),
    [27, 28],
  );

  const text = formatCheck(result);
  assert.match(text, /2 of 26 pairs flagged/);
  assert.match(text, /row 25 .*"a blue tile"/);

  const scored = await scorePairs(space, file, { batchSize: 5 });
  assert.equal(scored.pairs.length, 26);
  assert.ok(scored.pairs[0].score > 2.4);
});

function wav16(samples: Float32Array, sampleRate: number): Buffer {
  const buf = Buffer.alloc(44 + samples.length * 2);
  buf.write('RIFF', 0);
  buf.writeUInt32LE(36 + samples.length * 2, 4);
  buf.write('WAVE', 8);
  buf.write('fmt ', 12);
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20);
  buf.writeUInt16LE(1, 22);
  buf.writeUInt32LE(sampleRate, 24);
  buf.writeUInt32LE(sampleRate * 2, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36);
  buf.writeUInt32LE(samples.length * 2, 40);
  samples.forEach((v, k) => buf.writeInt16LE(Math.round(v * 32767), 44 + k * 2));
  return buf;
}

test('batch scoring reads audio–text pairs from WAV files', async () => {
  const first = new Float32Array(300);
  first.fill(0.9, 0, 100);
  const last = new Float32Array(300);
  last.fill(0.9, 200, 300);
  await writeFile(join(dir, 'first.wav'), wav16(first, 1000));
  await writeFile(join(dir, 'last.wav'), wav16(last, 1000));
  await writeFile(
    join(dir, 'audio.jsonl'),
    [JSON.stringify({ audio: 'first.wav', text: 'red' }), JSON.stringify({ audio: 'last.wav', text: 'red' })].join('\n'),
  );
  const r = await scorePairs(space, join(dir, 'audio.jsonl'));
  assert.equal(r.pairs.length, 2);
  assert.equal(r.pairs[0].modality, 'audio');
  assert.ok(r.pairs[0].score > 2.4, `${r.pairs[0].score}`); // loud first third reads as red
  assert.equal(r.pairs[1].score, 0); // loud last third reads as blue
});
