import { homedir } from 'node:os';
import { join } from 'node:path';
import { ClapFeatureExtractor } from '@huggingface/transformers';
import { MINI } from '../model/mini-architecture.js';

/** Where spoken labels are cached (never in git): `ROSETTA_CACHE_DIR` or `~/.cache/rosetta`, then `mini-speech/`. */
export function speechCacheDir(): string {
  return join(process.env.ROSETTA_CACHE_DIR ?? join(homedir(), '.cache', 'rosetta'), 'mini-speech');
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
