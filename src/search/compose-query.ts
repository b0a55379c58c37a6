import { RosettaError } from '../errors/rosetta-error.js';
import { ErrorCodes } from '../errors/codes.js';
import { queryModalities as queryModules } from '../modalities/index.js';
import { weightedMean } from '../vectors/vector-math.js';
import type { Space } from '../spaces/space.js';
import type { MediaInput, Modality } from '../types.js';
import type { QueryParts, SearchQuery } from './query.js';

/** A query's parts by modality name (`text`, `image`, `audio`, or a registered modality that can be a query). */
const partOf = (parts: QueryParts, modality: Modality): MediaInput | undefined =>
  (parts as Record<string, MediaInput | undefined>)[modality];

export function normalizeQuery(query: SearchQuery): QueryParts {
  const parts = typeof query === 'string' ? { text: query } : query;
  if (parts.text !== undefined && parts.text.trim() === '') delete (parts as { text?: string }).text;
  if (!queryModules().some((m) => partOf(parts, m.name))) {
    throw new RosettaError(ErrorCodes.QUERY_INVALID, 'Empty query: give text, an image, audio, or a mix', {
      hint: 'e.g. rosetta search "a red car" or --image ref.jpg',
    });
  }
  for (const [key, w] of Object.entries(parts.weights ?? {})) {
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) {
      throw new RosettaError(ErrorCodes.QUERY_INVALID, `Weight for ${key} must be a number ≥ 0, got ${String(w)}`, { setting: 'weights' });
    }
  }
  return parts;
}

export function queryModalities(parts: QueryParts): Modality[] {
  return queryModules()
    .map((m) => m.name)
    .filter((m) => partOf(parts, m) !== undefined);
}

/**
 * Encodes a query in one space. A composed query is the weighted sum of its parts' unit vectors,
 * renormalised: q = normalise(Σ wᵢ·vᵢ / ‖vᵢ‖). With unit vectors, cos(q, x) is then a weighted
 * mix of each part's similarity to x, rescaled so scores stay comparable across queries.
 * `adaptText` maps the text vector first (a collection's trained adapter for this space).
 */
export async function encodeQuery(space: Space, parts: QueryParts, adaptText?: (v: Float32Array) => Float32Array): Promise<Float32Array> {
  const weighted: { w: number; v: Float32Array }[] = [];
  const weights = (parts.weights ?? {}) as Record<string, number | undefined>;
  // Each part as its modality module encodes it (text, a picture, a whole clip), in the registry's order.
  for (const m of queryModules()) {
    const input = partOf(parts, m.name);
    if (!input) continue;
    const v = await m.query.encode(space, input);
    weighted.push({ w: weights[m.name] ?? 1, v: m.name === 'text' && adaptText ? adaptText(v) : v });
  }
  const total = weighted.reduce((s, x) => s + x.w, 0);
  if (total === 0) throw new RosettaError(ErrorCodes.QUERY_INVALID, 'All query weights are zero', { setting: 'weights' });
  return weightedMean(weighted);
}
