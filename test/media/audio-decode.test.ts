import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeAudio, decodeAudioWindows, type AudioWindow } from '../../src/media/audio/index.js';
import { hasEspeak, makeSpeechAudio, makeTone } from '../helpers/media-fixtures.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rosetta-audio-'));
});

/** Frequency of a pure tone from its zero crossings. */
function toneFrequency(samples: Float32Array, sampleRate: number): number {
  let crossings = 0;
  for (let i = 1; i < samples.length; i += 1) if (samples[i - 1] < 0 !== samples[i] < 0) crossings += 1;
  return crossings / 2 / (samples.length / sampleRate);
}

const rms = (x: Float32Array) => Math.sqrt(x.reduce((s, v) => s + v * v, 0) / Math.max(1, x.length));

async function collect(file: string, options: Parameters<typeof decodeAudioWindows>[1]): Promise<AudioWindow[]> {
  const out: AudioWindow[] = [];
  for await (const w of decodeAudioWindows(file, options)) out.push(w);
  return out;
}

test('every audio and video container decodes to mono PCM of the right length and pitch', async () => {
  for (const ext of ['wav', 'mp3', 'flac', 'ogg', 'm4a', 'mp4', 'webm', 'mkv', 'mov', 'avi']) {
    const video = ['mp4', 'webm', 'mkv', 'mov', 'avi'].includes(ext);
    const file = await makeTone({ out: join(dir, `tone.${ext}`), seconds: 3, frequency: 440, video });
    const pcm = await decodeAudio(file, 16_000);
    assert.equal(pcm.sampleRate, 16_000);
    const seconds = pcm.samples.length / 16_000;
    assert.ok(Math.abs(seconds - 3) < 0.12, `${ext}: ${seconds} s`);
    const f = toneFrequency(pcm.samples.subarray(8000, 40_000), 16_000); // the middle: codecs pad the ends
    assert.ok(Math.abs(f - 440) < 8, `${ext}: ${f} Hz`);
  }
});

test('windows overlap by the hop, keep exact times, and the tail window is kept short', async () => {
  const file = await makeTone({ out: join(dir, 'tone27.wav'), seconds: 27, sampleRate: 16_000 });
  const progress: number[] = [];
  const windows = await collect(file, { sampleRate: 8000, windowSeconds: 10, hopSeconds: 5, onProgress: (s) => progress.push(s) });
  assert.deepEqual(
    windows.map((w) => [w.t0, w.t1]),
    [
      [0, 10],
      [5, 15],
      [10, 20],
      [15, 25],
      [20, 27],
    ],
  );
  assert.deepEqual(
    windows.map((w) => w.pcm.samples.length),
    [80_000, 80_000, 80_000, 80_000, 56_000],
  );
  // Overlapping windows hold the same samples where they overlap.
  assert.deepEqual(windows[1].pcm.samples.subarray(0, 100), windows[0].pcm.samples.subarray(40_000, 40_100));
  assert.ok(progress.every((p, i) => i === 0 || p >= progress[i - 1]) && progress.at(-1) === 27);

  // A length that ends exactly on a hop gives no extra tail; a clip shorter than a window gives one short window.
  const exact = await collect(join(dir, 'tone27.wav'), { sampleRate: 8000, windowSeconds: 9, hopSeconds: 9 });
  assert.deepEqual(
    exact.map((w) => w.t1),
    [9, 18, 27],
  );
  const short = await collect(file, { sampleRate: 8000, windowSeconds: 60 });
  assert.deepEqual(
    short.map((w) => [w.t0, w.t1]),
    [[0, 27]],
  );
});

test('a spoken word lands in the windows that cover its time', async (t) => {
  if (!(await hasEspeak())) {
    t.skip('espeak-ng not installed');
    return;
  }
  const { out, speech } = await makeSpeechAudio({
    out: join(dir, 'words.wav'),
    words: [
      { text: 'apple', t: 1.5 },
      { text: 'orange', t: 7 },
    ],
    duration: 10,
  });
  const windows = await collect(out, { sampleRate: 16_000, windowSeconds: 1, hopSeconds: 1 });
  const loud = windows.filter((w) => rms(w.pcm.samples) > 0.01).map((w) => w.t0);
  const expected = new Set<number>();
  for (const s of speech) for (let s0 = Math.floor(s.t0); s0 < s.t1; s0 += 1) expected.add(s0);
  // Sound only where words were placed (espeak pads its clips with silence, so a word may end early)…
  assert.ok(
    loud.every((t0) => expected.has(t0)),
    `loud windows ${loud}`,
  );
  // …and every word is heard in the window where it starts.
  for (const s of speech) assert.ok(loud.includes(Math.floor(s.t0)), `${s.text} at ${s.t0}`);
});

test('a query clip decodes the same from bytes as from its path', async () => {
  const file = await makeTone({ out: join(dir, 'query.m4a'), seconds: 2, frequency: 660 });
  const fromPath = await decodeAudio(file, 48_000);
  const fromBytes = await decodeAudio(new Uint8Array(await readFile(file)), 48_000);
  assert.deepEqual(fromBytes.samples, fromPath.samples);
});
