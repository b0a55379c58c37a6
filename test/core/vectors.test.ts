import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  clipScore,
  dot,
  l2normalize,
  meanNormalised,
  rankOf,
  recallAtK,
  similarityFlat,
  softmax,
  weightedMean,
} from '../../src/vectors/index.js';
import { recallAtK as trainerRecall } from '../../src/train/eval/retrieval.js';
import { seededRandom } from '../../src/util/random.js';

test("softmax with a scale is CLIP's zero-shot probability and sums to 1", () => {
  const p = softmax([0.3, 0.25, 0.1], 100);
  assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-12);
  assert.ok(Math.abs(p[0] / p[1] - Math.exp(5)) < 1e-6, 'a cosine 0.05 higher is e^5 times as likely at scale 100');
  assert.deepEqual(softmax([]), []);
});

test('weighted means are unit directions; CLIPScore clips negative cosines', () => {
  const a = l2normalize(Float32Array.from([1, 0, 0]));
  const b = l2normalize(Float32Array.from([0, 1, 0]));
  const mid = weightedMean([
    { w: 1, v: a },
    { w: 1, v: b },
  ]);
  assert.ok(Math.abs(dot(mid, mid) - 1) < 1e-6);
  assert.deepEqual(meanNormalised([a, b]), mid);
  assert.ok(
    dot(
      weightedMean([
        { w: 0.9, v: a },
        { w: 0.1, v: b },
      ]),
      a,
    ) > dot(mid, a),
  );
  assert.throws(() => dot([1, 2], [1]), RangeError);
  assert.equal(clipScore(-0.2), 0);
  assert.equal(clipScore(0.4), 1);
});

test("the trainer's recall over a flat matrix is the shared rank-based Recall@K (ties count against the query)", () => {
  const random = seededRandom(3);
  const n = 40,
    d = 8;
  const a = new Float32Array(n * d).map(() => random() - 0.5);
  const b = new Float32Array(n * d).map(() => random() - 0.5);
  const sim = similarityFlat(a, b, d);
  const ranks = Array.from({ length: n }, (_, i) => rankOf(sim.subarray(i * n, (i + 1) * n), i));
  const flat = trainerRecall(sim, n, n, [1, 5, 10]);
  for (const k of [1, 5, 10]) assert.equal(flat[k], recallAtK(ranks, k));
  assert.equal(rankOf([0.5, 0.5, 0.1], 0), 2, 'a tie ranks the target below');
});
