import { test } from 'node:test';
import assert from 'node:assert/strict';
import { audit, weatFromAssociations, AUDIT_STATEMENT } from '../../src/eval/bias/weat.js';
import { createEvalSpace } from '../helpers/eval-space.js';

test('WEAT on hand-computed associations: effect size and exact permutation p-value', () => {
  // s = +1 for both X words and −1 for both Y words: d = 2 / sd{1,1,−1,−1} = 2 / √(4/3) = √3;
  // of the 6 re-partitions only the observed one reaches the statistic 4, so p = 1/6.
  const r = weatFromAssociations([1, 1], [-1, -1]);
  assert.ok(Math.abs(r.effectSize - Math.sqrt(3)) < 1e-12);
  assert.equal(r.statistic, 4);
  assert.equal(r.pValue, 1 / 6);
  assert.equal(r.exact, true);
  assert.equal(r.permutations, 6);
});

test('audit finds a built-in association in a real space, with Monte Carlo p-values, and says it is a probe', async () => {
  // Targets x* point along axis 1 and y* along axis 2; attributes a* along axis 1, b* along axis 2 (small offsets
  // keep the words distinct). X associates with A: effect size near its maximum, p tiny.
  const words: Record<string, number[]> = {};
  const xs: string[] = [];
  const ys: string[] = [];
  for (let k = 0; k < 8; k += 1) {
    words[`x${k}`] = [0.5, 0.02 * k, 0.01];
    xs.push(`x${k}`);
    words[`y${k}`] = [0.02 * k, 0.5, 0.01];
    ys.push(`y${k}`);
  }
  Object.assign(words, { aa: [0.5, 0, 0.05], ab: [0.5, 0, -0.05], ba: [0, 0.5, 0.05], bb: [0, 0.5, -0.05] });
  const space = await createEvalSpace({ words });
  try {
    const r = await audit(space, {
      tests: [
        {
          name: 'built in',
          targets: [
            { name: 'X', words: xs },
            { name: 'Y', words: ys },
          ],
          attributes: [
            { name: 'A', words: ['aa', 'ab'] },
            { name: 'B', words: ['ba', 'bb'] },
          ],
        },
      ],
      permutations: 2000,
      seed: 3,
    });
    const t = r.tests[0];
    assert.equal(t.exact, false); // C(16, 8) = 12870 > 2000
    assert.ok(t.effectSize > 1.8, `d = ${t.effectSize}`);
    assert.ok(t.pValue <= 2 / 2001, `p = ${t.pValue}`);
    assert.equal(t.perWord.length, 16);
    assert.equal(r.statement, AUDIT_STATEMENT);
    assert.match(r.statement, /probe, not a verdict/);

    // The default lists run as well; this space knows none of those words, so no association is found.
    const d = await audit(space, { permutations: 500 });
    assert.equal(d.tests.length, 2);
    assert.ok(d.tests.every((x) => x.effectSize === 0 && x.pValue === 1));
  } finally {
    await space.dispose();
  }
});
