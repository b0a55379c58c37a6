import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { buildTinyWhisper } from '../helpers/tiny-generators.js';
import { transcribe, toSrt, toVtt, normaliseSegments } from '../../src/generate/index.js';
import { encodeWav } from '../../src/media/audio/index.js';
import { RosettaError } from '../../src/errors/index.js';
import { WhisperEngine } from '../../src/generate/transcribe/whisper-engine.js';
import type { TranscriptionEngine } from '../../src/generate/engine.js';
import { resolveRuntime } from '../../src/models/runtime-options.js';
import { runCli } from '../helpers/run-cli.js';

const tone = (seconds: number, rate = 16_000) => ({
  samples: Float32Array.from({ length: Math.round(seconds * rate) }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 220 * i) / rate)),
  sampleRate: rate,
});

function assertOrdered(segments: { t0: number; t1: number; text: string }[], duration: number): void {
  let prev = 0;
  for (const s of segments) {
    assert.ok(s.t0 >= prev - 1e-9, `segment starts ${s.t0} before previous end ${prev}`);
    assert.ok(s.t1 >= s.t0, `segment ends ${s.t1} before it starts ${s.t0}`);
    assert.ok(s.t1 <= duration + 1e-9, `segment ends ${s.t1} after the audio (${duration})`);
    assert.equal(typeof s.text, 'string');
    prev = s.t1;
  }
}

describe('transcribe on a tiny random-weight Whisper', () => {
  let dir = '';
  before(() => {
    dir = buildTinyWhisper().dir;
  });

  // A steady tone is not speech: by default (speech only) nothing is decoded and the transcript is empty.
  it('gives an empty transcript, without decoding, for a file in which nobody speaks', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'rosetta-asr-')), 'tone.wav');
    writeFileSync(file, encodeWav(tone(4)));
    let decoded = 0;
    const whisper = new WhisperEngine(dir, resolveRuntime({ offline: true }));
    const counting: TranscriptionEngine = {
      provider: whisper.provider,
      modelId: whisper.modelId,
      doTranscribe: (a, c) => {
        decoded += 1;
        return whisper.doTranscribe(a, c);
      },
    };
    const out = await transcribe(file, { model: counting, maxNewTokens: 8 });
    assert.equal(decoded, 0, 'Whisper was not run on a file without speech');
    assert.deepEqual([out.text, out.segments, out.speechRegions, out.decodedSeconds], ['', [], [], 0]);
    assert.ok(Math.abs(out.duration - 4) < 0.01);
    // The same file with speechOnly: false is decoded whole.
    const all = await transcribe(file, { model: counting, speechOnly: false, language: 'en', maxNewTokens: 8 });
    assert.equal(decoded, 1);
    assert.equal(all.speechRegions, undefined);
    assert.ok(Math.abs(all.decodedSeconds - 4) < 0.01);
  });

  it('rosetta transcribe says when a file has no speech (exit 0, empty transcript, a note on stderr)', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'rosetta-asr-cli-')), 'tone.wav');
    writeFileSync(file, encodeWav(tone(2)));
    const plain = await runCli(['transcribe', file, '--model', dir, '--offline']);
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(plain.stdout, '');
    assert.match(plain.stderr, /No speech found in .*tone\.wav \(2\.0 s examined\).*--all-audio/);
    const json = await runCli(['transcribe', file, '--model', dir, '--offline', '--json']);
    assert.equal(json.code, 0, json.stderr);
    const out = JSON.parse(json.stdout);
    assert.deepEqual([out.text, out.segments, out.speechRegions, out.decodedSeconds], ['', [], [], 0]);
  });

  it('returns text, a language and ordered timed segments for a short clip at another sample rate (whole file)', async () => {
    const out = await transcribe(tone(3, 22_050), { model: dir, maxNewTokens: 24, speechOnly: false });
    assert.equal(typeof out.text, 'string');
    assert.ok(['en', 'fr', 'de', 'es'].includes(out.language ?? ''), `detected language ${out.language}`);
    assert.ok(Math.abs(out.duration - 3) < 0.01);
    assert.equal(out.model, dir);
    assertOrdered(out.segments, out.duration);
  });

  it('transcribes a 70 s file in 30 s windows with timestamps on one clock', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'rosetta-asr-')), 'long.wav');
    writeFileSync(file, encodeWav(tone(70)));
    const partials: string[] = [];
    const out = await transcribe(file, {
      model: dir,
      language: 'fr',
      maxNewTokens: 16,
      onPartial: (t) => partials.push(t),
      speechOnly: false,
    });
    assert.equal(out.language, 'fr');
    assert.ok(Math.abs(out.duration - 70) < 0.01);
    assertOrdered(out.segments, 70);
    assert.ok(partials.length > 0, 'partial text was streamed');
  });

  const hasFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0;
  it('transcribes a compressed file through ffmpeg', { skip: hasFfmpeg ? false : 'ffmpeg is not installed' }, async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'rosetta-asr-')), 'tone.mp3');
    const made = spawnSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=300:duration=2', '-ar', '44100', file]);
    assert.equal(made.status, 0, String(made.stderr));
    const out = await transcribe(file, { model: dir, language: 'de', maxNewTokens: 8, speechOnly: false });
    assert.ok(Math.abs(out.duration - 2) < 0.1, `duration ${out.duration}`);
    assertOrdered(out.segments, out.duration);
  });

  it('stops when the signal aborts mid-generation', async () => {
    const controller = new AbortController();
    let tokens = 0;
    await assert.rejects(
      transcribe(tone(2), {
        model: dir,
        language: 'en',
        maxNewTokens: 64,
        speechOnly: false,
        signal: controller.signal,
        onPartial: () => {
          tokens += 1;
          if (tokens === 2) controller.abort();
        },
      }),
      (e: unknown) => RosettaError.is(e) && e.code === 'ROSETTA_ERR_ABORTED',
    );
    assert.equal(tokens, 2, 'no token was generated after the abort');
  });

  it('refuses bad inputs and names a missing model', async () => {
    await assert.rejects(transcribe({ samples: new Float32Array(0), sampleRate: 16000 }, { model: dir }), /no samples/);
    await assert.rejects(transcribe(tone(1), { model: dir, task: 'summarise' as 'transcribe' }), /one of: transcribe, translate for task/);
    await assert.rejects(transcribe(42 as unknown as string, { model: dir }), /PcmAudio/);
    // A missing model is named even though this tone holds no speech (nothing would be decoded).
    const cacheDir = mkdtempSync(join(tmpdir(), 'rosetta-empty-cache-'));
    await assert.rejects(
      transcribe(tone(1), { model: 'Xenova/whisper-tiny', offline: true, cacheDir }),
      (e: unknown) =>
        RosettaError.is(e) &&
        e.code === 'ROSETTA_ERR_MODEL_OFFLINE_MISSING' &&
        /Xenova\/whisper-tiny/.test(e.message) &&
        /rosetta models pull/.test(e.message),
    );
  });
});

describe('segments and subtitles', () => {
  it('fills missing and out-of-order timestamps into ordered segments', () => {
    const segs = normaliseSegments(
      [
        { timestamp: [0.5, 2], text: ' one ' },
        { timestamp: [1.5, null], text: 'two' },
        { timestamp: [null, 9], text: '   ' },
        { timestamp: [4, 12], text: 'three' },
      ],
      10,
    );
    assert.deepEqual(segs, [
      { t0: 0.5, t1: 2, text: 'one' },
      { t0: 2, t1: 4, text: 'two' },
      { t0: 4, t1: 10, text: 'three' },
    ]);
  });

  const segments = [
    { t0: 0, t1: 1.5, text: 'Hello' },
    { t0: 61.25, t1: 3725.007, text: 'a <b> & c --> d\n\nnext' },
    { t0: 3726, t1: 3727, text: ' ' },
  ];

  it('writes valid SubRip', () => {
    const srt = toSrt(segments);
    const blocks = srt.trim().split(/\n\n/);
    assert.equal(blocks.length, 2);
    blocks.forEach((block, i) => {
      const lines = block.split('\n');
      assert.equal(lines[0], String(i + 1));
      assert.match(lines[1], /^\d{2}:\d{2}:\d{2},\d{3} --> \d{2}:\d{2}:\d{2},\d{3}$/);
    });
    assert.ok(srt.includes('00:01:01,250 --> 01:02:05,007'));
  });

  it('writes valid WebVTT with markup escaped', () => {
    const vtt = toVtt(segments);
    assert.ok(vtt.startsWith('WEBVTT\n\n'));
    const cues = vtt.slice('WEBVTT\n\n'.length).trim().split(/\n\n/);
    assert.equal(cues.length, 2);
    for (const cue of cues) assert.match(cue.split('\n')[0], /^\d{2}:\d{2}:\d{2}\.\d{3} --> \d{2}:\d{2}:\d{2}\.\d{3}$/);
    assert.ok(vtt.includes('a &lt;b> &amp; c --&gt; d\nnext'));
  });
});
