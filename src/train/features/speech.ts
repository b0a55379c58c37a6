import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ClapFeatureExtractor } from '@huggingface/transformers';
import { RosettaError } from '../../errors/rosetta-error.js';
import { ErrorCodes } from '../../errors/codes.js';
import { MINI } from '../model/mini-architecture.js';

const run = promisify(execFile);

/** Where spoken labels are cached (never in git): `ROSETTA_CACHE_DIR` or `~/.cache/rosetta`, then `mini-speech/`. */
export function speechCacheDir(): string {
  return join(process.env.ROSETTA_CACHE_DIR ?? join(homedir(), '.cache', 'rosetta'), 'mini-speech');
}

/** Speaks `text` with espeak-ng into the cache; returns the wav path. Same text+voice → same file. */
export async function speak(text: string, voice: string, cacheDir = speechCacheDir()): Promise<string> {
  mkdirSync(cacheDir, { recursive: true });
  const key = createHash('sha256').update(`${voice}\u0000${text}`).digest('hex').slice(0, 24);
  const path = join(cacheDir, `${voice}-${key}.wav`);
  if (existsSync(path)) return path;
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    await run('espeak-ng', ['-v', voice, '-s', '190', '-w', tmp, text]);
  } catch (err) {
    throw new RosettaError(ErrorCodes.ENGINE_MISSING, `espeak-ng could not speak '${text}' (${(err as Error).message}). Install it: apt-get install espeak-ng`, {});
  }
  renameSync(tmp, path);
  return path;
}

/** Speaks many texts, two at a time (the machine has two cores). */
export async function speakAll(items: { text: string; voice: string }[], onDone?: (n: number) => void): Promise<string[]> {
  const out = new Array<string>(items.length);
  let next = 0, done = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await speak(items[i].text, items[i].voice);
      onDone?.(++done);
    }
  };
  await Promise.all([worker(), worker()]);
  return out;
}

/** The feature-extractor config written to `clap/preprocessor_config.json` and used by the trainer. */
export function clapFeatureConfig(): Record<string, unknown> {
  return {
    feature_extractor_type: 'ClapFeatureExtractor',
    feature_size: MINI.melBins,
    sampling_rate: MINI.sampleRate,
    hop_length: 160,
    fft_window_size: 512,
    nb_frequency_bins: 257,
    frequency_min: 50,
    frequency_max: 8000,
    max_length_s: MINI.audioSeconds,
    nb_max_samples: Math.round(MINI.sampleRate * MINI.audioSeconds),
    truncation: 'rand_trunc',
    padding: 'pad',
    return_attention_mask: false,
  };
}

let extractor: ClapFeatureExtractor | undefined;

/**
 * Log-mel features exactly as Transformers.js computes them for the exported CLAP model: [T, mel] row-major.
 * A clip longer than the window is cut here at `cropAt` (0 = start, 0.5 = centre, 1 = end), because the
 * extractor's own `rand_trunc` crops at Math.random() — which made the audio tower differ from build to build.
 */
export async function logMel(samples16k: Float32Array, cropAt = 0.5): Promise<{ data: Float32Array; frames: number }> {
  extractor ??= new ClapFeatureExtractor(clapFeatureConfig());
  const window = Math.round(MINI.sampleRate * MINI.audioSeconds);
  let clip = samples16k;
  if (clip.length > window) {
    const start = Math.floor((clip.length - window) * Math.min(1, Math.max(0, cropAt)));
    clip = clip.subarray(start, start + window);
  }
  const { input_features } = await extractor(clip);
  const dims = input_features.dims as number[];
  return { data: input_features.data as Float32Array, frames: dims[dims.length - 2] };
}
