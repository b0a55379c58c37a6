/**
 * Real-model checks, skipped unless ROSETTA_MODELS points at a folder holding hub models by id, e.g.
 *   $ROSETTA_MODELS/Xenova/whisper-tiny, $ROSETTA_MODELS/Xenova/vit-gpt2-image-captioning,
 *   $ROSETTA_MODELS/onnx-community/Florence-2-base-ft, $ROSETTA_MODELS/Xenova/mms-tts-eng,
 *   $ROSETTA_MODELS/onnx-community/Janus-1.3B-ONNX
 * Run: ROSETTA_MODELS=/path node --import tsx --test test/generate/real-models.test.ts
 * Each model missing from the folder skips its own check. Here the words are checked, loosely.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { caption, imagine, speak, transcribe } from '../../src/generate/index.js';
import type { RgbImage } from '../../src/types.js';

const root = process.env.ROSETTA_MODELS;
const dirOf = (id: string) => (root && existsSync(join(root, id, 'config.json')) ? join(root, id) : undefined);
const skip = (id: string) => (dirOf(id) ? false : `set ROSETTA_MODELS to a folder containing ${id}`);

function sky(): RgbImage {
  const width = 224,
    height = 224,
    data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i += 1) data.set(i < (width * height) / 2 ? [90, 150, 235] : [40, 140, 40], i * 3);
  return { data, width, height, channels: 3 };
}

describe('generation on real models (ROSETTA_MODELS)', () => {
  it('speech round trip: espeak-ng speaks, Whisper transcribes', { skip: skip('Xenova/whisper-tiny') }, async () => {
    const spoken = await speak('The quick brown fox jumps over the lazy dog.', { engine: 'espeak-ng' });
    const out = await transcribe(spoken.wav, { model: dirOf('Xenova/whisper-tiny'), language: 'en' });
    assert.match(out.text.toLowerCase(), /fox|dog/);
    assert.ok(out.segments.length > 0);
  });

  it('ViT-GPT2 captions an image', { skip: skip('Xenova/vit-gpt2-image-captioning') }, async () => {
    const out = await caption(sky(), { model: dirOf('Xenova/vit-gpt2-image-captioning') });
    assert.ok(out.text.split(' ').length >= 3, out.text);
  });

  it('Florence-2 captions in detail', { skip: skip('onnx-community/Florence-2-base-ft') }, async () => {
    const out = await caption(sky(), { model: dirOf('onnx-community/Florence-2-base-ft'), detail: 'detailed', ocr: true });
    assert.ok(out.text.length > 10, out.text);
    assert.equal(typeof out.ocr, 'string');
  });

  it('MMS-TTS speaks', { skip: skip('Xenova/mms-tts-eng') }, async () => {
    const out = await speak('Hello from Rosetta.', { engine: dirOf('Xenova/mms-tts-eng') });
    assert.ok(out.duration > 0.5 && out.duration < 5);
  });

  it('Janus imagines an image', { skip: skip('onnx-community/Janus-1.3B-ONNX'), timeout: 30 * 60_000 }, async () => {
    const out = await imagine('a red apple on a table', { model: dirOf('onnx-community/Janus-1.3B-ONNX') });
    assert.ok(out.image.width >= 256);
  });
});
