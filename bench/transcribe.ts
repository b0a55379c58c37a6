/**
 * What decoding only the speech buys (`transcribe`'s default since issue 16) against decoding the whole file
 * (`--all-audio`), on two espeak-ng clips with white noise at 20 dB: one with long silences (8–25 s between
 * sentences, like a voicemail or a quiet meeting) and one with short pauses (1.2–3 s, like a conversation).
 * Whisper is the tiny random-weight model the tests build (its words mean nothing, so no word counts here): its
 * decoder emits `--tokens` tokens per 30 s window whatever it hears, so its time tracks the windows it runs, as a
 * real model's encoder cost does (a real decoder's tokens follow the speech instead). Figures: seconds of audio
 * decoded, Whisper windows, wall time (median of rounds, the two modes alternating), Silero VAD's share.
 * Run: flock /work/heavy.lock nice -n 5 npx tsx bench/transcribe.ts [--rounds 3] [--tokens 64]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TranscriptionEngine } from '../src/generate/engine.js';
import { transcribe } from '../src/generate/transcribe/transcribe.js';
import { WhisperEngine } from '../src/generate/transcribe/whisper-engine.js';
import { resolveRuntime } from '../src/models/runtime-options.js';
import { detectSpeech } from '../src/vad/detect-speech.js';
import { buildSpeechClip, type SpeechClip } from '../test/helpers/speech-clips.js';
import { buildTinyWhisper } from '../test/helpers/tiny-generators.js';
import { arg, peakRssMiB, printTable } from './lib.js';
import { rng } from './ocr/render.js';

const rounds = Number(arg('rounds', '3'));
const tokens = Number(arg('tokens', '64'));
const root = mkdtempSync(join(tmpdir(), 'rosetta-bench-asr-'));
const SENTENCES = [
  'Hi, it is Sam, just calling about the delivery.',
  'The parcel should arrive on Tuesday morning.',
  'Could you leave the side gate open?',
  'If nobody is home they will try again on Wednesday.',
  'Thanks, and have a good weekend.',
  'The invoice is attached to the email I sent you.',
  'Let me know if the numbers look right to you.',
  'Talk soon, bye.',
];

/** Windows Whisper runs for an input of d seconds, at least: 30 s windows read one after another (more when a window ends mid-segment). */
const windowsFor = (d: number) => Math.max(1, Math.ceil(d / 30));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function clip(name: string, gapFrom: number, gapTo: number): SpeechClip {
  const random = rng(name.length * 31);
  const gaps = [...SENTENCES.map(() => gapFrom + random() * (gapTo - gapFrom)), 2];
  return buildSpeechClip(root, name, SENTENCES, gaps, { noiseDb: 20 });
}

const whisper = new WhisperEngine(buildTinyWhisper(join(root, 'whisper')).dir, resolveRuntime({ offline: true }));
let calls: number[] = [];
const counting: TranscriptionEngine = {
  provider: whisper.provider,
  modelId: whisper.modelId,
  prepare: () => whisper.prepare(),
  doTranscribe: (audio, call) => {
    calls.push(audio.samples.length / audio.sampleRate);
    return whisper.doTranscribe(audio, call);
  },
};
try {
  const rows: Record<string, string | number>[] = [];
  for (const [label, c] of [
    ['long silences (8–25 s)', clip('long', 8, 25)],
    ['short pauses (1.2–3 s)', clip('short', 1.2, 3)],
  ] as const) {
    await transcribe(c.file, { model: counting, language: 'en', maxNewTokens: tokens, speechOnly: false }); // warm-up
    const times = { all: [] as number[], speech: [] as number[], vad: [] as number[] };
    const seen = { all: [] as number[], speech: [] as number[] };
    const decoded = { all: 0, speech: 0 };
    for (let r = 0; r < rounds; r += 1) {
      for (const mode of (r % 2 ? ['speech', 'all'] : ['all', 'speech']) as ('all' | 'speech')[]) {
        calls = [];
        const t = performance.now();
        const out = await transcribe(c.file, { model: counting, language: 'en', maxNewTokens: tokens, speechOnly: mode === 'speech' });
        times[mode].push((performance.now() - t) / 1000);
        decoded[mode] = out.decodedSeconds;
        seen[mode] = calls;
      }
      const t = performance.now();
      await detectSpeech(c.file);
      times.vad.push((performance.now() - t) / 1000);
    }
    const speech = c.spans.reduce((s, p) => s + p.t1 - p.t0, 0);
    for (const mode of ['all', 'speech'] as const) {
      rows.push({
        clip: `${label}: ${c.duration.toFixed(0)} s, ${speech.toFixed(0)} s of speech`,
        mode: mode === 'all' ? 'whole file (--all-audio)' : 'speech only (default)',
        'seconds decoded': decoded[mode],
        'Whisper calls': seen[mode].length,
        'Whisper windows': seen[mode].reduce((s, d) => s + windowsFor(d), 0),
        'wall s (median)': median(times[mode]),
        'of which Silero VAD s': mode === 'speech' ? median(times.vad) : 0,
        'speed-up': mode === 'speech' ? median(times.all) / median(times.speech) : 1,
      });
    }
  }
  printTable(`Transcription, speech only vs whole file (tiny random Whisper, ${tokens} tokens per window; ${rounds} rounds)`, rows);
  console.log(
    `\npeak RSS ${peakRssMiB().toFixed(0)} MiB; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
} finally {
  rmSync(root, { recursive: true, force: true });
}
