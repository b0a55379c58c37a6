import { RosettaError } from '../errors/rosetta-error.js';
import { ErrorCodes } from '../errors/codes.js';
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
 * Every method is required: a space without a tower for a modality implements its method by throwing
 * ROSETTA_ERR_SPACE_MODALITY_UNSUPPORTED (`throw unsupportedModality(this, 'audio')`); callers choose
 * spaces by `modalities` (see `covers`), never by whether a method exists.
 */
export interface Space extends SpaceInfo {
  /**
   * Text into the space (every space used for search has a text tower).
   * @example const [v] = await space.embedTexts(['a red car']);
   */
  embedTexts(texts: string[]): Promise<Float32Array[]>;
  /**
   * Decoded pictures (RGB, any size; the space resizes as its model was trained). Throws
   * ROSETTA_ERR_SPACE_MODALITY_UNSUPPORTED when `modalities` lacks `image`.
   * @example const [v] = await space.embedImages([await readImage('cat.jpg')]);
   */
  embedImages(images: RgbImage[]): Promise<Float32Array[]>;
  /**
   * Mono clips at `audioSampleRate`; a clip longer than the tower's window is the mean of its windows.
   * Throws ROSETTA_ERR_SPACE_MODALITY_UNSUPPORTED when `modalities` lacks `audio`.
   * @example const [v] = await space.embedAudio([await readAudio('bark.wav', space.audioSampleRate ?? 48_000)]);
   */
  embedAudio(clips: PcmAudio[]): Promise<Float32Array[]>;
  /** Sample rate the audio tower wants (set when the space covers audio). */
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

/** The error a space throws from the method of a modality it has no tower for. */
export function unsupportedModality(space: SpaceInfo, modality: Modality): RosettaError {
  return new RosettaError(
    ErrorCodes.SPACE_MODALITY_UNSUPPORTED,
    `Space ${space.id} (${space.model}) cannot embed ${modality}: it covers ${space.modalities.join(', ')}`,
    {
      setting: 'space',
      model: space.model,
      hint: `use a space that covers ${modality}, or pick one by modality (rosetta.space('${modality}'))`,
    },
  );
}

export function covers(space: SpaceInfo, modality: Modality): boolean {
  if (modality === 'video') return space.modalities.includes('image') || space.modalities.includes('audio');
  return space.modalities.includes(modality);
}
