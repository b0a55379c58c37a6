import type { Space } from '../spaces/space.js';
import type { ItemRecord } from '../store/vector-store.js';
import { decodeForEncoding, hashAndType, STREAM_TEXT_BYTES } from './prepare-file.js';
import type { LargeText } from './large-text.js';
import { spacesFor, type EncodeWork } from './encode-batch.js';
import type { ItemCatalog } from './item-catalog.js';
import type { ProgressCounter } from './progress.js';
import type { Staging } from './staging.js';
import type { WalkedFile } from './walk.js';
import { spaceKey } from '../store/keys.js';
import { modalityOf } from '../modalities/index.js';

export interface PrepareContext {
  spaces: Space[];
  maxPixels?: number;
  maxInputBytes?: number;
}

export function isComplete(item: ItemRecord, spaces: Space[]): boolean {
  return spacesFor(spaces, item.modality).every((s) => item.spaces.includes(spaceKey(s)));
}

export interface PreparedBatch {
  /** Decoded files to encode. */
  work: EncodeWork[];
  /** Text files too large to hold whole: read, encoded and stored a group of chunks at a time by `indexLargeText`. */
  largeTexts: LargeText[];
}

/**
 * The read / hash / detect and decode stages for a batch of files, in parallel (sharp decodes on its own
 * threads). Files the catalogue already holds unchanged are skipped without reading; same bytes under a
 * new path add a location; bytes already on their way to the store (`staging`) are noted there; the rest
 * come back decoded, to encode.
 */
export async function prepareBatch(ctx: PrepareContext, catalog: ItemCatalog, staging: Staging, batch: WalkedFile[], tags: string[] | undefined, counter: ProgressCounter): Promise<PreparedBatch> {
  const work: EncodeWork[] = [];
  const largeTexts: LargeText[] = [];
  await Promise.all(batch.map(async (file) => {
    try {
      const atLocation = catalog.byLocation(file.path);
      if (atLocation && atLocation.size === file.size && atLocation.mtimeMs >= file.mtimeMs && isComplete(atLocation, ctx.spaces)) {
        counter.skipped += 1;
        return;
      }
      const { bytes, hash, type } = await hashAndType(file, ctx.maxInputBytes);
      // The file now holds other bytes: forget it on the old item (removed if that was its last location).
      if (atLocation && atLocation.hash !== hash) await catalog.removeLocations(atLocation.hash, [file.path]);
      if (staging.has(hash)) {
        staging.addLocation(hash, { path: file.path, mtimeMs: file.mtimeMs });
        return;
      }
      const existing = catalog.byHash(hash);
      // Same bytes already encoded: just remember this path (and newer mtime).
      if (existing && isComplete(existing, ctx.spaces) && await catalog.addLocation(hash, file.path, { mtimeMs: file.mtimeMs, tags })) {
        if (atLocation && atLocation.hash !== hash) counter.updated += 1; else counter.skipped += 1;
        return;
      }
      if (staging.has(hash)) { // staged by another file of this batch while this one was being recorded
        staging.addLocation(hash, { path: file.path, mtimeMs: file.mtimeMs });
        return;
      }
      const previous = existing ?? (atLocation?.hash !== hash ? atLocation : undefined);
      if (modalityOf(type.modality).decodesTo === 'text' && file.size > STREAM_TEXT_BYTES) { largeTexts.push({ file, hash, type, previous }); return; }
      staging.stage(hash);
      try {
        const prepared = await decodeForEncoding(file, bytes, hash, type, ctx.maxPixels);
        work.push({ prepared, previous });
      } catch (error) {
        for (const other of staging.release(hash)) counter.fail(other.path, error);
        throw error;
      }
    } catch (error) {
      counter.fail(file.path, error);
    }
  }));
  return { work, largeTexts };
}
