/**
 * Media throughput and memory on a long synthetic video, each beside ffmpeg doing the same decoding alone.
 *   npx tsx bench/media.ts [--seconds 3600] [--clap <CLAP model dir>] [--encode-windows 60]
 * Figures: audio seconds decoded per wall second (Rosetta's windowed stream vs `ffmpeg -f f32le /dev/null`),
 * video minutes scene-extracted per minute (vs `ffmpeg -f null`), audio seconds encoded per wall second when a
 * CLAP model is given (default: models/rosetta-mini/clap if built; last, so its heap does not inflate the decoding
 * stages' RSS), and this process's peak RSS in each stage.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { locateFfmpeg, probeMedia } from '../src/media/ffmpeg/index.js';
import { decodeAudioWindows } from '../src/media/audio/index.js';
import { extractScenes } from '../src/media/video/extract-scenes.js';
import { MINI_MODEL_DIR } from '../src/models/model-ref.js';
import { makeLongVideo } from '../test/helpers/media-fixtures.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const seconds = Number(arg('seconds') ?? 3600);
const clapDir = arg('clap') ?? (existsSync(join(MINI_MODEL_DIR, 'clap', 'config.json')) ? join(MINI_MODEL_DIR, 'clap') : undefined);
const encodeWindows = Number(arg('encode-windows') ?? 60);
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

/** Runs `fn` while sampling this process's RSS; returns wall seconds and the peak RSS seen. */
async function measure(fn: () => Promise<void>): Promise<{ wall: number; peakRss: number }> {
  let peakRss = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 100);
  const t0 = performance.now();
  try {
    await fn();
  } finally {
    clearInterval(timer);
  }
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  return { wall: (performance.now() - t0) / 1000, peakRss };
}

function ffmpegAlone(args: string[]): Promise<void> {
  return locateFfmpeg().then(
    ({ ffmpeg }) =>
      new Promise((resolve, reject) => {
        execFile(ffmpeg, ['-nostdin', '-v', 'error', ...args], { maxBuffer: 1 << 20 }, (e) => (e ? reject(e) : resolve()));
      }),
  );
}

const file = `/tmp/rosetta-bench/synthetic-${seconds}s.mp4`;
if (!existsSync(file)) {
  const made = await measure(() => makeLongVideo({ out: file, seconds }).then(() => undefined));
  console.log(`made ${file} (320x240 25 fps x264 + aac) in ${made.wall.toFixed(1)} s`);
}
const probe = await probeMedia(file);
const engine = await locateFfmpeg();
console.log(
  `input: ${probe.duration.toFixed(0)} s of video; ffmpeg ${engine.version} (${engine.source}); ` +
    `node ${process.version}; rss at start ${mb(process.memoryUsage().rss)}`,
);

const rate = 48_000;
const audioBase = await measure(() =>
  ffmpegAlone(['-i', file, '-map', '0:a:0', '-ac', '1', '-ar', String(rate), '-f', 'f32le', '-y', '/dev/null']),
);
let windows = 0;
const audio = await measure(async () => {
  for await (const _ of decodeAudioWindows(file, { sampleRate: rate, windowSeconds: 10, hopSeconds: 5, probe })) windows += 1;
});
console.log(
  `audio decode (mono f32 ${rate} Hz, 10 s windows, 5 s hop): ${(probe.duration / audio.wall).toFixed(0)} s/s over ${windows} windows, ` +
    `peak RSS ${mb(audio.peakRss)}`,
);
console.log(`  baseline ffmpeg alone to /dev/null:             ${(probe.duration / audioBase.wall).toFixed(0)} s/s`);

const videoBase = await measure(() => ffmpegAlone(['-i', file, '-map', '0:v:0', '-f', 'null', '-']));
let scenes = 0;
let frames = 0;
const video = await measure(async () => {
  for await (const scene of extractScenes(file, { probe })) {
    scenes += 1;
    frames += scene.keyframes.length;
  }
});
console.log(
  `video scenes (threshold 0.2, a frame every 2 s, 224 px): ${(probe.duration / video.wall).toFixed(1)} min/min, ` +
    `${scenes} scenes, ${frames} keyframes, peak RSS ${mb(video.peakRss)}`,
);
console.log(`  baseline ffmpeg decoding alone to null:          ${(probe.duration / videoBase.wall).toFixed(1)} min/min`);
if (clapDir) {
  const { loadClapSpace } = await import('../src/spaces/clap-space.js');
  const space = await loadClapSpace({ model: clapDir, offline: true });
  const batch: Float32Array[] = [];
  let encodedSeconds = 0;
  const decodeOnly = await measure(async () => {
    for await (const w of decodeAudioWindows(file, {
      sampleRate: space.audioSampleRate,
      windowSeconds: space.audioWindowSeconds,
      hopSeconds: space.audioWindowSeconds,
      probe,
    })) {
      batch.push(w.pcm.samples);
      if (batch.length >= encodeWindows) break;
    }
  });
  const enc = await measure(async () => {
    const vectors = await space.embedAudio!(batch.map((samples) => ({ samples, sampleRate: space.audioSampleRate! })));
    encodedSeconds = batch.reduce((s, x) => s + x.length, 0) / space.audioSampleRate!;
    if (vectors.length !== batch.length) throw new Error('missing vectors');
  });
  console.log(
    `audio encode (${clapDir}, ${batch.length} windows of ${space.audioWindowSeconds} s): ${(encodedSeconds / enc.wall).toFixed(1)} s/s; ` +
      `decoding them took ${decodeOnly.wall.toFixed(2)} s; peak RSS ${mb(enc.peakRss)}`,
  );
  await space.dispose();
} else {
  console.log('audio encode: skipped (no CLAP model: pass --clap <dir> or build models/rosetta-mini/clap)');
}

console.log(`peak RSS of this process over the whole run: ${mb(process.resourceUsage().maxRSS * 1024)} (ffmpeg children not included)`);
