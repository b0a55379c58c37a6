import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rosetta } from '../../src/rosetta.js';
import { buildSpeechClip, videoWithSoundtrack, type SpeechClip } from '../helpers/speech-clips.js';

// index --speech, search restricted to speech, describe marking speech: real Silero VAD, the mini model. ~40 s.
let root: string;
let media: string;
let clip: SpeechClip;
let rosetta: Rosetta;

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'rosetta-speech-'));
  media = join(root, 'media');
  mkdirSync(media);
  // 12 s: speech at about 2–4 s and 8–10 s, silence around it.
  clip = buildSpeechClip(root, 'talk', ['Welcome to the evening news.', 'Tomorrow will be sunny and warm.'], [2, 4, 2]);
  videoWithSoundtrack(clip, join(media, 'news.mp4'));
  // A hum with no speech at all.
  execFileSync('sox', ['-n', '-r', '16000', '-c', '1', join(media, 'hum.wav'), 'synth', '8', 'sine', '120', 'vol', '0.3']);
  rosetta = await Rosetta.open(join(root, '.rosetta'), { spaces: ['mini'], offline: true });
});
after(async () => {
  await rosetta?.close();
  rmSync(root, { recursive: true, force: true });
});

test('index --speech records the speech of audio and video items; search --in speech keeps only moments with speech', async () => {
  const summary = await rosetta.index([media], { speech: true });
  assert.equal(summary.failed, 0, JSON.stringify(summary.failures));
  assert.equal(summary.speech?.items, 2);
  assert.ok(Math.abs((summary.speech?.speechSeconds ?? 0) - clip.spans.reduce((s, p) => s + p.t1 - p.t0, 0)) < 0.6);
  const again = await rosetta.index([media], { speech: true });
  assert.equal(again.speech?.skipped, 2);

  const everything = await rosetta.search('a person talking', { k: 50, in: ['audio', 'video'] });
  assert.ok(
    everything.some((r) => r.path.endsWith('hum.wav')),
    'without the filter the hum is a result',
  );
  const spoken = await rosetta.search('a person talking', { k: 50, speech: true });
  assert.ok(spoken.length > 0);
  for (const r of spoken) {
    assert.match(r.path, /news\.mp4$/);
    assert.ok(
      clip.spans.some((s) => r.t0! < s.t1 && r.t1! > s.t0),
      `moment ${r.t0}–${r.t1} has no speech`,
    );
  }
});

test('describe marks the scenes where someone speaks', async () => {
  const r = await rosetta.describe(join(media, 'news.mp4'), { transcript: false, model: 'tags' });
  assert.equal(r.speechRegions?.length, 2);
  const marked = r.timeline.filter((e) => e.speaking?.length);
  assert.ok(marked.length > 0);
  for (const e of r.timeline) {
    const overlaps = clip.spans.some((s) => s.t0 < e.t1 - 0.2 && s.t1 > e.t0 + 0.2);
    if (overlaps) assert.ok(e.speaking?.length, `scene ${e.t0}–${e.t1} overlaps speech but is not marked`);
  }
  assert.match(r.text, /\(speech 00:0\d\.\d–00:\d\d\.\d(, 00:\d\d\.\d–00:\d\d\.\d)*\)/);
});
