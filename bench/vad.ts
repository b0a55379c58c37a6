/**
 * Voice activity: Silero VAD through Rosetta against a WebRTC VAD (libfvad, @echogarden/fvad-wasm) and ffmpeg's
 * silencedetect, on clips of espeak-ng speech (5 voices) separated by silences of 0.4–3 s, clean and mixed with
 * white noise by sox at 20, 10 and 0 dB SNR. Frame-level (10 ms) precision, recall and F1 against the known
 * spans; real-time factor (processing time / audio time, file decoding included for every engine).
 * Run: flock /work/heavy.lock nice -n 5 npx tsx bench/vad.ts [--clips 50]
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fvad from '@echogarden/fvad-wasm';
import { decodeAudio } from '../src/media/audio/decode-audio.js';
import { detectSpeech } from '../src/vad/detect-speech.js';
import { SileroVad } from '../src/vad/silero-vad.js';
import { SpeechTracker, type SpeechRegion } from '../src/vad/speech-tracker.js';
import { buildSpeechClip, type SpeechClip } from '../test/helpers/speech-clips.js';
import { arg, peakRssMiB, printTable } from './lib.js';
import { CORPUS } from './ocr/corpus.js';
import { rng } from './ocr/render.js';

const run = promisify(execFile);
const clips = Number(arg('clips', '50'));
const root = mkdtempSync(join(tmpdir(), 'rosetta-bench-vad-'));
const STEP = 0.01;
const VOICES = [['en', 'en'], ['en-us+f3', 'en'], ['de', 'de'], ['fr+m3', 'fr'], ['en+f2', 'en']] as const;
const SNRS = [undefined, 20, 10, 0] as const;

interface Counts { tp: number; fp: number; fn: number; seconds: number; audio: number }
const counts = () => ({ tp: 0, fp: 0, fn: 0, seconds: 0, audio: 0 });

function frames(regions: SpeechRegion[], duration: number): Uint8Array {
  const out = new Uint8Array(Math.ceil(duration / STEP));
  for (const r of regions) for (let i = Math.floor(r.t0 / STEP); i < Math.min(out.length, Math.ceil(r.t1 / STEP)); i += 1) out[i] = 1;
  return out;
}

function score(c: Counts, found: SpeechRegion[], clip: SpeechClip): void {
  const truth = frames(clip.spans, clip.duration), got = frames(found, clip.duration);
  for (let i = 0; i < truth.length; i += 1) {
    if (got[i] && truth[i]) c.tp += 1; else if (got[i]) c.fp += 1; else if (truth[i]) c.fn += 1;
  }
  c.audio += clip.duration;
}

/** WebRTC VAD decisions per 30 ms frame (mode 0–3), as raw regions or smoothed like Rosetta's. */
async function webrtc(file: string, mode: number, smooth: boolean): Promise<SpeechRegion[]> {
  const pcm = await decodeAudio(file, 16_000);
  const m = await fvad();
  const inst = m._fvad_new();
  m._fvad_set_mode(inst, mode);
  m._fvad_set_sample_rate(inst, 16_000);
  const n = 480;
  const ptr = m._malloc(n * 2);
  const tracker = new SpeechTracker();
  const regions: SpeechRegion[] = [];
  let open: number | undefined;
  const frameSeconds = n / 16_000;
  for (let f = 0; (f + 1) * n <= pcm.samples.length; f += 1) {
    const heap = new Int16Array(m.HEAP16.buffer, ptr, n);
    for (let i = 0; i < n; i += 1) heap[i] = Math.max(-32768, Math.min(32767, Math.round(pcm.samples[f * n + i] * 32767)));
    const voiced = m._fvad_process(inst, ptr, n) === 1;
    const t = f * frameSeconds;
    if (smooth) { regions.push(...tracker.push(voiced ? 1 : 0, t, frameSeconds)); continue; }
    if (voiced && open === undefined) open = t;
    if (!voiced && open !== undefined) { regions.push({ t0: open, t1: t }); open = undefined; }
  }
  if (smooth) regions.push(...tracker.finish());
  else if (open !== undefined) regions.push({ t0: open, t1: pcm.samples.length / 16_000 });
  m._free(ptr);
  m._fvad_free(inst);
  return regions;
}

/** ffmpeg silencedetect (-35 dB, 0.3 s): speech is what lies between the silences it reports. */
async function silencedetect(file: string, duration: number): Promise<SpeechRegion[]> {
  const { stderr } = await run('ffmpeg', ['-hide_banner', '-nostdin', '-i', file, '-af', 'silencedetect=noise=-35dB:d=0.3', '-f', 'null', '-']);
  const regions: SpeechRegion[] = [];
  let from = 0;
  for (const line of stderr.split('\n')) {
    const start = /silence_start: ([\d.]+)/.exec(line);
    const end = /silence_end: ([\d.]+)/.exec(line);
    if (start) { if (Number(start[1]) > from) regions.push({ t0: from, t1: Number(start[1]) }); from = Infinity; }
    if (end) from = Number(end[1]);
  }
  if (from < duration) regions.push({ t0: from, t1: duration });
  return regions;
}

const random = rng(50);
const sentences = [...CORPUS.en, ...CORPUS.de, ...CORPUS.fr, 'The weather will be sunny tomorrow with a light breeze from the west.',
  'Could you send me the report before the meeting on Thursday?', 'We walked along the river until the sun went down.'];
const engines: Record<string, (clip: SpeechClip) => Promise<SpeechRegion[]>> = {};
const vad = await SileroVad.open();
engines['Silero VAD (Rosetta)'] = async (clip) => (await detectSpeech(clip.file, { vad })).regions;
engines['WebRTC VAD mode 3, raw frames'] = (clip) => webrtc(clip.file, 3, false);
engines['WebRTC VAD mode 3, smoothed like Rosetta'] = (clip) => webrtc(clip.file, 3, true);
engines['ffmpeg silencedetect (−35 dB, 0.3 s)'] = (clip) => silencedetect(clip.file, clip.duration);
const results = new Map<string, Counts>();
let speechSeconds = 0, totalSeconds = 0;
try {
  for (let c = 0; c < clips; c += 1) {
    const [voice, lang] = VOICES[c % VOICES.length];
    const pool = sentences.filter((s) => lang === 'en' ? /^[\x20-\x7e]+$/.test(s) : true);
    const picked = Array.from({ length: 3 + Math.floor(random() * 3) }, () => pool[Math.floor(random() * pool.length)]);
    const gaps = [...picked.map(() => 0.4 + random() * 2.6), 0.5 + random() * 1.5];
    for (const snr of SNRS) {
      const clip = buildSpeechClip(root, `c${c}-${snr ?? 'clean'}`, picked, gaps, { voice, noiseDb: snr });
      if (snr === undefined) { speechSeconds += clip.spans.reduce((s, p) => s + p.t1 - p.t0, 0); totalSeconds += clip.duration; }
      for (const [name, engine] of Object.entries(engines)) {
        const key = `${name}|${snr === undefined ? 'clean' : `${snr} dB`}`;
        const counts0 = results.get(key) ?? counts();
        const t = performance.now();
        const found = await engine(clip);
        counts0.seconds += (performance.now() - t) / 1000;
        score(counts0, found, clip);
        results.set(key, counts0);
      }
    }
  }
  const rows: Record<string, string | number>[] = [];
  for (const snr of SNRS) {
    for (const name of Object.keys(engines)) {
      const c = results.get(`${name}|${snr === undefined ? 'clean' : `${snr} dB`}`)!;
      const precision = c.tp / (c.tp + c.fp || 1), recall = c.tp / (c.tp + c.fn || 1);
      rows.push({ noise: snr === undefined ? 'clean' : `${snr} dB SNR`, engine: name, precision, recall, F1: (2 * precision * recall) / (precision + recall || 1), 'real-time factor': c.seconds / c.audio });
    }
  }
  printTable(`Voice activity, ${clips} clips × 4 noise levels (frame-level, 10 ms; ${totalSeconds.toFixed(0)} s of audio per level, ${(100 * speechSeconds / totalSeconds).toFixed(0)} % speech)`, rows);
  console.log(`\npeak RSS ${peakRssMiB().toFixed(0)} MiB`);
} finally {
  await vad.dispose();
  rmSync(root, { recursive: true, force: true });
}
