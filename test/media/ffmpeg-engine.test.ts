import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectFfmpeg, locateFfmpeg, probeMedia, liveMediaProcesses } from '../../src/media/ffmpeg/index.js';
import { decodeAudioWindows } from '../../src/media/audio/index.js';
import { ErrorCodes } from '../../src/errors/codes.js';
import type { RosettaError } from '../../src/errors/rosetta-error.js';
import { makeTone } from '../helpers/media-fixtures.js';

const isGone = (pid: number) => {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
};

test('ffmpeg is found once and reused; a named but missing program fails with install commands', async () => {
  const engine = await locateFfmpeg();
  assert.ok(engine.ffmpeg && engine.ffprobe && engine.version);
  assert.equal(await locateFfmpeg(), engine);
  await assert.rejects(
    detectFfmpeg({ ...process.env, ROSETTA_FFMPEG: '/nonexistent/ffmpeg' }),
    (error: RosettaError) =>
      error.code === ErrorCodes.FFMPEG_MISSING &&
      /apt-get install ffmpeg/.test(error.message) &&
      /npm install @ffmpeg-installer/.test(error.message),
  );
});

test('without ffmpeg on PATH the binary shipped in the npm package is used', async (t) => {
  const engine = await detectFfmpeg({ PATH: '' }).catch(() => undefined);
  if (!engine) {
    t.skip('@ffmpeg-installer packages not installed');
    return;
  }
  assert.equal(engine.source, 'npm');
});

test('probeMedia reports duration, container and both streams', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'rosetta-probe-'));
  const file = await makeTone({ out: join(dir, 'clip.mkv'), seconds: 3, video: true, sampleRate: 22_050 });
  const probe = await probeMedia(file);
  assert.ok(Math.abs(probe.duration - 3) < 0.1, `duration ${probe.duration}`);
  assert.match(probe.format, /matroska/);
  assert.deepEqual(probe.streams.video && [probe.streams.video.width, probe.streams.video.height, probe.streams.video.fps], [160, 120, 10]);
  assert.equal(probe.streams.audio?.sampleRate, 22_050);
  assert.equal(probe.streams.audio?.channels, 1);
});

test('a file that makes ffprobe hang is killed at the time limit, named, and reaped', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'rosetta-hang-'));
  const fifo = join(dir, 'stalled.wav');
  execFileSync('mkfifo', [fifo]); // opening a FIFO with no writer blocks forever
  const started = Date.now();
  await assert.rejects(
    probeMedia(fifo, { timeoutMs: 700 }),
    (error: RosettaError) => error.code === ErrorCodes.MEDIA_TIMEOUT && error.file === fifo && error.message.includes(fifo),
  );
  assert.ok(Date.now() - started < 5000);
  assert.deepEqual(liveMediaProcesses(), []);
});

test('a stream that stalls mid-way is killed by the stall guard after the windows it did deliver', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'rosetta-stall-'));
  const real = await makeTone({ out: join(dir, 'real.wav'), seconds: 20, sampleRate: 8000 });
  const probe = await probeMedia(real);
  const fifo = join(dir, 'stall.wav');
  execFileSync('mkfifo', [fifo]);
  const windows: number[] = [];
  const decoding = (async () => {
    for await (const w of decodeAudioWindows(fifo, {
      sampleRate: 8000,
      windowSeconds: 0.5,
      hopSeconds: 0.5,
      probe: { ...probe, file: fifo },
      stallTimeoutMs: 800,
    }))
      windows.push(w.t0);
  })();
  const writer = await open(fifo, 'w'); // resolves once ffmpeg opens the FIFO for reading
  const { readFile } = await import('node:fs/promises');
  await writer.write(await readFile(real)); // 20 s of audio, then the writer stays open and silent
  await assert.rejects(decoding, (error: RosettaError) => error.code === ErrorCodes.MEDIA_TIMEOUT && error.file === fifo);
  await writer.close();
  assert.ok(windows.length >= 3, `decoded ${windows.length} windows before the stall`);
  assert.deepEqual(liveMediaProcesses(), []);
});

test('abort and early exit kill the ffmpeg child and leave no zombie', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'rosetta-reap-'));
  const file = await makeTone({ out: join(dir, 'long.flac'), seconds: 120, sampleRate: 16_000 });
  // Early exit: stop after the first window.
  for await (const w of decodeAudioWindows(file, { sampleRate: 16_000, windowSeconds: 1 })) {
    assert.equal(w.t0, 0);
    break;
  }
  assert.deepEqual(liveMediaProcesses(), []);
  // Abort while the consumer is mid-stream.
  const controller = new AbortController();
  let seen = 0;
  const pids: number[] = [];
  await assert.rejects(
    (async () => {
      for await (const _ of decodeAudioWindows(file, { sampleRate: 16_000, windowSeconds: 1, signal: controller.signal })) {
        seen += 1;
        pids.push(...liveMediaProcesses());
        if (seen === 3) controller.abort();
      }
    })(),
    (error: RosettaError) => error.code === ErrorCodes.ABORTED && error.file === file,
  );
  assert.ok(pids.length > 0 && pids.every(isGone), 'the child is reaped, not a zombie');
  assert.deepEqual(liveMediaProcesses(), []);
});
