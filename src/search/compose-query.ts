import { RosettaError } from '../errors/rosetta-error.js';
import { ErrorCodes } from '../errors/codes.js';
import { readImage } from '../media/image/read-image.js';
import { readAudio } from '../media/audio/read-audio.js';
import { weightedMean } from '../vectors/vector-math.js';
import type { Space } from '../spaces/space.js';
import type { Modality } from '../types.js';
import type { QueryParts, SearchQuery } from './query.js';

export function normalizeQuery(query: SearchQuery): QueryParts {
  const parts = typeof query === 'string' ? { text: query } : query;
  if (parts.text !== undefined && parts.text.trim() === '') delete (parts as { text?: string }).text;
  if (!parts.text && !parts.image && !parts.audio) {
    throw new RosettaError(ErrorCodes.QUERY_INVALID, 'Empty query: give text, an image, audio, or a mix', { hint: 'e.g. rosetta search "a red car" or --image ref.jpg' });
  }
  for (const [key, w] of Object.entries(parts.weights ?? {})) {
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) {
      throw new RosettaError(ErrorCodes.QUERY_INVALID, `Weight for ${key} must be a number ≥ 0, got ${String(w)}`, { setting: 'weights' });
    }
  }
  return parts;
}

export function queryModalities(parts: QueryParts): Modality[] {
  return (['text', 'image', 'audio'] as const).filter((m) => parts[m] !== undefined);
}

/**
 * Encodes a query in one space. A composed query is the weighted sum of its parts' unit vectors,
 * renormalised: q = normalise(Σ wᵢ·vᵢ / ‖vᵢ‖). With unit vectors, cos(q, x) is then a weighted
 * mix of each part's similarity to x, rescaled so scores stay comparable across queries.
 * `adaptText` maps the text vector first (a collection's trained adapter for this space).
 */
export async function encodeQuery(space: Space, parts: QueryParts, adaptText?: (v: Float32Array) => Float32Array): Promise<Float32Array> {
  const weighted: { w: number; v: Float32Array }[] = [];
  const weights = parts.weights ?? {};
  if (parts.text) {
    const v = (await space.embedTexts([parts.text]))[0];
    weighted.push({ w: weights.text ?? 1, v: adaptText ? adaptText(v) : v });
  }
  if (parts.image) {
    const img = await readImage(parts.image, { parameter: 'image' });
    weighted.push({ w: weights.image ?? 1, v: (await space.embedImages([img]))[0] });
  }
  if (parts.audio) {
    // The whole clip: a space embeds a clip longer than its window as the mean of its windows.
    const pcm = await readAudio(parts.audio, space.audioSampleRate ?? 48_000, { parameter: 'audio' });
    weighted.push({ w: weights.audio ?? 1, v: (await space.embedAudio([pcm]))[0] });
  }
  const total = weighted.reduce((s, x) => s + x.w, 0);
  if (total === 0) throw new RosettaError(ErrorCodes.QUERY_INVALID, 'All query weights are zero', { setting: 'weights' });
  return weightedMean(weighted);
}
