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
  /** Checked before a file is opened (a distributed run's signed paths); a file it refuses fails unread. */
  admit?: (file: WalkedFile) => Promise<void>;
  /**
   * Text files above this many bytes come back in `largeTexts`, to stream into the store (default
   * STREAM_TEXT_BYTES). A distributed worker, which hands whole items to its committer, passes Infinity.
   */
  streamTextBytes?: number;
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
 * come back decoded, to encode, in the batch's order.
 *
 * A distributed worker runs the same stage without a catalogue or staging (it does not see the store: its
 * committer merges each item with what is stored), so every readable file comes back decoded and files with
 * the same bytes are merged by `mergeSameBytes`.
 */
export async function prepareBatch(
  ctx: PrepareContext,
  catalog: ItemCatalog | undefined,
  staging: Staging | undefined,
  batch: WalkedFile[],
  tags: string[] | undefined,
  counter: ProgressCounter,
): Promise<PreparedBatch> {
  const decoded: (EncodeWork | undefined)[] = new Array(batch.length);
  const largeTexts: LargeText[] = [];
  await Promise.all(
    batch.map(async (file, place) => {
      try {
        await ctx.admit?.(file);
        const atLocation = catalog?.byLocation(file.path);
        if (atLocation && atLocation.size === file.size && atLocation.mtimeMs >= file.mtimeMs && isComplete(atLocation, ctx.spaces)) {
          counter.skipped += 1;
          return;
        }
        const { bytes, hash, type } = await hashAndType(file, ctx.maxInputBytes);
        // The file now holds other bytes: forget it on the old item (removed if that was its last location).
        if (atLocation && atLocation.hash !== hash) await catalog!.removeLocations(atLocation.hash, [file.path]);
        if (staging?.has(hash)) {
          staging.addLocation(hash, { path: file.path, mtimeMs: file.mtimeMs });
          return;
        }
        const existing = catalog?.byHash(hash);
        // Same bytes already encoded: just remember this path (and newer mtime).
        if (
          existing &&
          isComplete(existing, ctx.spaces) &&
          (await catalog!.addLocation(hash, file.path, { mtimeMs: file.mtimeMs, tags }))
        ) {
          if (atLocation && atLocation.hash !== hash) counter.updated += 1;
          else counter.skipped += 1;
          return;
        }
        if (staging?.has(hash)) {
          // staged by another file of this batch while this one was being recorded
          staging.addLocation(hash, { path: file.path, mtimeMs: file.mtimeMs });
          return;
        }
        const previous = existing ?? (atLocation?.hash !== hash ? atLocation : undefined);
        if (modalityOf(type.modality).decodesTo === 'text' && file.size > (ctx.streamTextBytes ?? STREAM_TEXT_BYTES)) {
          largeTexts.push({ file, hash, type, previous });
          return;
        }
        staging?.stage(hash);
        try {
          const prepared = await decodeForEncoding(file, bytes, hash, type, ctx.maxPixels);
          decoded[place] = { prepared, previous };
        } catch (error) {
          for (const other of staging?.release(hash) ?? []) counter.fail(other.path, error);
          throw error;
        }
      } catch (error) {
        counter.fail(file.path, error);
      }
    }),
  );
  return { work: decoded.filter((w): w is EncodeWork => w !== undefined), largeTexts };
}
