import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pullModel } from '../../src/pull-model.js';
import { hasEspeak } from '../helpers/media-fixtures.js';

test('models pull: espeak-ng is a local program, checked and not downloaded', async (t) => {
  if (!(await hasEspeak())) return t.skip('espeak-ng is not installed (npm run setup:system)');
  const pulled = await pullModel('espeak-ng');
  assert.match(pulled.parts[0], /local program .*nothing to download/);
});

test('models pull loads Florence-2 through its own processor and model classes, not the image-to-text pipeline', async (t) => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'rosetta-pull-'));
  t.after(() => rmSync(cacheDir, { recursive: true, force: true }));
  // No hub is reachable here: the load fails, and its message says which loader was used.
  await assert.rejects(pullModel('onnx-community/Florence-2-base-ft', { cacheDir }), (e: Error & { code?: string }) => {
    assert.equal(e.code, 'ROSETTA_ERR_MODEL_LOAD_FAILED');
    assert.match(e.message, /the (processor|model) of onnx-community\/Florence-2-base-ft/);
    assert.doesNotMatch(e.message, /pipeline/);
    return true;
  });
});
