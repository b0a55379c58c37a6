import type { Modality, PcmAudio, RgbImage } from '../types.js';
import { unsupportedModality, type Space } from './space.js';

/**
 * One space assembled from towers that share a text tower: Rosetta's mini model exports its image
 * tower in CLIP layout and its audio tower in CLAP layout, both with the same text weights, so one
 * text vector searches images and audio alike.
 */
export class CompositeSpace implements Space {
  readonly modalities: Space['modalities'];
  readonly audioSampleRate?: number;
  readonly audioWindowSeconds?: number;
  readonly logitScale?: number;

  constructor(
    readonly id: string,
    readonly model: string,
    readonly version: string,
    readonly dim: number,
    private readonly text: Space,
    private readonly image?: Space,
    private readonly audio?: Space,
  ) {
    this.modalities = ['text', ...(image ? ['image' as const] : []), ...(audio ? ['audio' as const] : [])];
    this.audioSampleRate = audio?.audioSampleRate;
    this.audioWindowSeconds = audio?.audioWindowSeconds;
    this.logitScale = image?.logitScale ?? text.logitScale;
  }

  embedTexts(texts: string[]): Promise<Float32Array[]> {
    return this.text.embedTexts(texts);
  }
  /** Through the image tower; ROSETTA_ERR_SPACE_MODALITY_UNSUPPORTED when the model exported none. */
  async embedImages(images: RgbImage[]): Promise<Float32Array[]> {
    if (!this.image) throw unsupportedModality(this, 'image');
    return this.image.embedImages(images);
  }

  /** Through the audio tower; ROSETTA_ERR_SPACE_MODALITY_UNSUPPORTED when the model exported none. */
  async embedAudio(clips: PcmAudio[]): Promise<Float32Array[]> {
    if (!this.audio) throw unsupportedModality(this, 'audio');
    return this.audio.embedAudio(clips);
  }

  async load(modalities: readonly Modality[] = this.modalities): Promise<void> {
    if (modalities.includes('text')) await this.text.load(['text']);
    if (modalities.includes('image')) await this.image?.load(['image']);
    if (modalities.includes('audio')) await this.audio?.load(['audio']);
  }

  async dispose(): Promise<void> {
    // The text tower is often the image space itself: dispose each space once.
    const unique = [...new Set([this.text, this.image, this.audio].filter((s): s is Space => s !== undefined))];
    await Promise.all(unique.map((s) => s.dispose()));
  }
}
