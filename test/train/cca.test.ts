import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitCca, projectRows, type SparseRow } from '../../src/train/baseline/cca.js';
import { quantizeRows, roundRowsToInt8 } from '../../src/train/export/cca-graphs.js';
import { gaussian, rng } from '../../src/train/model/mini-architecture.js';
import { recallAtK, similarity } from '../../src/train/eval/retrieval.js';

/**
 * Synthetic pairs with a known shared structure: 40 classes, each a random direction in a 60-d "image"
 * space seen with noise, and named by its own word plus one of 5 shared filler words. Fitted on 6 noisy
 * pictures per class, then new pictures must find their class word among all 40.
 */
async function classRetrieval(textWhitening: 'full' | 'diagonal'): Promise<{ r1: number; correlations: number[] }> {
  const rand = rng(3);
  const C = 40,
    p = 60,
    per = 6,
    fillers = 5,
    q = C + fillers;
  const centres = Array.from({ length: C }, () => Float32Array.from({ length: p }, () => gaussian(rand)));
  const picture = (c: number) => Float32Array.from(centres[c], (v) => v + 0.8 * gaussian(rand));
  const X = new Float32Array(C * per * p);
  const rows: SparseRow[] = [];
  for (let c = 0; c < C; c++)
    for (let k = 0; k < per; k++) {
      const i = c * per + k;
      X.set(picture(c), i * p);
      rows.push({
        image: i,
        terms: new Map([
          [c, Math.SQRT1_2],
          [C + Math.floor(rand() * fillers), Math.SQRT1_2],
        ]),
      });
    }
  const fit = await fitCca(X, C * per, p, rows, q, { k: 20, regX: 0.1, regY: 0.1, seed: 1, textWhitening });
  const test = new Float32Array(C * p);
  for (let c = 0; c < C; c++) test.set(picture(c), c * p);
  const words = new Float32Array(C * q);
  for (let c = 0; c < C; c++) words[c * q + c] = 1;
  const w = fit.correlations;
  const sim = similarity(projectRows(test, C, p, fit.mx, fit.A, fit.k, w), projectRows(words, C, q, fit.my, fit.B, fit.k, w), fit.k);
  return { r1: recallAtK(sim, C, C, [1])[1], correlations: fit.correlations };
}

for (const mode of ['full', 'diagonal'] as const) {
  test(`CCA with ${mode} text whitening aligns new pictures with the word of their class`, async () => {
    const { r1, correlations } = await classRetrieval(mode);
    assert.ok(r1 >= 0.9, `R@1 ${r1} over 40 classes (chance 0.025)`);
    assert.ok(
      correlations.every((c, i) => c >= 0 && (i === 0 || c <= correlations[i - 1] + 1e-6)),
      'canonical correlations come sorted, non-negative',
    );
  });
}

test('the int8 token table keeps every entry within half a step of its row scale', () => {
  const rand = rng(9);
  const cols = 16;
  const table = Float32Array.from({ length: 50 * cols }, (_, i) => gaussian(rand) * (1 + (i % 7)));
  const { q, scale } = quantizeRows(table, cols);
  const decoded = Float32Array.from(table);
  roundRowsToInt8(decoded, cols);
  for (let i = 0; i < table.length; i++) {
    const s = scale[Math.floor(i / cols)];
    assert.ok(Math.abs(decoded[i] - table[i]) <= s / 2 + 1e-7, `entry ${i}`);
    assert.ok(q[i] >= -127 && q[i] <= 127);
  }
});
