import { createReadStream, type ReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { makeThumbnail, type Thumbnail } from '../media/image/thumbnail.js';
import { videoFrame } from '../media/video/video-frame.js';
import type { ItemRecord } from '../store/vector-store.js';

/**
 * Which locations of an item may be read: given a location (a path or a URL), its real path when it may be
 * read, else undefined. A server passes its roots check; the default reads any local path.
 */
export type LocationFilter = (location: string) => Promise<string | undefined>;

/** An indexed item's file, found on disk: what it is, where, how large, and its bytes on demand. */
export interface ItemFile {
  item: ItemRecord;
  /** Real path of the file read. */
  path: string;
  /** Bytes, now (the file may have changed since it was indexed). */
  size: number;
  /** The item's content type (`application/octet-stream` when unknown). */
  mime: string;
  /** The bytes `start`…`end` (inclusive; default the whole file) as a stream. */
  open(range?: { start: number; end: number }): ReadStream;
}

const anyLocalPath: LocationFilter = async (location) => (/^[a-z][a-z0-9+.-]*:\/\//i.test(location) ? undefined : location);

/**
 * The first location of an item that is still a regular file the filter lets through; undefined when none is
 * (URLs, files moved or deleted since indexing, or all refused).
 */
export async function itemFile(item: ItemRecord, readable: LocationFilter = anyLocalPath): Promise<ItemFile | undefined> {
  for (const location of item.locations) {
    const path = await readable(location);
    if (!path) continue;
    const s = await stat(path).catch(() => undefined); // moved or deleted since it was indexed
    if (!s?.isFile()) continue;
    return {
      item,
      path,
      size: s.size,
      mime: item.mime || 'application/octet-stream',
      open: (range) => createReadStream(path, range ? { start: range.start, end: range.end } : {}),
    };
  }
  return undefined;
}

export interface ItemThumbnailOptions {
  /** For a video, the time of the frame, seconds (default 0; clamped to just before the end). */
  t?: number;
  /** Longest side, pixels (default 320). */
  side?: number;
  maxPixels?: number;
  signal?: AbortSignal;
}

/**
 * A small preview of an item's file: a picture shrunk (WebP when transparent, else JPEG), or a video's frame
 * at `t`. Undefined for items that have no picture (audio, text). A missing ffmpeg is FFMPEG_MISSING.
 */
export async function itemThumbnail(file: ItemFile, options: ItemThumbnailOptions = {}): Promise<Thumbnail | undefined> {
  const side = options.side ?? 320;
  const { item, path } = file;
  let source: string | Buffer;
  if (item.modality === 'image') source = path;
  else if (item.modality === 'video') {
    const t = options.t ?? 0;
    source = await videoFrame(path, Math.min(t, Math.max(0, (item.duration ?? t) - 0.05)), { width: side, signal: options.signal });
  } else return undefined;
  return makeThumbnail(source, { side, maxPixels: options.maxPixels, name: path });
}
