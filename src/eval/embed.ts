import type { Space } from '../spaces/space.js';
import type { PcmAudio, RgbImage } from '../types.js';
import type { DatasetIssue } from '../datasets/types.js';
import { RosettaError } from '../errors/rosetta-error.js';
import { ErrorCodes } from '../errors/codes.js';
import { batchesOf, inBatches } from '../util/batches.js';

/** Fails with a clear message when a space lacks the tower an evaluation needs. */
export function requireTower(space: Space, modality: 'image' | 'audio'): void {
  if (!space.modalities.includes(modality)) {
    throw new RosettaError(ErrorCodes.SPACE_MODALITY, `Space '${space.id}' (${space.model}) has no ${modality} tower`, {
      model: space.model,
      hint: `use a space that covers text and ${modality} (CLIP-like for images, CLAP-like for audio)`,
    });
  }
}

export async function embedImagesWith(space: Space, images: RgbImage[]): Promise<Float32Array[]> {
  requireTower(space, 'image');
  return images.length === 0 ? [] : space.embedImages(images);
}

export async function embedAudioWith(space: Space, clips: PcmAudio[]): Promise<Float32Array[]> {
  requireTower(space, 'audio');
  return clips.length === 0 ? [] : space.embedAudio(clips);
}

/** Embeds texts in chunks so progress can be reported and memory stays bounded. */
export async function embedTextsChunked(
  space: Space,
  texts: string[],
  batchSize: number,
  onChunk?: (done: number) => void,
): Promise<Float32Array[]> {
  return inBatches(texts, batchSize, async (batch, done) => {
    const vectors = await space.embedTexts(batch);
    onChunk?.(done);
    return vectors;
  });
}

/**
 * Decodes and embeds the pictures of `entries` a batch at a time; a picture that cannot be read is reported in
 * `issues` and left out. `visit` gets each batch's kept entries with their vectors, in order.
 */
export async function embedPictureBatches<E extends { path: string }>(
  space: Space,
  entries: readonly E[],
  load: (entry: E) => Promise<RgbImage>,
  batchSize: number,
  issues: DatasetIssue[],
  visit: (kept: E[], vectors: Float32Array[], done: number) => void,
): Promise<void> {
  for (const batch of batchesOf(entries, batchSize)) {
    const kept: E[] = [];
    const pictures: RgbImage[] = [];
    for (const entry of batch.items) {
      try {
        pictures.push(await load(entry));
        kept.push(entry);
      } catch (err) {
        issues.push({ file: entry.path, reason: (err as Error).message.split('\n')[0] });
      }
    }
    visit(kept, await embedImagesWith(space, pictures), batch.end);
  }
}
