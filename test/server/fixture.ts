/**
 * A real collection for the server tests: colour images (the tiny CLIP-layout model's space is colour, so
 * "red" finds the red picture), a text note and a video whose colour changes at known times.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Rosetta } from '../../src/rosetta.js';
import { createServer, type RosettaServer } from '../../src/server/index.js';
import type { ServerOptions } from '../../src/server/server-context.js';
import { locateFfmpeg } from '../../src/media/ffmpeg/locate.js';
import { buildTinyClip } from '../helpers/tiny-clip.js';
import { colourImage, mix } from '../helpers/images.js';

export const COLOURS = ['red', 'green', 'blue', 'yellow', 'cyan'] as const;

/** A video of solid colours, one after another: `[colour, seconds]`; cuts fall on the boundaries. */
export async function colourVideo(out: string, shots: [string, number][]): Promise<void> {
  const { ffmpeg } = await locateFfmpeg();
  const inputs = shots.flatMap(([c, s]) => ['-f', 'lavfi', '-i', `color=c=${c}:s=160x120:r=10:d=${s}`]);
  const concat = `${shots.map((_, i) => `[${i}:v]`).join('')}concat=n=${shots.length}:v=1:a=0,format=yuv420p[v]`;
  await promisify(execFile)(ffmpeg, [
    '-nostdin',
    '-loglevel',
    'error',
    '-y',
    ...inputs,
    '-filter_complex',
    concat,
    '-map',
    '[v]',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-g',
    '10',
    '-movflags',
    '+faststart',
    out,
  ]);
}

export interface Fixture {
  root: string;
  photos: string;
  outside: string;
  modelDir: string;
  rosetta: Rosetta;
  cleanup(): Promise<void>;
}

/** Builds photos/ (and a video when `video`), an `outside/` folder beyond the roots, and indexes photos/. */
export async function buildFixture(options: { video?: boolean } = {}): Promise<Fixture> {
  const root = mkdtempSync(join(tmpdir(), 'rosetta-server-'));
  const photos = join(root, 'photos');
  const outside = join(root, 'outside');
  mkdirSync(join(photos, 'notes'), { recursive: true });
  mkdirSync(outside);
  for (const [i, c] of COLOURS.entries()) writeFileSync(join(photos, `${c}.png`), await colourImage(c, { seed: i + 1 }));
  writeFileSync(join(photos, 'orange.png'), await colourImage(mix('red', 'yellow', 0.5), { seed: 21 }));
  writeFileSync(join(photos, 'notes', 'sky.txt'), 'The sky was a deep blue that evening.');
  writeFileSync(join(outside, 'secret.png'), await colourImage('magenta', { seed: 31 }));
  // Blue 0–3 s, green 3–6 s, magenta 6–9 s: "magenta" among videos is the scene at 6 s.
  if (options.video)
    await colourVideo(join(photos, 'clip.mp4'), [
      ['blue', 3],
      ['green', 3],
      ['magenta', 3],
    ]);
  const modelDir = buildTinyClip();
  // Offline with an empty model cache: the generation defaults are absent on every machine, so their fallbacks are what is tested.
  const rosetta = await Rosetta.open(join(root, '.rosetta'), {
    spaces: [modelDir],
    offline: true,
    cacheDir: join(root, 'empty-model-cache'),
  });
  const summary = await rosetta.index([photos]);
  if (summary.failed) throw new Error(`fixture ingest failed: ${JSON.stringify(summary.failures)}`);
  return {
    root,
    photos,
    outside,
    modelDir,
    rosetta,
    async cleanup() {
      await rosetta.close();
      rmSync(root, { recursive: true, force: true });
      rmSync(`${join(root, '.rosetta')}-uploads`, { recursive: true, force: true });
      rmSync(modelDir, { recursive: true, force: true });
    },
  };
}

/** Starts a real server on a free loopback port. */
export async function startServer(fixture: Fixture, options: ServerOptions = {}): Promise<{ server: RosettaServer; url: string }> {
  const server = await createServer(fixture.rosetta, { port: 0, roots: [fixture.photos], ...options });
  return { server, url: await server.listen() };
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

/** Polls a job until it finishes. */
export async function waitForJob(
  url: string,
  id: string,
  headers: Record<string, string> = {},
): Promise<{ status: string; result?: Record<string, number>; progress?: Record<string, number> }> {
  for (;;) {
    const job = (await (await fetch(`${url}/api/jobs/${id}`, { headers })).json()) as { status: string; result?: Record<string, number> };
    if (['done', 'failed', 'aborted'].includes(job.status)) return job;
    await new Promise((r) => setTimeout(r, 50));
  }
}
