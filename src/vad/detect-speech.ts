import { decodeAudioWindows } from '../media/audio/decode-audio.js';
import { resample } from '../media/audio/resample.js';
import { isPcmAudio } from '../media/audio/read-audio.js';
import { withLocalFile } from '../media/local-file.js';
import type { ModelRuntimeOptions } from '../models/runtime-options.js';
import type { MediaInput, PcmAudio } from '../types.js';
import { SileroVad, VAD_FRAME, VAD_SAMPLE_RATE } from './silero-vad.js';
import { SpeechTracker, type SpeechRegion, type SpeechTrackerOptions } from './speech-tracker.js';

export interface DetectSpeechOptions extends SpeechTrackerOptions, ModelRuntimeOptions {
  signal?: AbortSignal;
  /** Called with the media time decoded so far, in seconds. */
  onProgress?: (seconds: number) => void;
  /** A detector already open; else one is opened (~20 ms) and released after. */
  vad?: SileroVad;
  /** Also return the per-frame probabilities (32 ms frames); for evaluation. Default false. */
  frames?: boolean;
}

export interface SpeechResult {
  regions: SpeechRegion[];
  /** Seconds of audio examined. */
  duration: number;
  /** Sum of the regions' lengths. */
  speechSeconds: number;
  model: 'silero-vad';
  /** Per-frame speech probabilities, when asked. */
  frameProbabilities?: Float32Array;
  frameSeconds: number;
}

/**
 * Where people speak in an audio or video track: Silero VAD over 32 ms frames of 16 kHz audio, streamed
 * through the ffmpeg PCM path in 30 s windows, so memory stays constant whatever the length. Accepts a path,
 * file bytes, a URL, or decoded PCM. A file without sound fails with MEDIA_NO_STREAM naming it.
 * @example const { regions } = await detectSpeech('meeting.mp4'); // [{ t0: 1.2, t1: 4.9 }, …]
 */
export async function detectSpeech(input: MediaInput | PcmAudio, options: DetectSpeechOptions = {}): Promise<SpeechResult> {
  const vad = options.vad ?? (await SileroVad.open(options));
  vad.reset();
  try {
    if (isPcmAudio(input)) return await run(vad, chunksOf(resample(input, VAD_SAMPLE_RATE).samples), options);
    return await withLocalFile(input, (file) => run(vad, pcmChunks(file, options), options));
  } finally {
    if (!options.vad) await vad.dispose();
  }
}

async function run(vad: SileroVad, chunks: AsyncIterable<Float32Array>, options: DetectSpeechOptions): Promise<SpeechResult> {
  const tracker = new SpeechTracker(options);
  const regions: SpeechRegion[] = [];
  const frameSeconds = VAD_FRAME / VAD_SAMPLE_RATE;
  const probs: number[] = [];
  const carry = new Float32Array(VAD_FRAME);
  let carried = 0;
  let frame = 0;
  let samples = 0;
  const step = async (buf: Float32Array) => {
    const p = await vad.probability(buf);
    if (options.frames) probs.push(p);
    regions.push(...tracker.push(p, frame * frameSeconds, frameSeconds));
    frame += 1;
  };
  for await (const chunk of chunks) {
    samples += chunk.length;
    let i = 0;
    if (carried) {
      const take = Math.min(VAD_FRAME - carried, chunk.length);
      carry.set(chunk.subarray(0, take), carried);
      carried += take;
      i = take;
      if (carried === VAD_FRAME) {
        await step(carry);
        carried = 0;
      }
    }
    for (; i + VAD_FRAME <= chunk.length; i += VAD_FRAME) await step(chunk.subarray(i, i + VAD_FRAME));
    if (i < chunk.length) {
      carry.set(chunk.subarray(i), 0);
      carried = chunk.length - i;
    }
  }
  if (carried) await step(carry.slice(0, carried));
  const duration = samples / VAD_SAMPLE_RATE;
  regions.push(...tracker.finish(duration));
  const rounded = finalRegions(regions, duration);
  return {
    regions: rounded,
    duration,
    speechSeconds: round3(rounded.reduce((s, r) => s + r.t1 - r.t0, 0)),
    model: 'silero-vad',
    frameSeconds,
    ...(options.frames ? { frameProbabilities: Float32Array.from(probs) } : {}),
  };
}

/**
 * The regions `detectSpeech` would give for these per-frame probabilities (`frames: true`) under other tracker
 * settings: lets a benchmark or a tuning run try settings without running the network again.
 */
export function regionsFromProbabilities(
  probabilities: ArrayLike<number>,
  duration: number,
  options: SpeechTrackerOptions = {},
): SpeechRegion[] {
  const tracker = new SpeechTracker(options);
  const dt = VAD_FRAME / VAD_SAMPLE_RATE;
  const regions: SpeechRegion[] = [];
  for (let i = 0; i < probabilities.length; i += 1) regions.push(...tracker.push(probabilities[i], i * dt, dt));
  regions.push(...tracker.finish(duration));
  return finalRegions(regions, duration);
}

function finalRegions(regions: SpeechRegion[], duration: number): SpeechRegion[] {
  return regions.map((r) => ({ t0: round3(r.t0), t1: round3(Math.min(r.t1, duration)) })).filter((r) => r.t1 > r.t0);
}

async function* pcmChunks(file: string, options: DetectSpeechOptions): AsyncGenerator<Float32Array> {
  for await (const w of decodeAudioWindows(file, {
    sampleRate: VAD_SAMPLE_RATE,
    windowSeconds: 30,
    hopSeconds: 30,
    signal: options.signal,
  })) {
    yield w.pcm.samples;
    options.onProgress?.(w.t1);
  }
}

async function* chunksOf(samples: Float32Array): AsyncGenerator<Float32Array> {
  yield samples;
}

const round3 = (v: number) => Math.round(v * 1000) / 1000;
