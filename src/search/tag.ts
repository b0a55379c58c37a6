import { RosettaError } from '../errors/rosetta-error.js';
import { ErrorCodes } from '../errors/codes.js';
import { dot } from '../spaces/normalize.js';
import type { Space } from '../spaces/space.js';

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
  if (clean.length < 2) throw new RosettaError(ErrorCodes.INVALID_ARGUMENT, `Zero-shot tagging needs at least 2 distinct labels, got ${clean.length}`, { setting: 'labels', hint: 'e.g. --labels "cat,dog,car"' });
  const prompts = clean.map((l) => (template.includes('{}') ? template.replace('{}', l) : `${template} ${l}`));
  const textVecs = await space.embedTexts(prompts);
  const sims = textVecs.map((t) => dot(vector, t));
  const scale = space.logitScale ?? 100;
  const max = Math.max(...sims);
  const exps = sims.map((s) => Math.exp(scale * (s - max)));
  const z = exps.reduce((a, b) => a + b, 0);
  return clean
    .map((label, i) => ({ label, probability: exps[i] / z, similarity: sims[i] }))
    .sort((a, b) => b.probability - a.probability);
}
