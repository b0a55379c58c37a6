import type { PcmAudio } from '../../types.js';

export interface ResampleOptions {
  /**
   * Playback speed: > 1 is faster and higher (training augmentation). The output keeps `targetRate`, so it
   * holds length / speed seconds. Default 1.
   */
  speed?: number;
  /**
   * A moving-average low-pass before shrinking, so the worst aliasing is removed. Default true; rosetta-mini's
   * recipe turns it off to keep its rebuilds byte-identical.
   */
  lowPass?: boolean;
}

/**
 * The one resampler: mono PCM by linear interpolation (after a low-pass when shrinking). Good enough for speech
 * and sound-event models (Whisper at 16 kHz, CLAP at 48 kHz); not a mastering-grade resampler — long files
 * are resampled by ffmpeg as they are decoded.
 */
export function resample(audio: PcmAudio, targetRate: number, options: ResampleOptions = {}): PcmAudio {
  const speed = options.speed ?? 1;
  if (audio.sampleRate === targetRate && speed === 1) return audio;
  let src = audio.samples;
  const ratio = (audio.sampleRate / targetRate) * speed;
  if (ratio > 1 && options.lowPass !== false) {
    const w = Math.max(1, Math.round(ratio));
    const smoothed = new Float32Array(src.length);
    let acc = 0;
    for (let i = 0; i < src.length; i += 1) {
      acc += src[i];
      if (i >= w) acc -= src[i - w];
      smoothed[i] = acc / Math.min(i + 1, w);
    }
    src = smoothed;
  }
  const n = Math.max(0, Math.floor(src.length / ratio));
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 1) {
    const x = i * ratio;
    const j = Math.floor(x);
    const frac = x - j;
    out[i] = src[j] * (1 - frac) + (j + 1 < src.length ? src[j + 1] : src[j]) * frac;
  }
  return { samples: out, sampleRate: targetRate };
}
