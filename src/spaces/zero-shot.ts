import { RosettaError } from '../errors/rosetta-error.js';
import { ErrorCodes } from '../errors/codes.js';
import { dot } from '../vectors/vector-math.js';
import { softmax } from '../vectors/scores.js';
import type { Space } from './space.js';
import type { RgbImage } from '../types.js';

export interface TagResult {
  label: string;
  /** Softmax probability over the given labels. */
  probability: number;
  /** Cosine similarity between the input and the label's prompt. */
  similarity: number;
}

/**
 * Zero-shot classification: each label becomes a prompt ("a photo of a {}"), and the input's
 * probabilities are softmax(logit_scale · cos) over the labels, as CLIP defines it.
 */
export async function zeroShot(space: Space, vector: Float32Array, labels: string[], template = 'a photo of a {}'): Promise<TagResult[]> {
  const clean = [...new Set(labels.map((l) => l.trim()).filter(Boolean))];
  if (clean.length < 2)
    throw new RosettaError(ErrorCodes.INVALID_ARGUMENT, `Zero-shot tagging needs at least 2 distinct labels, got ${clean.length}`, {
      setting: 'labels',
      hint: 'e.g. --labels "cat,dog,car"',
    });
  const prompts = clean.map((l) => (template.includes('{}') ? template.replace('{}', l) : `${template} ${l}`));
  const textVecs = await space.embedTexts(prompts);
  const sims = textVecs.map((t) => dot(vector, t));
  const probabilities = softmax(sims, space.logitScale ?? 100);
  return clean
    .map((label, i) => ({ label, probability: probabilities[i], similarity: sims[i] }))
    .sort((a, b) => b.probability - a.probability);
}

/**
 * The zero-shot tagger captioning falls back to (one score per label, in the labels' order): the same
 * probabilities as `zeroShot`, from the space's image tower.
 */
export function spaceTagger(space: Space): (image: RgbImage, labels: readonly string[]) => Promise<number[]> {
  return async (image, labels) => {
    const [vector] = await space.embedImages([image]);
    const tags = await zeroShot(space, vector, [...labels]);
    const byLabel = new Map(tags.map((t) => [t.label, t.probability]));
    return labels.map((l) => byLabel.get(l.trim()) ?? 0);
  };
}
