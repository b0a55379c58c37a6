import { decodeAudio } from '../media/audio/index.js';
import { readInput } from '../media/read-input.js';
import type { MediaInput, PcmAudio } from '../types.js';
import { invalidArgument } from '../util/validate.js';
import { decodeWav } from './wav.js';

/** Longest audio decoded whole for transcription (4 h of 16 kHz float PCM is ~0.9 GB). */
const MAX_SECONDS = 4 * 3600;

export function isPcmAudio(value: unknown): value is PcmAudio {
  return typeof value === 'object' && value !== null && (value as PcmAudio).samples instanceof Float32Array
    && typeof (value as PcmAudio).sampleRate === 'number';
}

/**
 * Turns an audio input into mono PCM: PcmAudio as is; WAV bytes or files decoded here (no ffmpeg needed);
 * any other audio or video file through ffmpeg at `sampleRate`.
 */
export async function readAudio(input: PcmAudio | MediaInput, sampleRate: number, signal?: AbortSignal): Promise<PcmAudio> {
  if (isPcmAudio(input)) {
    if (!(input.sampleRate > 0)) throw invalidArgument('audio.sampleRate', 'a positive number', input.sampleRate);
    return input;
  }
  if (!(typeof input === 'string' || input instanceof Uint8Array || input instanceof URL)) {
    throw invalidArgument('audio', 'PcmAudio ({ samples: Float32Array, sampleRate }), a path, a Buffer or a URL', input);
  }
  const { bytes, name, path } = await readInput(input);
  if (bytes.length >= 12 && bytes.toString('ascii', 0, 4) === 'RIFF' && bytes.toString('ascii', 8, 12) === 'WAVE') {
    return decodeWav(bytes, name);
  }
  return decodeAudio(path ?? bytes, sampleRate, { signal, maxSeconds: MAX_SECONDS, timeoutMs: 30 * 60_000 });
}
