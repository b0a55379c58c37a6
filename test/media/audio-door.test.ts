import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeWav, encodeWav, readAudio, resample } from '../../src/media/audio/index.js';
import { loadClapSpace } from '../../src/spaces/clap-space.js';
import { encodeQuery } from '../../src/search/compose-query.js';
import { dot } from '../../src/vectors/index.js';
import { buildTinyClap, makeTone } from '../helpers/media-fixtures.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rosetta-audio-door-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const tone = (seconds: number, rate: number, hz: number) => ({
  samples: Float32Array.from({ length: Math.round(seconds * rate) }, (_, i) => 0.5 * Math.sin((2 * Math.PI * hz * i) / rate)),
  sampleRate: rate,
});

test('readAudio returns mono PCM at the asked rate from a WAV, other formats, bytes and decoded PCM', async () => {
  const wav16 = encodeWav(tone(1, 16_000, 440));
  const exact = await readAudio(wav16, 16_000);
  assert.deepEqual(exact, decodeWav(wav16), 'a WAV at the wanted rate is read as it is');
  const up = await readAudio(wav16, 48_000);
  assert.equal(up.sampleRate, 48_000);
  assert.ok(Math.abs(up.samples.length - 48_000) < 100, `one second at 48 kHz (${up.samples.length})`);
  const ogg = await makeTone({ out: join(dir, 'tone.ogg'), seconds: 1.5, sampleRate: 22_050 });
  const fromOgg = await readAudio(ogg, 16_000);
  assert.equal(fromOgg.sampleRate, 16_000);
  assert.ok(Math.abs(fromOgg.samples.length - 24_000) < 400);
  assert.deepEqual(await readAudio(await readFile(ogg), 16_000), fromOgg, 'bytes and the path decode alike');
  const pcm = await readAudio(tone(1, 8_000, 200), 16_000);
  assert.equal(pcm.sampleRate, 16_000);
  assert.equal(pcm.samples.length, 16_000);
  await assert.rejects(readAudio(42 as never, 16_000), { code: 'ROSETTA_ERR_ARG_INVALID' });
});

test("resample keeps a tone's pitch and length; speed shortens it", () => {
  const src = tone(1, 22_050, 300);
  const out = resample(src, 16_000);
  assert.equal(out.samples.length, 16_000);
  const crossings = (s: Float32Array) => s.reduce((n, v, i) => n + (i > 0 && s[i - 1] < 0 !== v < 0 ? 1 : 0), 0);
  assert.ok(Math.abs(crossings(out.samples) - 600) <= 2, 'still 300 Hz');
  assert.equal(resample(src, 16_000, { speed: 1.25 }).samples.length, 12_800);
});

test('an audio query longer than the model window is encoded whole, not cut to its first window', async () => {
  const model = await buildTinyClap(join(dir, 'tiny-clap'));
  const space = await loadClapSpace({ model, offline: true });
  // 2 s of a high tone, then 4 s of a low one: the tiny CLAP's window is 2 s, so the first window is all high.
  const high = tone(2, 16_000, 5000);
  const low = tone(4, 16_000, 150);
  const clip = new Float32Array(96_000);
  clip.set(high.samples);
  clip.set(low.samples, 32_000);
  const query = await encodeQuery(space, { audio: encodeWav({ samples: clip, sampleRate: 16_000 }) });
  const [whole, first] = await space.embedAudio([{ samples: clip, sampleRate: 16_000 }, high]);
  assert.ok(dot(query, whole) > 0.9999, `the query is the whole clip (cos ${dot(query, whole)})`);
  assert.ok(dot(query, first) < 0.5, `the query is not the first window alone (cos ${dot(query, first).toFixed(4)})`);
  const [lowWord] = await space.embedTexts(['low']);
  assert.ok(dot(query, lowWord) > dot(first, lowWord), 'the rest of the clip is heard');
  await space.dispose();
});
