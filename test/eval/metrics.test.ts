import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  textToImageRanks,
  imageToTextRanks,
  summariseRanks,
  medianRank,
  recallAtK,
  meanReciprocalRank,
  classificationSummary,
} from '../../src/eval/metrics/index.js';

// 3 images, 5 captions (two each for images 0 and 1, one for image 2); rows are captions, columns images.
const sims = [
  [0.9, 0.1, 0.2],
  [0.3, 0.5, 0.4],
  [0.2, 0.8, 0.1],
  [0.7, 0.6, 0.6],
  [0.1, 0.2, 0.3],
];
const captionImage = [0, 0, 1, 1, 2];

test("text→image ranks each caption's own image, ties counted against the model", () => {
  const ranks = textToImageRanks(sims, captionImage);
  assert.deepEqual(ranks, [1, 3, 1, 3, 1]);
  const s = summariseRanks(ranks);
  assert.equal(s.r1, 0.6);
  assert.equal(s.r5, 1);
  assert.equal(s.medianRank, 1);
  assert.ok(Math.abs(s.mrr - 11 / 15) < 1e-12);
});

test("image→text takes the best rank among an image's captions", () => {
  const ranks = imageToTextRanks(sims, captionImage, 3);
  assert.deepEqual(ranks, [1, 1, 3]);
  const s = summariseRanks(ranks);
  assert.ok(Math.abs(s.r1 - 2 / 3) < 1e-12);
  assert.ok(Math.abs(s.mrr - 7 / 9) < 1e-12);
  assert.equal(s.count, 3);
});

test('a constant model gets no credit from ties', () => {
  const flat = [
    [0.5, 0.5],
    [0.5, 0.5],
  ];
  assert.deepEqual(textToImageRanks(flat, [0, 1]), [2, 2]);
  assert.deepEqual(imageToTextRanks(flat, [0, 1], 2), [2, 2]);
});

test('median rank, recall@k and MRR on an even count', () => {
  assert.equal(medianRank([10, 1, 3, 2]), 2.5);
  assert.equal(recallAtK([1, 12], 10), 0.5);
  assert.equal(meanReciprocalRank([1, 2, 4]), (1 + 0.5 + 0.25) / 3);
});

test('classification: accuracy, per-class recall and precision, confusion matrix', () => {
  const s = classificationSummary([0, 0, 1, 1, 2], [0, 1, 1, 1, 0], ['a', 'b', 'c']);
  assert.deepEqual(s.confusion, [
    [1, 1, 0],
    [0, 2, 0],
    [1, 0, 0],
  ]);
  assert.equal(s.accuracy, 0.6);
  assert.deepEqual(
    s.perClass.map((p) => p.recall),
    [0.5, 1, 0],
  );
  assert.deepEqual(
    s.perClass.map((p) => p.precision),
    [0.5, 2 / 3, 0],
  );
  assert.equal(s.macroRecall, 0.5);
});

test('streamed ranks (ONNX Runtime row blocks) equal the reference ranks, ties included', async () => {
  const { streamedRanks } = await import('../../src/eval/metrics/index.js');
  const { forEachSimilarityRow, similarityMatrix } = await import('../../src/vectors/index.js');
  // Coarse values (multiples of 1/4) make many exact ties; unnormalised vectors are fine for ranking.
  let s = 12345;
  const rand = () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return Math.floor((s / 4294967296) * 3) / 4;
  };
  const images = Array.from({ length: 23 }, () => Float32Array.from({ length: 4 }, rand));
  const captionImage = Array.from({ length: 61 }, (_, c) => c % 21); // images 21 and 22 have no caption
  const texts = captionImage.map(() => Float32Array.from({ length: 4 }, rand));
  const sims = similarityMatrix(texts, images);
  const streamed = await streamedRanks((visit) => forEachSimilarityRow(texts, images, visit, 7), captionImage, images.length);
  assert.deepEqual(streamed.t2i, textToImageRanks(sims, captionImage));
  assert.deepEqual(streamed.i2t, imageToTextRanks(sims, captionImage, images.length));
});
