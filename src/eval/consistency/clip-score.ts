import type { Space } from '../../spaces/space.js';
import type { PcmAudio, RgbImage } from '../../types.js';
import { invalidArgument } from '../../util/validate.js';
import { dot } from '../../vectors/vector-math.js';
import { clipScore } from '../../vectors/scores.js';
import { embedAudioWith, embedImagesWith } from '../embed.js';

/** What `score` compares: a text, decoded RGB pixels, or PCM audio. */
export type ScoreInput = string | RgbImage | PcmAudio;

export interface ScoreResult {
  /** Cosine similarity of the two embeddings in the space. */
  cosine: number;
  /** CLIPScore: 2.5 · max(cosine, 0). */
  score: number;
  modalities: [ScoreModality, ScoreModality];
  space: string;
}

type ScoreModality = 'text' | 'image' | 'audio';

function modalityOf(input: ScoreInput, parameter: string): ScoreModality {
  if (typeof input === 'string') return 'text';
  if (input && typeof input === 'object' && 'samples' in input) return 'audio';
  if (input && typeof input === 'object' && 'data' in input && 'width' in input) return 'image';
  throw invalidArgument(parameter, 'a text string, an RgbImage or a PcmAudio', input);
}

async function embedOne(space: Space, input: ScoreInput, modality: ScoreModality): Promise<Float32Array> {
  if (modality === 'text') return (await space.embedTexts([input as string]))[0];
  if (modality === 'image') return (await embedImagesWith(space, [input as RgbImage]))[0];
  return (await embedAudioWith(space, [input as PcmAudio]))[0];
}

/**
 * Consistency of two inputs in one space: their cosine and CLIPScore. Typically an image (or audio clip) and
 * the text that should describe it.
 * @example const { score } = await score(space, await readImage('cat.png'), 'a cat on a sofa');
 */
export async function score(space: Space, a: ScoreInput, b: ScoreInput): Promise<ScoreResult> {
  const ma = modalityOf(a, 'a');
  const mb = modalityOf(b, 'b');
  const [va, vb] = [await embedOne(space, a, ma), await embedOne(space, b, mb)];
  const cosine = dot(va, vb);
  return { cosine, score: clipScore(cosine), modalities: [ma, mb], space: space.id };
}

/** Cosines of aligned pairs of embeddings (`media[k]` with `texts[k]`). */
export function pairCosines(media: readonly Float32Array[], texts: readonly Float32Array[]): number[] {
  return media.map((m, k) => dot(m, texts[k]));
}

async function embedMany(space: Space, inputs: ScoreInput[]): Promise<Float32Array[]> {
  const kinds = inputs.map((x, k) => modalityOf(x, `candidates[${k}]`));
  const out = new Array<Float32Array>(inputs.length);
  for (const kind of ['text', 'image', 'audio'] as const) {
    const idx = kinds.flatMap((m, k) => (m === kind ? [k] : []));
    if (idx.length === 0) continue;
    const items = idx.map((k) => inputs[k]);
    const vecs =
      kind === 'text'
        ? await space.embedTexts(items as string[])
        : kind === 'image'
          ? await embedImagesWith(space, items as RgbImage[])
          : await embedAudioWith(space, items as PcmAudio[]);
    idx.forEach((k, j) => {
      out[k] = vecs[j];
    });
  }
  return out;
}

/**
 * Ranks candidates by their consistency with an anchor — the `--best-of N` of `caption` (anchor: the image,
 * candidates: captions) and `imagine` (anchor: the prompt, candidates: images). Returns every candidate's score
 * and the index of the best.
 */
export async function bestOf(
  space: Space,
  anchor: ScoreInput,
  candidates: ScoreInput[],
): Promise<{ best: number; scores: { cosine: number; score: number }[] }> {
  if (candidates.length === 0) throw invalidArgument('candidates', 'at least one candidate', candidates);
  const [a] = await embedMany(space, [anchor]);
  const vecs = await embedMany(space, candidates);
  const scores = vecs.map((v) => {
    const cosine = dot(a, v);
    return { cosine, score: clipScore(cosine) };
  });
  let best = 0;
  scores.forEach((s, k) => {
    if (s.cosine > scores[best].cosine) best = k;
  });
  return { best, scores };
}
