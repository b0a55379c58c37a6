import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { loadEmojiPairs } from '../../src/datasets/emoji-pairs.js';
import { PLAIN, readRgba, renderPixels } from '../../src/train/features/image-input.js';
import { MiniEncoders } from '../../src/train/mini/mini-encoders.js';
import { fitAdapter, loadAdapter } from '../../src/train/adapter/fit-adapter.js';

test('an adapter fitted on a domain shift (greyscale, low-contrast pictures) raises held-out recall', async () => {
  const enc = await MiniEncoders.fromDirectory(resolve('models/rosetta-mini'));
  const pairs = loadEmojiPairs()
    .filter((p) => p.group !== 'flags')
    .slice(0, 900);
  const shifted = { ...PLAIN, saturation: 0, contrast: 0.6, background: [0.3, 0.3, 0.3] as [number, number, number] };
  const img = await enc.embedPixels(await Promise.all(pairs.map(async (p) => renderPixels(await readRgba(p.imagePath), shifted))));
  const txt = await enc.embedTexts(pairs.map((p) => p.labels.en));
  const d = 256;
  const rows = pairs.map((_, i) => ({ a: img.slice(i * d, (i + 1) * d), b: txt.slice(i * d, (i + 1) * d) }));
  const { adapter, before, after, heldOut } = await fitAdapter(rows, { epochs: 40, seed: 3 });
  assert.equal(heldOut, 180);
  assert.ok(after[10] > before[10] + 0.02, `R@10 before ${before[10]} after ${after[10]}`);
  // The adapter survives a JSON round trip and gives unit vectors.
  const again = loadAdapter(JSON.parse(JSON.stringify(adapter.data)));
  const v = again.apply(rows[0].a);
  assert.ok(Math.abs(Math.hypot(...v) - 1) < 1e-5);
  assert.deepEqual(Array.from(v), Array.from(adapter.apply(rows[0].a)));
});
