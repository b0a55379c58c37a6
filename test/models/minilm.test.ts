import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSpace, defaultSpaceId } from '../../src/index.js';
import { resolveRuntime } from '../../src/models/runtime-options.js';
import { dot } from '../../src/vectors/vector-math.js';
import { registryModel } from '../helpers/registry-models.js';

const FIXTURE = new URL('../fixtures/minilm/', import.meta.url);
const minilm = registryModel('minilm-l6-v2');

/** Decodes IEEE half floats (the fixture's storage) into float32. */
function halfs(bytes: Buffer): Float32Array {
  const out = new Float32Array(bytes.length / 2);
  for (let i = 0; i < out.length; i += 1) {
    const h = bytes.readUInt16LE(i * 2);
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    out[i] =
      exp === 0
        ? sign * 2 ** -14 * (frac / 1024)
        : exp === 31
          ? frac
            ? NaN
            : sign * Infinity
          : sign * 2 ** (exp - 15) * (1 + frac / 1024);
  }
  return out;
}

describe('all-MiniLM-L6-v2 (registry weights) against sentence-transformers', { skip: minilm.skip }, () => {
  it('embeds 100 sentences as sentence-transformers does: cosine ≥ 0.9999 for every one', async () => {
    const meta = JSON.parse(readFileSync(new URL('sentences.json', FIXTURE), 'utf8')) as {
      sentences: string[];
      dim: number;
      weights: { sha256: string };
    };
    const ref = halfs(readFileSync(new URL('embeddings.f16', FIXTURE)));
    const source = readFileSync(join(minilm.dir, 'SOURCE'), 'utf8');
    assert.ok(source.includes(meta.weights.sha256), 'the installed model was converted from the weights the fixture was made with');
    const space = await loadSpace({ model: 'minilm' }, resolveRuntime({ offline: true, batchSize: 16 }));
    try {
      assert.equal(space.id, 'minilm');
      assert.deepEqual(space.modalities, ['text']);
      const got = await space.embedTexts(meta.sentences);
      assert.equal(got.length, 100);
      let worst = 1;
      for (let i = 0; i < got.length; i += 1) {
        const r = ref.subarray(i * meta.dim, (i + 1) * meta.dim);
        const cos = dot(got[i], r) / Math.sqrt(dot(r, r));
        worst = Math.min(worst, cos);
        assert.ok(cos >= 0.9999, `sentence ${i} (${JSON.stringify(meta.sentences[i].slice(0, 40))}): cosine ${cos}`);
      }
      assert.equal(space.dim, 384);
      console.log(`minilm vs sentence-transformers: worst cosine over 100 sentences ${worst.toFixed(7)}`);
    } finally {
      await space.dispose();
    }
  });

  it('ranks a paraphrase above unrelated text, with no word in common', async () => {
    const space = await loadSpace({ model: 'minilm' }, resolveRuntime({ offline: true }));
    try {
      const [q, para, other] = await space.embedTexts([
        'physician',
        'The doctor examined her patient.',
        'The stock market fell sharply today.',
      ]);
      assert.ok(dot(q, para) > dot(q, other) + 0.1, `${dot(q, para)} vs ${dot(q, other)}`);
      assert.equal(defaultSpaceId('minilm'), 'minilm');
    } finally {
      await space.dispose();
    }
  });
});
