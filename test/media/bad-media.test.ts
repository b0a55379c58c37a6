import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeMedia, liveMediaProcesses } from '../../src/media/ffmpeg/index.js';
import { decodeAudio, decodeAudioWindows } from '../../src/media/audio/index.js';
import { extractScenes } from '../../src/media/video/extract-scenes.js';
import { ErrorCodes } from '../../src/errors/codes.js';
import type { RosettaError } from '../../src/errors/rosetta-error.js';
import { makeBadMedia } from '../helpers/media-fixtures.js';

let bad: Awaited<ReturnType<typeof makeBadMedia>>;
before(async () => {
  bad = await makeBadMedia(await mkdtemp(join(tmpdir(), 'rosetta-bad-')));
});

/** The error a user sees: the stable code, the file named in the message and the data, and a fix. */
function failsWith(code: string, file: string) {
  return (error: RosettaError) => {
    assert.equal(error.code, code, error.message);
    assert.equal(error.file, file);
    assert.ok(error.message.includes(file), error.message);
    assert.match(error.message, /How to fix: \S/);
    return true;
  };
}

async function drain<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

test('zero-byte, garbage and truncated files fail with a clear error per file', async () => {
  await assert.rejects(probeMedia(bad.zeroByte), failsWith(ErrorCodes.MEDIA_EMPTY, bad.zeroByte));
  await assert.rejects(decodeAudio(bad.garbage, 16_000), failsWith(ErrorCodes.MEDIA_CORRUPT, bad.garbage));
  await assert.rejects(drain(extractScenes(bad.truncated)), failsWith(ErrorCodes.MEDIA_CORRUPT, bad.truncated));
  await assert.rejects(probeMedia(join(tmpdir(), 'no-such-file.mp4')), (e: RosettaError) => e.code === ErrorCodes.MEDIA_UNREADABLE);
});

test('a video without sound and a sound without video say which track is missing', async () => {
  const probe = await probeMedia(bad.videoOnly);
  assert.ok(probe.streams.video && !probe.streams.audio);
  await assert.rejects(drain(decodeAudioWindows(bad.videoOnly)), failsWith(ErrorCodes.MEDIA_NO_STREAM, bad.videoOnly));
  await assert.rejects(drain(extractScenes(bad.audioOnly)), failsWith(ErrorCodes.MEDIA_NO_STREAM, bad.audioOnly));
  assert.equal((await drain(decodeAudioWindows(bad.audioOnly, { sampleRate: 16_000 }))).length, 1);
});

test('zero-length audio and an unknown codec are reported, and no child is left behind', async () => {
  await assert.rejects(drain(decodeAudioWindows(bad.emptyAudio)), failsWith(ErrorCodes.MEDIA_EMPTY, bad.emptyAudio));
  assert.equal((await probeMedia(bad.unknownCodec)).streams.audio?.codec, 'unknown');
  await assert.rejects(decodeAudio(bad.unknownCodec, 16_000), failsWith(ErrorCodes.MEDIA_UNSUPPORTED, bad.unknownCodec));
  assert.deepEqual(liveMediaProcesses(), []);
});

test('options are checked before any work, naming the parameter and the range', async () => {
  await assert.rejects(
    drain(decodeAudioWindows(bad.audioOnly, { windowSeconds: 2, hopSeconds: 3 })),
    (e: RosettaError) => e.code === ErrorCodes.INVALID_ARGUMENT && /hopSeconds/.test(e.message) && /between 0\.01 and 2/.test(e.message),
  );
  await assert.rejects(
    drain(extractScenes(bad.videoOnly, { threshold: 2 })),
    (e: RosettaError) => e.code === ErrorCodes.INVALID_ARGUMENT && /threshold/.test(e.message),
  );
});
