import { open } from 'node:fs/promises';
import type { RosettaError } from '../../errors/rosetta-error.js';

/** One record of a LAION-style shard: an image (bytes, or a URL to fetch) with its caption. */
export interface ShardSample {
  /** The shard file it came from (absolute path). */
  shard: string;
  /**
   * The sample's key inside the shard (webdataset: the member path up to the first dot of its basename, folders
   * included; parquet: `key` column or row number).
   */
  key: string;
  /** Image bytes when the shard embeds them. */
  image?: Buffer;
  /** Where the image can be fetched when it is not embedded. */
  url?: string;
  caption?: string;
  /** The caption member's whole size in bytes when only its head was read (see CAPTION_HEAD_BYTES). */
  captionBytes?: number;
  /** The sample's JSON sidecar (webdataset). */
  json?: Record<string, unknown>;
  /** Why this sample cannot be used (a member over its size bound); the shard's other samples are fine. */
  error?: RosettaError;
}

/**
 * The location a sample is stored under: `<shard>#<key>`, so a shard's items are found by path glob like
 * files. `%` and `#` in the key are written `%25` and `%23`, so the last `#` always ends the shard's path.
 */
export function sampleLocation(shard: string, key: string): string {
  return `${shard}#${key.replace(/%/g, '%25').replace(/#/g, '%23')}`;
}

/** The shard file of a `<shard>#<key>` location, or undefined for a plain path. */
export function shardOfLocation(location: string): string | undefined {
  const at = location.lastIndexOf('#');
  return at > 0 && isShardPath(location.slice(0, at)) ? location.slice(0, at) : undefined;
}

/** The sample key of a `<shard>#<key>` location (see sampleLocation), or undefined for a plain path. */
export function keyOfLocation(location: string): string | undefined {
  const shard = shardOfLocation(location);
  return shard === undefined
    ? undefined
    : location
        .slice(shard.length + 1)
        .replace(/%23/g, '#')
        .replace(/%25/g, '%');
}

/** Named like a shard (`.tar`, `.parquet`): a candidate whose content decides (see shardKindOf). */
export function isShardPath(path: string): boolean {
  return /\.(tar|parquet)$/i.test(path);
}

/**
 * What a file is by its content: a webdataset tar (`ustar` at byte 257) or parquet (`PAR1` at the start; the
 * reader checks the end), else undefined, whatever its name says.
 */
export async function shardKindOf(path: string): Promise<'tar' | 'parquet' | undefined> {
  let handle;
  try {
    handle = await open(path, 'r');
    const head = Buffer.alloc(512);
    const { bytesRead } = await handle.read(head, 0, 512, 0);
    if (bytesRead >= 4 && head.toString('latin1', 0, 4) === 'PAR1') return 'parquet';
    if (bytesRead >= 262 && head.toString('latin1', 257, 262) === 'ustar') return 'tar';
    return undefined;
  } catch {
    return undefined;
  } finally {
    await handle?.close();
  }
}

/**
 * Splits walked files into shards and ordinary files. Files named like shards are opened and recognised by
 * content: a picture named `.tar` is an ordinary file (indexed as the picture it is).
 */
export async function splitShards<T extends { path: string }>(walked: T[]): Promise<{ shards: T[]; files: T[] }> {
  const shards: T[] = [];
  const files: T[] = [];
  const kinds = await mapLimited(walked, 16, (f) => (isShardPath(f.path) ? shardKindOf(f.path) : Promise.resolve(undefined)));
  walked.forEach((f, i) => (kinds[i] ? shards : files).push(f));
  return { shards, files };
}

async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]);
      }
    }),
  );
  return out;
}
