import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { loadEmojiPairs } from '../../src/train/data/emoji-pairs.js';
import { PLAIN, readRgba, renderPixels } from '../../src/train/features/image-input.js';
import { MiniEncoders } from '../../src/train/mini/mini-encoders.js';
import { recallAtK, similarity } from '../../src/train/eval/retrieval.js';

/**
 * Held-out text→image R@1 and R@10 of the faithful classical baseline (src/train/baseline/cca-baseline.ts:
 * 400 whitened 6×6 k-means filters, quadrant-pooled, colour histogram, TF-IDF over the 3,000 most frequent
 * words, ridged CCA), measured in the same run as the committed model by `npx tsx bench/mini-quality.ts`
 * (344 candidates; BENCHMARKS.md has the whole table). The baseline is deterministic (seed 1).
 */
const BASELINE: Record<string, [number, number]> = {
  en: [0.192, 0.456],
  de: [0.140, 0.358],
  fr: [0.154, 0.422],
  es: [0.169, 0.404],
  ja: [0.151, 0.392],
};

test('the committed rosetta-mini beats the classical baseline on held-out emoji in every language (text→image R@1 and R@10)', async () => {
  const enc = await MiniEncoders.fromDirectory(resolve('models/rosetta-mini'));
  const heldOut = loadEmojiPairs({ split: 'heldOut' });
  assert.ok(heldOut.length > 300, 'the split holds out about 18 % of the emoji');
  const pixels = await Promise.all(heldOut.map(async (p) => renderPixels(await readRgba(p.imagePath), PLAIN)));
  const img = await enc.embedPixels(pixels);
  const below: string[] = [];
  for (const [lang, [r1, r10]] of Object.entries(BASELINE)) {
    const txt = await enc.embedTexts(heldOut.map((p) => p.labels[lang]));
    const r = recallAtK(similarity(txt, img, 256), heldOut.length, heldOut.length, [1, 10]);
    if (r[1] < r1) below.push(`${lang} R@1 ${r[1].toFixed(3)} < baseline ${r1}`);
    if (r[10] < r10) below.push(`${lang} R@10 ${r[10].toFixed(3)} < baseline ${r10}`);
  }
  assert.deepEqual(below, [], `rosetta-mini fell below the classical baseline: ${below.join('; ')}`);
});
