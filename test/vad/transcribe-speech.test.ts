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

test('transcribe decodes only the speech stretches by default and keeps the file\'s clock', async () => {
  const whisper = new WhisperEngine(whisperDir, resolveRuntime({ offline: true }));
  const received: number[] = [];
  const recording: TranscriptionEngine = {
    provider: whisper.provider, modelId: whisper.modelId,
    doTranscribe: (audio, call) => { received.push(audio.samples.length / audio.sampleRate); return whisper.doTranscribe(audio, call); },
  } as TranscriptionEngine;
  const out = await transcribe(clip.file, { model: recording, language: 'en', maxNewTokens: 8 });
  // Two utterances 4 s apart: two stretches, each the utterance plus at most 0.2 s padding and VAD slack.
  assert.equal(out.speechRegions?.length, 2);
  assert.equal(received.length, 2);
  received.forEach((seconds, i) => {
    const spoken = clip.spans[i].t1 - clip.spans[i].t0;
    assert.ok(seconds > spoken - 0.2 && seconds < spoken + 0.8, `stretch ${i}: ${seconds} s for ${spoken} s of speech`);
  });
  const decoded = received.reduce((a, b) => a + b, 0);
  assert.ok(decoded < 0.75 * clip.duration, `decoded ${decoded} s of ${clip.duration} s`);
  assert.ok(Math.abs(out.decodedSeconds - decoded) < 0.01, `decodedSeconds ${out.decodedSeconds} vs ${decoded}`);
  assert.ok(Math.abs(out.duration - clip.duration) < 0.05);
  // Every timed segment lies inside a speech stretch, on the file's clock.
  for (const s of out.segments) {
    assert.ok(clip.spans.some((span) => s.t0 >= span.t0 - 0.5 && s.t1 <= span.t1 + 0.5), `segment ${s.t0}–${s.t1} outside speech ${JSON.stringify(clip.spans)}`);
  }
});
