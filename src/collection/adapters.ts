import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RosettaError } from '../errors/rosetta-error.js';
import { ErrorCodes } from '../errors/codes.js';
import type { DatasetIssue } from '../datasets/types.js';
import type { Space } from '../spaces/space.js';
// Fitting (ONNX Runtime, the graph builder), pairs files and image decoding load when an adapter is trained, not
// when a collection opens and only reads its saved adapters.
import { loadAdapter, type Adapter, type AdapterData } from '../train/adapter/linear-adapter.js';
import type { RgbImage } from '../types.js';

/** An adapter saved beside a collection: a learned map for one space's text queries. */
export interface SavedAdapter {
  spaceId: string;
  /** The space version it was fitted on; a different version ignores it. */
  spaceVersion: string;
  data: AdapterData;
  pairs: number;
  heldOut: number;
  before: Record<number, number>;
  after: Record<number, number>;
  trainedAt: string;
  source: string;
}

export interface TrainAdapterResult {
  saved: SavedAdapter;
  path: string;
  /** Rows that were reported and skipped (missing file, empty caption, unreadable image). */
  skipped: DatasetIssue[];
}

const dirOf = (collectionDir: string) => join(collectionDir, 'adapters');

/**
 * Fits a light adapter for a space from (image, caption) pairs: image vectors stay frozen (they are
 * already stored), and a linear map on the text side is learned with InfoNCE so captions of the
 * user's domain land on their images. Held-out Recall@K before and after is reported.
 */
export async function trainAdapter(
  collectionDir: string,
  space: Space,
  pairsFile: string,
  options: { epochs?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<TrainAdapterResult> {
  if (!space.modalities.includes('image'))
    throw new RosettaError(ErrorCodes.SPACE_MODALITY, `Space ${space.id} has no image tower to adapt`, { setting: 'space' });
  const [{ readPairs }, { readImage }, { fitAdapter }] = await Promise.all([
    import('../datasets/pairs.js'),
    import('../media/image/read-image.js'),
    import('../train/adapter/fit-adapter.js'),
  ]);
  const file = await readPairs(pairsFile);
  const skipped = [...file.issues];
  const images: { img: RgbImage; text: string }[] = [];
  for (const [i, p] of file.pairs.entries()) {
    if (p.modality !== 'image') {
      skipped.push({ file: pairsFile, row: p.row, reason: 'not an image row' });
      continue;
    }
    try {
      images.push({ img: await readImage(p.bytes ? { bytes: Buffer.from(p.bytes), name: p.path } : p.path), text: p.text });
    } catch (error) {
      skipped.push({ file: pairsFile, row: p.row, reason: (error as Error).message.split('\n')[0] });
    }
    options.onProgress?.(i + 1, file.pairs.length);
  }
  if (images.length < 8) {
    throw new RosettaError(
      ErrorCodes.TRAIN_FAILED,
      `${pairsFile} has ${images.length} usable (image, caption) pairs; an adapter needs at least 8`,
      { file: pairsFile, hint: 'check the skipped rows listed with their reasons' },
    );
  }
  const a = await space.embedImages(images.map((x) => x.img));
  const b = await space.embedTexts(images.map((x) => x.text));
  const fit = await fitAdapter(
    a.map((v, i) => ({ a: v, b: b[i] })),
    { freeze: 'a', epochs: options.epochs },
  );
  const saved: SavedAdapter = {
    spaceId: space.id,
    spaceVersion: space.version,
    data: fit.adapter.data,
    pairs: images.length,
    heldOut: fit.heldOut,
    before: fit.before,
    after: fit.after,
    trainedAt: new Date().toISOString(),
    source: pairsFile,
  };
  mkdirSync(dirOf(collectionDir), { recursive: true });
  const path = join(dirOf(collectionDir), `${space.id}.json`);
  writeFileSync(`${path}.tmp`, JSON.stringify(saved));
  renameSync(`${path}.tmp`, path);
  return { saved, path, skipped };
}

/** Adapters of the collection that match their space's current version, keyed by space id. */
export function loadAdapters(collectionDir: string, spaces: Space[]): Map<string, { adapter: Adapter; saved: SavedAdapter }> {
  const out = new Map<string, { adapter: Adapter; saved: SavedAdapter }>();
  const dir = dirOf(collectionDir);
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
    const saved = JSON.parse(readFileSync(join(dir, name), 'utf8')) as SavedAdapter;
    const space = spaces.find((s) => s.id === saved.spaceId);
    if (space && space.version === saved.spaceVersion) out.set(space.id, { adapter: loadAdapter(saved.data), saved });
  }
  return out;
}
