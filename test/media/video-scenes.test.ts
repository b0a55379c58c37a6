import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractScenes, type VideoScene } from '../../src/media/video/extract-scenes.js';
import { liveMediaProcesses, resetFfmpegCache, detectFfmpeg } from '../../src/media/ffmpeg/index.js';
import { decodeAudioWindows } from '../../src/media/audio/index.js';
import { ErrorCodes } from '../../src/errors/codes.js';
import type { RosettaError } from '../../src/errors/rosetta-error.js';
import { hasEspeak, makeEmojiVideo, makeTone } from '../helpers/media-fixtures.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rosetta-video-'));
});

async function scenesOf(file: string, options: Parameters<typeof extractScenes>[1] = {}): Promise<VideoScene[]> {
  const out: VideoScene[] = [];
  for await (const scene of extractScenes(file, options)) out.push(scene);
  return out;
}

/** Mean RGB of an image's centre square. */
function centre(scene: VideoScene, k = 0): [number, number, number] {
  const { data, width, height } = scene.keyframes[k].image;
  const sum = [0, 0, 0];
  let n = 0;
  for (let y = Math.floor(height * 0.4); y < height * 0.6; y += 1) {
    for (let x = Math.floor(width * 0.4); x < width * 0.6; x += 1) {
      for (let c = 0; c < 3; c += 1) sum[c] += data[(y * width + x) * 3 + c];
      n += 1;
    }
  }
  return sum.map((s) => s / n) as [number, number, number];
}

const SHOTS = [
  { unified: '1f34e', name: 'red apple', t0: 0, t1: 4 },
  { unified: '1f438', name: 'frog', t0: 4, t1: 8 },
  { unified: '1f499', name: 'blue heart', t0: 10, t1: 14 },
];

test('cuts between known shots are found within one frame, and keyframes show the shot', async (t) => {
  const withSpeech = await hasEspeak();
  const { out } = await makeEmojiVideo({ out: join(dir, 'emoji.mp4'), emojis: SHOTS, withSpeech, fps: 10 });
  const scenes = await scenesOf(out);
  const starts = scenes.filter((s) => s.startsAtCut).map((s) => s.t0);
  assert.equal(starts.length, 4, `cuts at ${starts}`); // apple, frog, black gap, heart
  for (const [i, expected] of [0, 4, 8, 10].entries()) assert.ok(Math.abs(starts[i] - expected) <= 0.1, `cut ${i} at ${starts[i]}`);
  // Scenes tile the video.
  assert.equal(scenes[0].t0, 0);
  assert.ok(Math.abs(scenes.at(-1)!.t1 - 14) < 0.15);
  for (let i = 1; i < scenes.length; i += 1) assert.equal(scenes[i].t0, scenes[i - 1].t1);
  // What is shown: a red apple, a green frog, black, a blue heart (centre pixels of the first keyframe).
  const [apple, frog, gap, heart] = scenes.map((s) => centre(s));
  assert.ok(apple[0] > apple[1] + 60, `apple ${apple}`);
  assert.ok(frog[1] > frog[2] + 40, `frog ${frog}`);
  assert.ok(
    gap.every((v) => v < 20),
    `gap ${gap}`,
  );
  assert.ok(heart[2] > heart[0] + 60, `heart ${heart}`);
  // 320×240 frames are scaled in ffmpeg to a 224-pixel short side.
  assert.deepEqual([scenes[0].keyframes[0].image.width, scenes[0].keyframes[0].image.height], [299, 224]);
  if (!withSpeech) t.diagnostic('espeak-ng missing: video made without speech');
});

test('a long static shot is sampled at least every N seconds and split past maxSceneSeconds', async () => {
  const { out } = await makeEmojiVideo({
    out: join(dir, 'static.mkv'),
    emojis: [{ unified: '1f600', name: 'grinning face', t0: 0, t1: 13 }],
    withSpeech: false,
    fps: 5,
  });
  const progress: number[] = [];
  const scenes = await scenesOf(out, { sampleEverySeconds: 1.5, maxSceneSeconds: 5, shortSide: 64, onProgress: (s) => progress.push(s) });
  const times = scenes.flatMap((s) => s.keyframes.map((k) => k.t));
  for (let i = 1; i < times.length; i += 1) assert.ok(times[i] - times[i - 1] <= 1.5 + 0.21, `gap ${times[i - 1]}→${times[i]}`);
  assert.ok(13 - times.at(-1)! <= 1.7);
  assert.ok(scenes.length >= 3 && scenes.every((s) => s.t1 - s.t0 <= 5 + 0.21), scenes.map((s) => `${s.t0}-${s.t1}`).join(' '));
  assert.deepEqual(
    scenes.map((s) => s.startsAtCut),
    [true, ...scenes.slice(1).map(() => false)],
  );
  assert.equal(scenes[0].keyframes[0].image.height, 64);
  assert.ok(progress.at(-1)! >= 12.9 && progress.every((p, i) => i === 0 || p >= progress[i - 1]));
});

test('webm, mov and avi videos give scenes and an audio track', async () => {
  for (const ext of ['webm', 'mov', 'avi']) {
    const file = await makeTone({ out: join(dir, `clip.${ext}`), seconds: 4, video: true });
    const scenes = await scenesOf(file, { sampleEverySeconds: 1 });
    assert.ok(scenes.length >= 1 && scenes.flatMap((s) => s.keyframes).length >= 4, `${ext}: ${scenes.length} scenes`);
    let windows = 0;
    for await (const _ of decodeAudioWindows(file, { sampleRate: 16_000, windowSeconds: 2 })) windows += 1;
    assert.ok(windows >= 3, `${ext}: ${windows} audio windows`);
  }
});

test('aborting scene extraction kills ffmpeg and reports ABORTED', async () => {
  const file = await makeTone({ out: join(dir, 'long.mp4'), seconds: 60, video: true });
  const controller = new AbortController();
  await assert.rejects(
    (async () => {
      for await (const _ of extractScenes(file, { sampleEverySeconds: 0.5, signal: controller.signal })) controller.abort();
    })(),
    (e: RosettaError) => e.code === ErrorCodes.ABORTED && e.file === file,
  );
  assert.deepEqual(liveMediaProcesses(), []);
});

test('the npm-shipped ffmpeg (an older build) extracts the same cuts', async (t) => {
  const npm = await detectFfmpeg({ PATH: '' }).catch(() => undefined);
  if (!npm) {
    t.skip('@ffmpeg-installer packages not installed');
    return;
  }
  const { out } = await makeEmojiVideo({ out: join(dir, 'emoji-npm.mp4'), emojis: SHOTS, withSpeech: false, fps: 10 });
  const saved = { f: process.env.ROSETTA_FFMPEG, p: process.env.ROSETTA_FFPROBE };
  process.env.ROSETTA_FFMPEG = npm.ffmpeg;
  process.env.ROSETTA_FFPROBE = npm.ffprobe;
  resetFfmpegCache();
  try {
    const scenes = await scenesOf(out);
    assert.deepEqual(
      scenes.filter((s) => s.startsAtCut).map((s) => Math.round(s.t0)),
      [0, 4, 8, 10],
    );
  } finally {
    if (saved.f === undefined) delete process.env.ROSETTA_FFMPEG;
    else process.env.ROSETTA_FFMPEG = saved.f;
    if (saved.p === undefined) delete process.env.ROSETTA_FFPROBE;
    else process.env.ROSETTA_FFPROBE = saved.p;
    resetFfmpegCache();
  }
});
