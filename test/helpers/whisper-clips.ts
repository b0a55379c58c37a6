import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { buildSpeechClip, type SpeechClipOptions } from './speech-clips.js';

/** One clip of the Whisper reference set: espeak-ng speech, maybe noise, at 16 kHz. */
export interface WhisperClip {
  name: string;
  file: string;
  sha256: string;
}

const SENTENCES = [
  'The quick brown fox jumps over the lazy dog.',
  'Please call the front desk before nine in the morning.',
  'Our garden has tomatoes, beans and a small apple tree.',
  'The train to the coast leaves from platform four at noon.',
  'She painted the old boat blue and sailed it across the lake.',
];
const VOICES: { voice: string; speed?: number; pitch?: number }[] = [
  { voice: 'en-us' },
  { voice: 'en-gb-x-rp', speed: 160 },
  { voice: 'en-gb-scotland', pitch: 35 },
  { voice: 'en-us+f3', speed: 190, pitch: 60 },
];

/**
 * The clips Rosetta's Whisper is checked on against faster-whisper (test/fixtures/whisper/reference.json): five
 * sentences in four espeak-ng voices, four of them again under white noise at 20 dB and four at 10 dB, a long
 * recording (three sentences apart by 12 s and 20 s of silence, under pink noise) that only the speech detector's
 * windows reach, and a 51 s recording decoded whole (`-whole`: no speech detector, Whisper's own 30 s windows).
 * Deterministic: the same espeak-ng and sox make the same bytes (SHA-256 recorded).
 */
export function buildWhisperClips(dir: string): WhisperClip[] {
  const clips: WhisperClip[] = [];
  const add = (name: string, sentences: string[], gaps: number[], options: SpeechClipOptions) => {
    const { file } = buildSpeechClip(dir, name, sentences, gaps, options);
    clips.push({ name, file, sha256: createHash('sha256').update(readFileSync(file)).digest('hex') });
  };
  VOICES.forEach((v, i) => SENTENCES.forEach((s, j) => add(`v${i}-s${j}`, [s], [0.6, 0.8], v)));
  for (const [i, noiseDb] of [
    [0, 20],
    [1, 20],
    [2, 10],
    [3, 10],
  ] as const) {
    add(`v${i}-s${i + 1}-snr${noiseDb}`, [SENTENCES[i + 1]], [0.6, 0.8], { ...VOICES[i], noiseDb });
  }
  add('long-gated', [SENTENCES[0], SENTENCES[2], SENTENCES[4]], [2, 12, 20, 3], { ...VOICES[0], noiseDb: 25, noise: 'pink' });
  // Decoded whole (speechOnly: false): 51 s read in 30 s windows, each after the first prompted with the text before.
  add('long-whole', [...SENTENCES, SENTENCES[1], SENTENCES[3]], [1, 4, 5, 3, 6, 4, 5, 2], { ...VOICES[1] });
  return clips;
}
