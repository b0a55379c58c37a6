import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTinyClip, COLOUR_RGB } from '../helpers/tiny-clip.js';
import { writeSolidPng } from '../helpers/eval-space.js';
import { loadSpace } from '../../src/spaces/load-space.js';
import { resolveRuntime } from '../../src/models/runtime-options.js';
import { check, evaluateRetrieval } from '../../src/eval/index.js';

test('evaluation runs on a CLIP-layout model directory loaded by the engine (Transformers.js path)', async () => {
  const modelDir = buildTinyClip();
  const data = mkdtempSync(join(tmpdir(), 'rosetta-eval-clip-'));
  const space = await loadSpace({ model: modelDir }, resolveRuntime({ offline: true }));
  try {
    const rows = ['image,text'];
    for (const [name, rgb] of Object.entries(COLOUR_RGB)) {
      await writeSolidPng(join(data, `${name}.png`), rgb.map((v) => v / 255) as [number, number, number]);
      rows.push(`${name}.png,a photo of a ${name} square`);
    }
    rows.push('red.png,a photo of a blue square');
    writeFileSync(join(data, 'pairs.csv'), rows.join('\n'));
    const r = await evaluateRetrieval(space, join(data, 'pairs.csv'));
    assert.equal(r.dataset.images, 8);
    assert.equal(r.i2t.r1, 7 / 8); // the blue image ties with red's mislabelled caption
    assert.equal(r.worst[0].text, 'a photo of a blue square');
    const c = await check(space, join(data, 'pairs.csv'));
    assert.deepEqual(
      c.flagged.map((f) => f.text),
      ['a photo of a blue square'],
    );
  } finally {
    await space.dispose();
    rmSync(data, { recursive: true, force: true });
    rmSync(modelDir, { recursive: true, force: true });
  }
});
