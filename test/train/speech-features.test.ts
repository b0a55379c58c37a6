import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logMel } from '../../src/train/features/speech.js';
import { MINI } from '../../src/train/model/mini-architecture.js';

test('log-mel features of a clip longer than the window are the same every time, cut where asked', async () => {
  const window = Math.round(MINI.sampleRate * MINI.audioSeconds);
  // 4 s: a tone that rises, so every cut of the clip looks different.
  const clip = Float32Array.from(
    { length: MINI.sampleRate * 4 },
    (_, i) => 0.3 * Math.sin(2 * Math.PI * (200 + i / 40) * (i / MINI.sampleRate)),
  );
  const a = await logMel(clip),
    b = await logMel(clip);
  assert.deepEqual(a.data, b.data, 'the extractor no longer crops at random');
  const start = await logMel(clip, 0),
    head = await logMel(clip.slice(0, window));
  assert.deepEqual(start.data, head.data, 'cropAt 0 keeps the first window');
  assert.notDeepEqual(start.data, a.data, 'the default cut is the centre, not the start');
});
