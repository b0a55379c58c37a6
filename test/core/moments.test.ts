import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rosetta } from '../../src/rosetta.js';
import { buildTinyClip } from '../helpers/tiny-clip.js';
import { buildTinyClap } from '../helpers/media-fixtures.js';
import { runCli } from '../helpers/run-cli.js';

let root: string;
let media: string;
let rosetta: Rosetta;
let clip: string;
let clap: string;

/** A 12 s video: red 0–4 s, blue 4–8 s, green 8–12 s; a low tone for 0–6 s then a high one. */
function colourVideo(out: string): void {
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'color=c=red:s=96x64:r=10:d=4',
    '-f',
    'lavfi',
    '-i',
    'color=c=blue:s=96x64:r=10:d=4',
    '-f',
    'lavfi',
    '-i',
    'color=c=lime:s=96x64:r=10:d=4',
    '-f',
    'lavfi',
    '-i',
    'sine=f=200:d=6:r=16000',
    '-f',
    'lavfi',
    '-i',
    'sine=f=6000:d=6:r=16000',
    '-filter_complex',
    '[0:v][1:v][2:v]concat=n=3:v=1:a=0[v];[3:a][4:a]concat=n=2:v=0:a=1[a]',
    '-map',
    '[v]',
    '-map',
    '[a]',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    out,
  ]);
}

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'rosetta-moments-'));
  media = join(root, 'media');
  mkdirSync(media);
  colourVideo(join(media, 'colours.mp4'));
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'sine=f=6000:d=3:r=16000',
    '-f',
    'lavfi',
    '-i',
    'sine=f=200:d=3:r=16000',
    '-filter_complex',
    '[0:a][1:a]concat=n=2:v=0:a=1',
    join(media, 'tones.wav'),
  ]);
  writeFileSync(join(media, 'silent.wav'), Buffer.alloc(0));
  clip = buildTinyClip();
  clap = await buildTinyClap(mkdtempSync(join(tmpdir(), 'rosetta-tiny-clap-')));
  rosetta = await Rosetta.open(join(root, '.rosetta'), { spaces: [clip, clap], offline: true });
  const summary = await rosetta.index([media]);
  assert.equal(summary.added, 2, JSON.stringify(summary.failures));
  assert.equal(summary.failed, 1, 'the empty wav fails');
});
after(async () => {
  await rosetta.close();
  rmSync(root, { recursive: true, force: true });
});

test('a colour query finds the right scene of the video (±1 scene)', async () => {
  const [top] = await rosetta.search('blue', { k: 3, in: ['video'], spaces: ['clip'] });
  assert.match(top.path, /colours\.mp4$/);
  assert.equal(top.kind, 'scene');
  assert.ok(top.t0! >= 3 && top.t1! <= 9, `blue moment ${top.t0}–${top.t1}`);
  assert.match(top.ref, /colours\.mp4#t=\d+\.\d,\d+\.\d$/);
});

test("a sound query finds the right audio window, in the audio file and in the video's track", async () => {
  const high = await rosetta.search('high', { k: 5, in: ['audio'], spaces: ['clap'] });
  assert.match(high[0].path, /tones\.wav$/);
  assert.ok(high[0].t0! < 1.5, `high tone is at the start of tones.wav, got ${high[0].t0}`);
  const inVideo = await rosetta.search('high', { k: 5, in: ['video'], spaces: ['clap'] });
  assert.equal(inVideo[0].kind, 'audio-window');
  assert.ok(inVideo[0].t1! > 6, `the high tone is in 6–12 s, got ${inVideo[0].t0}–${inVideo[0].t1}`);
});

test('a text query hitting several spaces is merged by reciprocal rank fusion and says which spaces found it', async () => {
  const results = await rosetta.search('red', { k: 10 });
  assert.ok(results.some((r) => r.space === 'clip'));
  for (let i = 1; i < results.length; i += 1) assert.ok(results[i - 1].score >= results[i].score);
  const fusedTop = results[0];
  assert.ok(fusedTop.score <= 2 / 61 + 1e-9, 'RRF scores are sums of 1/(60+rank)');
});

test('the CLI prints a path#t= reference and --json carries the times', async () => {
  const r = await runCli(['search', 'blue', '--in', 'video', '--spaces', 'clip', '--dir', join(root, '.rosetta'), '--offline', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const top = JSON.parse(r.stdout).results[0];
  assert.equal(typeof top.t0, 'number');
  assert.equal(typeof top.t1, 'number');
  const plain = await runCli([
    'search',
    'blue',
    '--in',
    'video',
    '--spaces',
    'clip',
    '--dir',
    join(root, '.rosetta'),
    '--offline',
    '-k',
    '1',
  ]);
  assert.match(plain.stdout, /colours\.mp4#t=\d+\.\d,\d+\.\d/);
});
