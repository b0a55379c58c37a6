import type { Modality, PcmAudio, RgbImage } from '../types.js';

/** Identity of a space: vectors from different spaces (or versions) are never compared. */
export interface SpaceInfo {
  /** Stable id used in table names, e.g. `clip`, `clap`, `mini`. Lowercase [a-z0-9_]. */
  id: string;
  /** Model reference it was built from (hub id@revision or absolute directory). */
  model: string;
  /** Modalities this space maps (text is in every space used for search). */
  modalities: Modality[];
  dim: number;
  /** Changes when the model's weights change; a new version re-encodes that space only. */
  version: string;
}

/**
 * An embedding space. Every `embed*` returns L2-normalised vectors, one per input, in input order,
 * batching internally by `batchSize`. Towers load lazily: a text-only query never loads the vision tower.
 */
export interface Space extends SpaceInfo {
  embedTexts(texts: string[]): Promise<Float32Array[]>;
  embedImages?(images: RgbImage[]): Promise<Float32Array[]>;
  embedAudio?(clips: PcmAudio[]): Promise<Float32Array[]>;
  /** Sample rate the audio tower wants (set when embedAudio exists). */
  readonly audioSampleRate?: number;
  /** Audio window length the audio tower was trained on, in seconds. */
  readonly audioWindowSeconds?: number;
  /** Zero-shot logit scale (CLIP's exp(logit_scale)); defaults to 100. */
  readonly logitScale?: number;
  /**
   * Loads the towers (and their tokenizer or processor) for these modalities now — default: every one the
   * space covers — so a model that cannot load fails once, up front, instead of on every input.
   */
  load(modalities?: readonly Modality[]): Promise<void>;
  dispose(): Promise<void>;
}

export function covers(space: SpaceInfo, modality: Modality): boolean {
  if (modality === 'video') return space.modalities.includes('image') || space.modalities.includes('audio');
  return space.modalities.includes(modality);
}
