import { RosettaError } from '../errors/rosetta-error.js';
import { ErrorCodes } from '../errors/codes.js';
import { itemHash, segmentId, spaceTableInfo } from '../store/keys.js';
import { readInput } from '../media/read-input.js';
import { covers, type Space } from '../spaces/space.js';
import type { SegmentRecord, VectorRecord, VectorStore } from '../store/vector-store.js';
import type { MediaInput } from '../types.js';

export interface TextToAttach {
  kind: 'caption' | 'transcript' | 'ocr';
  text: string;
  t0?: number;
  t1?: number;
}

/**
 * Stores generated text (a caption, transcript lines) as segments of an already indexed item, encoded
 * in every space that covers text, so vector, keyword (`hybrid`) and moment search find it. Replaces
 * that item's earlier segments of the same kind (and of `replaceKinds`, so an empty list clears them). Re-encoding the item later (a new model version)
 * drops them: run caption/transcribe with `store` again.
 */
export async function attachText(
  store: VectorStore,
  spaces: Space[],
  input: MediaInput,
  texts: TextToAttach[],
  replaceKinds: TextToAttach['kind'][] = [],
): Promise<{ itemHash: string; segments: number }> {
  const { bytes, name } = await readInput(input);
  return attachTextToItem(store, spaces, itemHash(bytes), name, texts, replaceKinds);
}

/** attachText for an item known by its hash (no need to read and hash its bytes again, e.g. a long video). */
export async function attachTextToItem(
  store: VectorStore,
  spaces: Space[],
  itemHash: string,
  name: string,
  texts: TextToAttach[],
  replaceKinds: TextToAttach['kind'][] = [],
): Promise<{ itemHash: string; segments: number }> {
  const item = await store.getItem(itemHash);
  if (!item) {
    throw new RosettaError(ErrorCodes.INVALID_ARGUMENT, `${name} is not in this collection, so its text cannot be stored with it`, {
      file: name,
      hint: `run \`rosetta index ${name}\` first`,
    });
  }
  const kinds = new Set([...texts.map((t) => t.kind), ...replaceKinds]);
  const stale = (await store.getItemSegments(itemHash)).filter((s) => kinds.has(s.kind as TextToAttach['kind']));
  const segments: SegmentRecord[] = texts
    .filter((t) => t.text.trim())
    .map((t, index) => ({
      id: segmentId(itemHash, t.kind, index),
      itemHash,
      kind: t.kind,
      index,
      text: t.text.trim(),
      t0: t.t0,
      t1: t.t1,
    }));
  const textSpaces = spaces.filter((s) => covers(s, 'text'));
  const vectors: Record<string, VectorRecord[]> = {};
  for (const space of textSpaces) {
    const vecs = await space.embedTexts(segments.map((s) => s.text!));
    vectors[space.id] = segments.map((s, i) => ({ segmentId: s.id, itemHash, vector: vecs[i] }));
  }
  // Earlier segments of these kinds beyond the new count are blanked and lose their vectors.
  const kept = segments.length;
  for (const s of stale) if (!segments.some((n) => n.id === s.id)) segments.push({ ...s, text: '' });
  await store.addSegments(itemHash, segments, vectors, textSpaces.map(spaceTableInfo));
  return { itemHash, segments: kept };
}
