import type { PcmAudio } from '../../types.js';
import { RosettaError } from '../../errors/rosetta-error.js';
import { ErrorCodes } from '../../errors/codes.js';
import { expectNumberIn, expectPositiveInt, invalidArgument } from '../../util/validate.js';
import { locateFfmpeg } from '../ffmpeg/locate.js';
import { probeMedia, type MediaProbe } from '../ffmpeg/probe.js';
import { MediaProcess } from '../ffmpeg/process.js';
import type { StreamDecodeOptions } from '../ffmpeg/stream-options.js';
import { WindowBuffer } from './window-buffer.js';
import { withLocalFile } from '../local-file.js';

/** One audio window: `pcm` covers media time [t0, t1] seconds. */
export interface AudioWindow {
  t0: number;
  t1: number;
  pcm: PcmAudio;
}

/** `onProgress` is called after each window. */
export interface DecodeAudioWindowsOptions extends StreamDecodeOptions {
  /** Output rate in Hz (the audio model's rate, e.g. 48 000 for CLAP). Default 48 000. */
  sampleRate?: number;
  /** Window length in seconds. Default 10. */
  windowSeconds?: number;
  /** Step between window starts, in seconds, at most windowSeconds. Default windowSeconds / 2 (50 % overlap). */
  hopSeconds?: number;
}

/**
 * Streams mono float PCM from any audio or video file through an ffmpeg pipe and yields overlapping windows.
 * Memory stays at about one window whatever the file's length. Every window but the last is exactly
 * `windowSeconds` long; the last one holds the remaining samples unpadded (shorter, t1 = end of audio), and a clip
 * shorter than one window gives a single short window. Zero decoded samples fail with MEDIA_EMPTY; a file
 * without an audio track fails with MEDIA_NO_STREAM before decoding.
 * @example for await (const w of decodeAudioWindows('talk.mp4', { sampleRate: 48000 })) embed(w.pcm);
 */
export async function* decodeAudioWindows(file: string, options: DecodeAudioWindowsOptions = {}): AsyncGenerator<AudioWindow> {
  const sampleRate = expectPositiveInt('sampleRate', options.sampleRate ?? 48_000, 384_000);
  const windowSeconds = expectNumberIn('windowSeconds', options.windowSeconds ?? 10, 0.01, 3600);
  const hopSeconds = expectNumberIn('hopSeconds', options.hopSeconds ?? windowSeconds / 2, 0.01, windowSeconds);
  const probe = options.probe ?? (await probeMedia(file, { signal: options.signal }));
  requireAudio(probe);

  const engine = await locateFfmpeg();
  const proc = new MediaProcess(engine.ffmpeg, decodeArgs(file, sampleRate), {
    file,
    signal: options.signal,
    stallTimeoutMs: options.stallTimeoutMs,
    timeoutMs: options.timeoutMs,
  });
  const buffer = new WindowBuffer(Math.round(windowSeconds * sampleRate), Math.round(hopSeconds * sampleRate));
  const toWindow = ([start, samples]: [number, Float32Array]): AudioWindow => ({
    t0: start / sampleRate,
    t1: (start + samples.length) / sampleRate,
    pcm: { samples, sampleRate },
  });

  for await (const chunk of proc.chunks()) {
    for (const window of buffer.push(chunk)) {
      yield toWindow(window);
      options.onProgress?.(buffer.total / sampleRate);
    }
  }
  const last = buffer.flush();
  if (last) {
    yield toWindow(last);
    options.onProgress?.(buffer.total / sampleRate);
  }
  if (buffer.total === 0) throw emptyAudio(file);
}

export interface DecodeAudioOptions {
  signal?: AbortSignal;
  /** Refuse longer audio (MEDIA_TOO_LARGE): whole-clip decoding is meant for queries. Default 600 s. */
  maxSeconds?: number;
  /** Hard limit in ms. Default 60 000. */
  timeoutMs?: number;
}

/**
 * Decodes a short clip (a query) whole, as mono float PCM at `sampleRate`. Accepts a path or the file's bytes
 * (written to a temporary file so containers that need seeking, like mp4, still work). For long files use
 * decodeAudioWindows.
 * @example const pcm = await decodeAudio('query.wav', space.audioSampleRate);
 */
export async function decodeAudio(input: string | Uint8Array, sampleRate: number, options: DecodeAudioOptions = {}): Promise<PcmAudio> {
  expectPositiveInt('sampleRate', sampleRate, 384_000);
  const maxSeconds = expectNumberIn('maxSeconds', options.maxSeconds ?? 600, 0.01, 86_400);
  if (typeof input !== 'string') {
    if (!(input instanceof Uint8Array)) throw invalidArgument('input', 'a path or a Uint8Array of file bytes', input);
    return withLocalFile(input, (file) => decodeAudio(file, sampleRate, options));
  }
  const probe = await probeMedia(input, { signal: options.signal });
  requireAudio(probe);
  if (probe.duration > maxSeconds) {
    throw new RosettaError(
      ErrorCodes.MEDIA_TOO_LARGE,
      `${input} is ${probe.duration.toFixed(1)} s long; whole-clip decoding is limited to ${maxSeconds} s`,
      { file: input, setting: 'maxSeconds', hint: 'use decodeAudioWindows for long audio, or raise maxSeconds' },
    );
  }
  const engine = await locateFfmpeg();
  const proc = new MediaProcess(engine.ffmpeg, decodeArgs(input, sampleRate, maxSeconds), {
    file: input,
    signal: options.signal,
    timeoutMs: options.timeoutMs ?? 60_000,
  });
  const bytes = await proc.readAll(Math.ceil(maxSeconds * sampleRate * 4) + 4096);
  const samples = new Float32Array(Math.floor(bytes.length / 4));
  for (let i = 0; i < samples.length; i += 1) samples[i] = bytes.readFloatLE(i * 4);
  if (samples.length === 0) throw emptyAudio(input);
  return { samples, sampleRate };
}

function decodeArgs(file: string, sampleRate: number, maxSeconds?: number): string[] {
  return [
    '-nostdin',
    '-hide_banner',
    '-loglevel',
    'error',
    '-i',
    file,
    '-map',
    '0:a:0',
    '-vn',
    '-sn',
    '-dn',
    ...(maxSeconds ? ['-t', String(maxSeconds)] : []),
    // Pad a late start and fill gaps with silence so sample n is always media time n / rate.
    '-af',
    'aresample=async=1:first_pts=0',
    '-ac',
    '1',
    '-ar',
    String(sampleRate),
    '-f',
    'f32le',
    'pipe:1',
  ];
}

function requireAudio(probe: MediaProbe): void {
  if (!probe.streams.audio) {
    throw new RosettaError(
      ErrorCodes.MEDIA_NO_STREAM,
      `${probe.file} has no audio track (streams: ${probe.streams.video ? `video ${probe.streams.video.codec}` : 'none'})`,
      { file: probe.file, hint: 'nothing to decode as audio; index it as video only (its scenes), or pick a file with sound' },
    );
  }
}

function emptyAudio(file: string): RosettaError {
  return new RosettaError(ErrorCodes.MEDIA_EMPTY, `${file} has an audio track but it holds no samples (zero-length audio)`, {
    file,
    hint: 'the recording is empty or was cut off; record or export it again',
  });
}
