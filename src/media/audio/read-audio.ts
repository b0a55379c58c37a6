import type { MediaInput, PcmAudio } from '../../types.js';
import { RosettaError } from '../../errors/rosetta-error.js';
import { ErrorCodes } from '../../errors/codes.js';
import { invalidArgument } from '../../util/validate.js';
import { readInput, type InputBytes } from '../read-input.js';
import { decodeAudio } from './decode-audio.js';
import { resample } from './resample.js';
import { decodeWav } from './wav.js';

export interface ReadAudioOptions {
  signal?: AbortSignal;
  /** Refuse longer audio (MEDIA_TOO_LARGE). Default 600 s; whole files longer than that are streamed in windows instead. */
  maxSeconds?: number;
  /** Hard limit on decoding, ms. Default 60 000. */
  timeoutMs?: number;
  /** The parameter name used when the input is of the wrong type. Default `audio`. */
  parameter?: string;
}

export function isPcmAudio(value: unknown): value is PcmAudio {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as PcmAudio).samples instanceof Float32Array &&
    typeof (value as PcmAudio).sampleRate === 'number'
  );
}

const isWav = (b: Buffer) => b.length >= 12 && b.toString('ascii', 0, 4) === 'RIFF' && b.toString('ascii', 8, 12) === 'WAVE';

/**
 * The one way a sound becomes samples: mono float PCM at `sampleRate`, from PCM already decoded (resampled when
 * its rate differs), a path, a Buffer, an http(s) URL or bytes already read. A WAV at the wanted rate is read
 * here; anything else goes through ffmpeg (which resamples as it decodes), and a WAV is still read without
 * ffmpeg where none is installed. The whole clip is returned — nothing is cut.
 * @example const pcm = await readAudio('query.mp3', space.audioSampleRate);
 */
export async function readAudio(
  input: PcmAudio | MediaInput | InputBytes,
  sampleRate: number,
  options: ReadAudioOptions = {},
): Promise<PcmAudio> {
  if (isPcmAudio(input)) {
    if (!(input.sampleRate > 0)) throw invalidArgument('audio.sampleRate', 'a positive number', input.sampleRate);
    return resample(input, sampleRate);
  }
  const isBytes =
    typeof input === 'object' &&
    input !== null &&
    !(input instanceof Uint8Array) &&
    !(input instanceof URL) &&
    (input as InputBytes).bytes instanceof Uint8Array;
  if (!(typeof input === 'string' || input instanceof Uint8Array || input instanceof URL || isBytes)) {
    throw invalidArgument(
      options.parameter ?? 'audio',
      'PcmAudio ({ samples: Float32Array, sampleRate }), a path, a Buffer or a URL',
      input,
    );
  }
  const { bytes, name, path } = isBytes ? (input as InputBytes) : await readInput(input as MediaInput);
  const wav = isWav(bytes) ? decodeWav(bytes, name) : undefined;
  const maxSeconds = options.maxSeconds ?? 600;
  if (wav && wav.samples.length / wav.sampleRate > maxSeconds) {
    throw new RosettaError(
      ErrorCodes.MEDIA_TOO_LARGE,
      `${name} is ${(wav.samples.length / wav.sampleRate).toFixed(1)} s long; whole-clip decoding is limited to ${maxSeconds} s`,
      { file: name, setting: 'maxSeconds', hint: 'index long audio (it is streamed in windows), or raise maxSeconds' },
    );
  }
  if (wav && wav.sampleRate === sampleRate) return wav;
  try {
    return await decodeAudio(path ?? bytes, sampleRate, { signal: options.signal, maxSeconds, timeoutMs: options.timeoutMs });
  } catch (error) {
    if (wav && RosettaError.is(error) && error.code === ErrorCodes.FFMPEG_MISSING) return resample(wav, sampleRate);
    throw error;
  }
}
