import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';

export interface SpeechClip {
  file: string;
  /** Where the (silence-trimmed) utterances lie, in seconds. */
  spans: { t0: number; t1: number }[];
  duration: number;
}

const seconds = (file: string) => Number(execFileSync('soxi', ['-D', file]).toString().trim());

export interface SpeechClipOptions {
  /** espeak-ng voice, with a variant after `+` (`en`, `fr+m3`, `es+Andy`). Default `en`. */
  voice?: string;
  /** Words per minute (espeak-ng `-s`). Default espeak-ng's 175. */
  speed?: number;
  /** Pitch 0–99 (espeak-ng `-p`). Default espeak-ng's 50. */
  pitch?: number;
  /** Mixes noise at this SNR (dB) against the speech's RMS level. */
  noiseDb?: number;
  /** Colour of that noise (sox `synth`). Default white. */
  noise?: 'white' | 'pink' | 'brown';
  /** Puts the speech in a room first (sox `reverb` reverberance 0–100); the spans stay the dry speech's. */
  reverb?: number;
}

/**
 * Builds a 16 kHz mono WAV of espeak-ng utterances separated by silences, with the exact speech spans:
 * each utterance is trimmed of espeak-ng's own leading/trailing silence by sox first, so its span is known.
 */
export function buildSpeechClip(
  dir: string,
  name: string,
  sentences: string[],
  gaps: number[],
  options: SpeechClipOptions = {},
): SpeechClip {
  const parts: string[] = [];
  const spans: { t0: number; t1: number }[] = [];
  let t = 0;
  sentences.forEach((text, i) => {
    const raw = join(dir, `${name}-raw${i}.wav`);
    const trimmed = join(dir, `${name}-u${i}.wav`);
    execFileSync('espeak-ng', [
      '-v',
      options.voice ?? 'en',
      ...(options.speed ? ['-s', String(options.speed)] : []),
      ...(options.pitch !== undefined ? ['-p', String(options.pitch)] : []),
      '-w',
      raw,
      text,
    ]);
    execFileSync('sox', [
      '-R',
      raw,
      '-r',
      '16000',
      '-c',
      '1',
      '-b',
      '16',
      trimmed,
      'silence',
      '1',
      '0.02',
      '0.5%',
      'reverse',
      'silence',
      '1',
      '0.02',
      '0.5%',
      'reverse',
    ]);
    const gap = join(dir, `${name}-g${i}.wav`);
    execFileSync('sox', ['-R', '-n', '-r', '16000', '-c', '1', '-b', '16', gap, 'trim', '0', String(gaps[i])]);
    t += gaps[i];
    const length = seconds(trimmed);
    spans.push({ t0: t, t1: t + length });
    t += length;
    parts.push(gap, trimmed);
  });
  const tail = join(dir, `${name}-tail.wav`);
  execFileSync('sox', ['-R', '-n', '-r', '16000', '-c', '1', '-b', '16', tail, 'trim', '0', String(gaps[gaps.length - 1] ?? 1)]);
  parts.push(tail);
  const clean = join(dir, `${name}-clean.wav`);
  execFileSync('sox', ['-R', ...parts, clean]);
  let file = clean;
  if (options.reverb !== undefined) {
    // Cut back to the dry length: the room's tail after the last word is not speech, and the clock must not move.
    const wet = join(dir, `${name}-room.wav`);
    execFileSync('sox', ['-R', clean, wet, 'reverb', String(options.reverb), 'trim', '0', String(seconds(clean))]);
    file = wet;
  }
  if (options.noiseDb !== undefined) file = addNoise(dir, name, file, spans, options.noiseDb, options.noise ?? 'white');
  return { file, spans, duration: seconds(file) };
}

/** Noise scaled so speech RMS / noise RMS = snrDb, mixed over the whole clip with sox. */
function addNoise(
  dir: string,
  name: string,
  clean: string,
  spans: { t0: number; t1: number }[],
  snrDb: number,
  colour: 'white' | 'pink' | 'brown',
): string {
  // Speech RMS over the spans only (silences would lower it and flatter the SNR).
  const speechOnly = join(dir, `${name}-speech.wav`);
  execFileSync('sox', ['-R', clean, speechOnly, 'trim', String(spans[0].t0), `=${spans[spans.length - 1].t1}`]);
  const stat = spawnSync('sox', [speechOnly, '-n', 'stat'], { encoding: 'utf8' }).stderr;
  const rms = Number(/RMS\s+amplitude:\s+([\d.]+)/.exec(stat)?.[1] ?? 0.1);
  // The trim includes the inner silences: correct by the share of speech in that stretch.
  const total = spans[spans.length - 1].t1 - spans[0].t0;
  const voiced = spans.reduce((s, p) => s + p.t1 - p.t0, 0);
  const speechRms = rms * Math.sqrt(total / voiced);
  const noiseRms = speechRms / 10 ** (snrDb / 20);
  const noise = join(dir, `${name}-noise.wav`);
  const duration = seconds(clean);
  if (colour === 'white') {
    // sox's white noise at amplitude A has RMS ≈ A / √3; -R makes it repeatable.
    execFileSync('sox', [
      '-R',
      '-n',
      '-r',
      '16000',
      '-c',
      '1',
      '-b',
      '16',
      noise,
      'synth',
      String(duration),
      'whitenoise',
      'vol',
      String(Math.min(0.99, noiseRms * Math.sqrt(3))),
    ]);
  } else {
    // Pink and brown noise have no simple amplitude-to-RMS rule: make it, measure it, scale it.
    const raw = join(dir, `${name}-noise-raw.wav`);
    execFileSync('sox', ['-R', '-n', '-r', '16000', '-c', '1', '-b', '16', raw, 'synth', String(duration), `${colour}noise`, 'vol', '0.5']);
    const made = Number(/RMS\s+amplitude:\s+([\d.]+)/.exec(spawnSync('sox', [raw, '-n', 'stat'], { encoding: 'utf8' }).stderr)?.[1] ?? 0.1);
    execFileSync('sox', ['-R', raw, noise, 'vol', String(noiseRms / made)]);
  }
  const out = join(dir, `${name}-snr${snrDb}.wav`);
  execFileSync('sox', ['-R', '-m', clean, noise, out]);
  return out;
}

/** An H.264 + AAC video of a test pattern whose sound track is `clip`, as long as the clip. */
export function videoWithSoundtrack(clip: SpeechClip, out: string): void {
  execFileSync('ffmpeg', [
    ...['-v', 'error', '-f', 'lavfi', '-i', `testsrc=size=160x120:rate=10:duration=${clip.duration}`, '-i', clip.file],
    ...['-c:v', 'libx264', '-c:a', 'aac', '-shortest', out],
  ]);
}
