import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTinyVits } from '../helpers/tiny-generators.js';
import { speak, EspeakEngine } from '../../src/generate/index.js';
import { decodeWav } from '../../src/media/audio/index.js';
import { RosettaError } from '../../src/errors/index.js';

const isCode = (code: string) => (e: unknown) => RosettaError.is(e) && e.code === code;

/** Reads the canonical 44-byte header speak() writes. */
function header(wav: Buffer) {
  return {
    riff: wav.toString('ascii', 0, 4),
    wave: wav.toString('ascii', 8, 12),
    riffSize: wav.readUInt32LE(4),
    format: wav.readUInt16LE(20),
    channels: wav.readUInt16LE(22),
    rate: wav.readUInt32LE(24),
    bits: wav.readUInt16LE(34),
    data: wav.toString('ascii', 36, 40),
    dataSize: wav.readUInt32LE(40),
  };
}

describe('speak with espeak-ng (real speech)', () => {
  it('writes a valid 16-bit mono WAV whose length matches the reported duration', async () => {
    const out = await speak('Hello world, this is Rosetta speaking.', { engine: 'espeak-ng' });
    const h = header(out.wav);
    assert.deepEqual([h.riff, h.wave, h.data, h.format, h.channels, h.bits], ['RIFF', 'WAVE', 'data', 1, 1, 16]);
    assert.equal(h.rate, out.sampleRate);
    assert.equal(h.riffSize, out.wav.length - 8);
    assert.equal(h.dataSize, out.wav.length - 44);
    assert.ok(Math.abs(h.dataSize / 2 / h.rate - out.duration) < 1e-6);
    assert.ok(out.duration > 1 && out.duration < 8, `duration ${out.duration}`);
    assert.equal(out.engine, 'espeak-ng');
    const back = decodeWav(out.wav);
    const peak = back.samples.reduce((m, s) => Math.max(m, Math.abs(s)), 0);
    assert.ok(peak > 0.05, 'the audio is not silent');
  });

  it('speaks longer text for longer, and slower at a lower rate', async () => {
    const short = await speak('One.', { engine: 'espeak-ng' });
    const long = await speak('One. Two. Three. Four. Five. Six.', { engine: 'espeak-ng' });
    const slow = await speak('One. Two. Three. Four. Five. Six.', { engine: 'espeak-ng', rate: 90 });
    assert.ok(long.duration > short.duration * 2);
    assert.ok(slow.duration > long.duration * 1.3);
  });

  it('uses espeak-ng when offline and the default neural model is not cached', async () => {
    const out = await speak('Offline speech.', {
      offline: true,
      cacheDir: mkdtempSync(join(tmpdir(), 'rosetta-empty-cache-')),
      voice: 'en-us',
    });
    assert.equal(out.engine, 'espeak-ng');
    assert.ok(out.duration > 0.3);
  });

  it('explains bad voices, bad text, a missing engine and cancellation', async () => {
    await assert.rejects(speak('hi', { engine: 'espeak-ng', voice: 'en; rm -rf /' }), isCode('ROSETTA_ERR_ARG_INVALID'));
    await assert.rejects(speak('hi', { engine: 'espeak-ng', voice: 'zz-nonexistent' }), /voice/);
    await assert.rejects(speak('   ', { engine: 'espeak-ng' }), /non-empty string for text/);
    await assert.rejects(speak('hi', { engine: 'espeak-ng', rate: 5 }), /between 80 and 450 for rate/);
    await assert.rejects(
      speak('hi', { engine: new EspeakEngine('/nonexistent/espeak-ng') }),
      (e: unknown) => isCode('ROSETTA_ERR_ENGINE_MISSING')(e) && /apt-get install espeak-ng/.test((e as Error).message),
    );
    const controller = new AbortController();
    const pending = speak('A long sentence that takes a little while to synthesise. '.repeat(20), {
      engine: 'espeak-ng',
      signal: controller.signal,
    });
    controller.abort();
    await assert.rejects(pending, isCode('ROSETTA_ERR_ABORTED'));
  });
});

describe('speak with a tiny random-weight VITS', () => {
  let dir = '';
  before(() => {
    dir = buildTinyVits().dir;
  });

  it('returns a WAV at the model rate, one waveform frame per token', async () => {
    const out = await speak('hello there', { engine: dir });
    assert.equal(out.sampleRate, 16000);
    assert.equal(header(out.wav).rate, 16000);
    assert.equal(out.engine, dir);
    assert.ok(Math.abs(out.duration - (11 * 256) / 16000) < 1e-9);
  });

  it('refuses a voice, a language or a rate it cannot honour, instead of ignoring them', async () => {
    for (const [option, value] of [
      ['voice', 'fr'],
      ['rate', 220],
      ['language', 'de'],
    ] as const) {
      await assert.rejects(
        speak('hi', { engine: dir, [option]: value }),
        (e: unknown) =>
          RosettaError.is(e) &&
          e.code === 'ROSETTA_ERR_UNSUPPORTED' &&
          e.setting === option &&
          e.message.includes(`${option} ${value}`) &&
          /espeak-ng/.test(e.message),
      );
    }
  });

  it('names a missing model directory', async () => {
    await assert.rejects(speak('hi', { engine: join(dir, 'missing') }), (e: unknown) => RosettaError.is(e) && /missing/.test(e.message));
  });
});
