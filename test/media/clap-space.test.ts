import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadClapSpace } from '../../src/spaces/clap-space.js';
import { dot } from '../../src/vectors/index.js';
import { decodeAudio, decodeAudioWindows, type AudioWindow } from '../../src/media/audio/index.js';
import { MINI_MODEL_DIR } from '../../src/models/model-ref.js';
import { ErrorCodes } from '../../src/errors/codes.js';
import type { RosettaError } from '../../src/errors/rosetta-error.js';
import { buildTinyClap, makeTone } from '../helpers/media-fixtures.js';

let dir: string;
let model: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rosetta-clap-'));
  model = await buildTinyClap(join(dir, 'tiny-clap'));
});

const norm = (v: Float32Array) => Math.sqrt(dot(v, v));

test('a CLAP-layout model gives unit vectors, its own sample rate and window, and matches text to sound', async () => {
  const space = await loadClapSpace({ model, offline: true, batchSize: 2 });
  assert.deepEqual([space.id, space.dim, space.audioSampleRate, space.audioWindowSeconds, space.logitScale], ['clap', 2, 16_000, 2, 10]);
  assert.deepEqual(space.modalities, ['text', 'audio']);
  const [low, high] = await space.embedTexts(['a low sound', 'high']);
  const lowTone = await decodeAudio(await makeTone({ out: join(dir, 'low.wav'), seconds: 1.5, frequency: 150 }), space.audioSampleRate!);
  const highTone = await decodeAudio(await makeTone({ out: join(dir, 'high.ogg'), seconds: 3, frequency: 5000 }), space.audioSampleRate!);
  const [a, b] = await space.embedAudio([lowTone, highTone]);
  for (const v of [low, high, a, b]) assert.ok(Math.abs(norm(v) - 1) < 1e-5);
  assert.ok(dot(low, a) > dot(low, b) && dot(high, b) > dot(high, a), 'each tone is nearest its word');
  // Batching and the averaging of clips longer than a window are deterministic.
  const again = await space.embedAudio([highTone, lowTone, highTone]);
  assert.deepEqual(again[1], a);
  assert.deepEqual(again[0], b);
  await space.dispose();
});

test('towers load separately: text works without the audio file, and wrong rates are refused', async () => {
  const copy = await buildTinyClap(join(dir, 'text-only'));
  await rm(join(copy, 'onnx', 'audio_model.onnx'));
  const space = await loadClapSpace({ model: copy, offline: true });
  assert.equal((await space.embedTexts(['low'])).length, 1);
  await assert.rejects(
    space.embedAudio([{ samples: new Float32Array(100), sampleRate: 44_100 }]),
    (e: RosettaError) => e.code === ErrorCodes.INVALID_ARGUMENT && /16000 Hz/.test(e.message),
  );
  await assert.rejects(
    space.embedAudio([{ samples: new Float32Array(16_000), sampleRate: 16_000 }]),
    (e: RosettaError) => e.code === ErrorCodes.MODEL_NOT_FOUND || e.code === ErrorCodes.MODEL_LOAD_FAILED,
  );
});

test('streamed windows of a recording are found by a text query for what they sound like', async () => {
  const space = await loadClapSpace({ model, offline: true });
  const { execFile } = await import('node:child_process');
  const file = join(dir, 'two-tones.flac');
  // 4 s of a low tone, then 4 s of a high tone.
  await new Promise<void>((resolve, reject) =>
    execFile(
      'ffmpeg',
      [
        '-nostdin',
        '-v',
        'error',
        '-y',
        '-f',
        'lavfi',
        '-i',
        'sine=frequency=150:duration=4:sample_rate=16000',
        '-f',
        'lavfi',
        '-i',
        'sine=frequency=5000:duration=4:sample_rate=16000',
        '-filter_complex',
        '[0:a][1:a]concat=n=2:v=0:a=1',
        file,
      ],
      (e) => (e ? reject(e) : resolve()),
    ),
  );
  const windows: AudioWindow[] = [];
  for await (const w of decodeAudioWindows(file, {
    sampleRate: space.audioSampleRate,
    windowSeconds: space.audioWindowSeconds,
    hopSeconds: 1,
  }))
    windows.push(w);
  const vectors = await space.embedAudio(windows.map((w) => w.pcm));
  const [query] = await space.embedTexts(['high sound']);
  const scores = vectors.map((v) => dot(v, query));
  const high = scores.filter((_, i) => windows[i].t0 >= 4);
  const low = scores.filter((_, i) => windows[i].t1 <= 4);
  assert.ok(high.length >= 2 && low.length >= 2);
  assert.ok(Math.min(...high) > Math.max(...low) + 0.5, `high-tone windows ${high} vs low-tone windows ${low}`);
  assert.ok(windows.at(-1)!.t1 === 8);
});

test("the trained mini model's CLAP tower loads when present", async (t) => {
  const clap = join(MINI_MODEL_DIR, 'clap');
  if (!existsSync(join(clap, 'config.json'))) {
    t.skip('models/rosetta-mini/clap not built yet');
    return;
  }
  const space = await loadClapSpace({ model: clap, offline: true });
  const [v] = await space.embedTexts(['dog face']);
  const tone = await decodeAudio(await makeTone({ out: join(dir, 'mini.wav'), seconds: 1 }), space.audioSampleRate!);
  const [a] = await space.embedAudio([tone]);
  assert.equal(v.length, a.length);
  assert.ok(Math.abs(norm(v) - 1) < 1e-4 && Math.abs(norm(a) - 1) < 1e-4);
});
