import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { transcribe } from '../../src/generate/transcribe/transcribe.js';
import { WhisperEngine } from '../../src/generate/transcribe/whisper-engine.js';
import type { TranscriptionEngine } from '../../src/generate/engine.js';
import { resolveRuntime } from '../../src/models/runtime-options.js';
import { buildTinyWhisper } from '../helpers/tiny-generators.js';
import { buildSpeechClip, type SpeechClip } from '../helpers/speech-clips.js';
import { packedAudio, packSpans, speechSpans, toFileClock } from '../../src/generate/transcribe/speech-windows.js';

// Real Silero VAD picks the stretches; a tiny random-weight Whisper decodes them (its words mean nothing:
// the test checks which audio reached it and the clock of what came back). ~10 s.
let root: string;
let clip: SpeechClip;
let whisperDir: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'rosetta-asr-vad-'));
  clip = buildSpeechClip(root, 'talk', ['Good morning and welcome.', 'Let us look at the numbers.'], [2.5, 4.0]);
  whisperDir = buildTinyWhisper().dir;
});
after(() => rmSync(root, { recursive: true, force: true }));

test("transcribe decodes only the speech stretches by default and keeps the file's clock", async () => {
  const whisper = new WhisperEngine(whisperDir, resolveRuntime({ offline: true }));
  const received: number[] = [];
  const recording: TranscriptionEngine = {
    provider: whisper.provider,
    modelId: whisper.modelId,
    doTranscribe: (audio, call) => {
      received.push(audio.samples.length / audio.sampleRate);
      return whisper.doTranscribe(audio, call);
    },
  } as TranscriptionEngine;
  const out = await transcribe(clip.file, { model: recording, language: 'en', maxNewTokens: 8 });
  // Two utterances 4 s apart: two stretches, packed into one Whisper window (a window costs the same, full or not):
  // the utterances, each padded by at most 0.2 s (plus VAD slack), and half a second of silence between them.
  assert.equal(out.speechRegions?.length, 2);
  assert.equal(received.length, 1);
  const spoken = clip.spans.reduce((sum, span) => sum + span.t1 - span.t0, 0);
  assert.ok(received[0] > spoken && received[0] < spoken + 0.5 + 1.2, `${received[0]} s decoded for ${spoken} s of speech`);
  const decoded = received.reduce((a, b) => a + b, 0);
  assert.ok(decoded < 0.75 * clip.duration, `decoded ${decoded} s of ${clip.duration} s`);
  assert.ok(Math.abs(out.decodedSeconds - decoded) < 0.01, `decodedSeconds ${out.decodedSeconds} vs ${decoded}`);
  assert.ok(Math.abs(out.duration - clip.duration) < 0.05);
  // Every timed segment starts and ends in speech, on the file's clock (one may run from one stretch into the next).
  const inSpeech = (t: number) => clip.spans.some((span) => t >= span.t0 - 0.5 && t <= span.t1 + 0.5);
  for (const s of out.segments)
    assert.ok(inSpeech(s.t0) && inSpeech(s.t1) && s.t1 >= s.t0, `segment ${s.t0}–${s.t1} outside speech ${JSON.stringify(clip.spans)}`);
});

test("speech stretches are packed into Whisper windows and mapped back to the file's clock", () => {
  const spans = speechSpans(
    [
      { t0: 0.1, t1: 1.8 },
      { t0: 2.5, t1: 3 },
      { t0: 10.2, t1: 11.8 },
      { t0: 40.2, t1: 69.8 },
      { t0: 75.2, t1: 75.8 },
    ],
    80,
  );
  // Padded by 0.2 s; the first two (0.5 s apart once padded) are one stretch.
  assert.deepEqual(
    spans.map((s) => [s.t0, s.t1].map((t) => Math.round(t * 10) / 10)),
    [
      [0, 3.2],
      [10, 12],
      [40, 70],
      [75, 76],
    ],
  );
  const groups = packSpans(spans);
  // 3.2 + 0.5 + 2 s fit one window; the 30 s stretch fills its own; the last cannot join it.
  assert.deepEqual(
    groups.map((g) => g.length),
    [2, 1, 1],
  );
  const [first] = groups;
  assert.equal(Math.round(first[1].p0 * 10) / 10, 3.7);
  assert.equal(packedAudio({ samples: new Float32Array(80 * 100), sampleRate: 100 }, first).samples.length, 570);
  assert.equal(Math.round(toFileClock(first, 4.2, 'start') * 10) / 10, 10.5, 'packed time 4.2 s is 0.5 s into the second stretch');
  assert.equal(Math.round(toFileClock(first, 3.4, 'start') * 10) / 10, 10, "the silence between goes to the next stretch's start…");
  assert.equal(Math.round(toFileClock(first, 3.4, 'end') * 10) / 10, 3.2, "…or to the last one's end");
  assert.equal(toFileClock(first, 99, 'end'), 12);
});
