/**
 * Writes the Whisper reference clips (test/helpers/whisper-clips.ts) and, for each, the windows Rosetta's
 * speech-gated `transcribe` decodes (Silero VAD → padded, joined, packed spans), as 16 kHz WAVs plus a manifest.
 * scripts/python/whisper/reference_transcripts.py then transcribes exactly those windows with faster-whisper.
 *
 *   node --import tsx scripts/whisper/reference-windows.ts <out dir>
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildWhisperClips } from '../../test/helpers/whisper-clips.js';
import { readAudio } from '../../src/media/audio/read-audio.js';
import { encodeWav } from '../../src/media/audio/wav.js';
import { detectSpeech } from '../../src/vad/detect-speech.js';
import { packedAudio, packSpans, speechSpans } from '../../src/generate/transcribe/speech-windows.js';

const out = resolve(process.argv[2] ?? 'whisper-reference');
mkdirSync(join(out, 'clips'), { recursive: true });
const manifest = [];
for (const clip of buildWhisperClips(join(out, 'clips'))) {
  const pcm = await readAudio(clip.file, 16_000);
  const duration = pcm.samples.length / pcm.sampleRate;
  // `-whole` clips are decoded whole (transcribe's speechOnly: false): one input, Whisper's own windows.
  const whole = clip.name.endsWith('-whole');
  const groups = whole
    ? [[{ t0: 0, t1: duration, p0: 0 }]]
    : packSpans(speechSpans((await detectSpeech(pcm, { device: 'cpu' })).regions, duration));
  const windows = groups.map((group, i) => {
    const file = join(out, `${clip.name}-w${i}.wav`);
    writeFileSync(file, encodeWav(packedAudio(pcm, group)));
    return { file, group };
  });
  manifest.push({ name: clip.name, sha256: clip.sha256, duration, whole, windows });
}
writeFileSync(join(out, 'manifest.json'), JSON.stringify(manifest, null, 1));
console.log(`${manifest.length} clips, ${manifest.reduce((n, c) => n + c.windows.length, 0)} windows in ${out}`);
