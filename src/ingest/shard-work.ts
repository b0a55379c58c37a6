import { stat } from 'node:fs/promises';
import { RosettaError } from '../errors/rosetta-error.js';
import { ErrorCodes } from '../errors/codes.js';
import { detectType } from '../modalities/index.js';
import { decodeForEncoding } from './prepare-file.js';
import { itemHash } from '../store/keys.js';
import type { EncodeWork } from './index-paths.js';
import type { ProgressCounter } from './progress.js';
import { ImageFetcher } from './fetch-images.js';
import { readShard } from '../datasets/shards/read-shard.js';
import { sampleLocation, type ShardSample } from '../datasets/shards/shard-sample.js';
import { boundCaption } from '../datasets/caption-limit.js';

export interface ShardWorkOptions {
  maxPixels?: number;
  fetcher?: ImageFetcher;
  /** Samples decoded together (default 16). */
  batch?: number;
  /** True for a sample already stored whole at this location (shard not changed since): skipped unread. */
  isKnown?: (location: string, shardMtimeMs: number) => boolean;
  signal?: AbortSignal;
}

/**
 * The read → hash → decode stage for one shard: its samples, a batch at a time, as the same work
 * items a folder of files gives the encode stage, each carrying its caption (paired text) and its
 * shard, key and URL as metadata. Bad samples (no image, unfetchable URL, corrupt bytes) are counted
 * as failures naming `<shard>#<key>`; the shard goes on. A damaged shard yields the samples before the
 * damage, then throws the reader's error (naming the shard and the offset).
 */
export async function* shardWork(shard: string, counter: ProgressCounter, options: ShardWorkOptions = {}): AsyncGenerator<EncodeWork[]> {
  const shardMtimeMs = Math.floor((await stat(shard)).mtimeMs);
  const fetcher = options.fetcher ?? new ImageFetcher();
  const size = options.batch ?? 16;
  let batch: ShardSample[] = [];
  const flush = async () => {
    const work = await Promise.all(
      batch.map((s) =>
        prepareSample(s, shardMtimeMs, fetcher, options.maxPixels).catch((error) => {
          counter.fail(sampleLocation(s.shard, s.key), error);
          return undefined;
        }),
      ),
    );
    batch = [];
    return work.filter((w): w is EncodeWork => w !== undefined);
  };
  try {
    for await (const sample of readShard(shard)) {
      options.signal?.throwIfAborted();
      counter.total += 1;
      if (sample.error) {
        counter.fail(sampleLocation(shard, sample.key), sample.error);
        continue;
      }
      if (options.isKnown?.(sampleLocation(shard, sample.key), shardMtimeMs)) {
        counter.skipped += 1;
        continue;
      }
      batch.push(sample);
      if (batch.length >= size) yield await flush();
    }
  } catch (error) {
    // A damaged shard: the complete samples read before the damage are still indexed, then the damage is reported.
    if (batch.length && !options.signal?.aborted) yield await flush();
    throw error;
  }
  if (batch.length) yield await flush();
}

async function prepareSample(s: ShardSample, mtimeMs: number, fetcher: ImageFetcher, maxPixels?: number): Promise<EncodeWork> {
  const location = sampleLocation(s.shard, s.key);
  let bytes = s.image;
  if (!bytes?.byteLength) {
    if (!s.url) throw new RosettaError(ErrorCodes.MEDIA_EMPTY, `${location} has neither image bytes nor a URL`, { file: location });
    bytes = await fetcher.fetch(s.url);
  }
  const type = await detectType(bytes);
  if (type?.modality !== 'image') {
    throw new RosettaError(ErrorCodes.MEDIA_UNSUPPORTED, `${location} is not an image (detected ${type?.mime ?? 'unknown bytes'})`, {
      file: location,
    });
  }
  const hash = itemHash(bytes);
  const prepared = await decodeForEncoding({ path: location, size: bytes.byteLength, mtimeMs }, bytes, hash, type, maxPixels);
  const source: Record<string, unknown> = { shard: s.shard, key: s.key };
  if (s.url) source.url = s.url;
  if (!s.caption) return { prepared, meta: { source } };
  // Bounded (MAX_CAPTION_CHARS, cut at a word): the cut caption is the one stored and encoded, and the item says it was cut.
  const caption = boundCaption(s.caption);
  const truncatedFrom = s.captionBytes ?? caption.truncatedFrom;
  return {
    prepared,
    caption: caption.text,
    meta: { source, caption: caption.text, ...(truncatedFrom ? { captionTruncatedFrom: truncatedFrom } : {}) },
  };
}
