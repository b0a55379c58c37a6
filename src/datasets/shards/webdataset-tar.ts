import { createReadStream } from 'node:fs';
import { RosettaError } from '../../errors/rosetta-error.js';
import { ErrorCodes } from '../../errors/codes.js';
import type { ShardSample } from './shard-sample.js';

/** Image extensions, best first: a sample with several keeps the best one. */
const IMAGE_EXTENSIONS = ['jpg', 'jpeg', 'png', 'webp'];
const CAPTION_EXTENSIONS = ['txt', 'caption', 'text'];
/** Largest image member read into memory. */
export const MAX_IMAGE_MEMBER_BYTES = 64 * 1024 * 1024;
/** Largest JSON sidecar read into memory; a larger one is skipped (the sidecar is optional metadata). */
export const MAX_SIDECAR_MEMBER_BYTES = 8 * 1024 * 1024;
/**
 * Most of a caption member read: captions are cut to MAX_CAPTION_CHARS (2,000, at most 4 bytes each) anyway,
 * so only a caption's head is kept and the rest is read through.
 */
export const CAPTION_HEAD_BYTES = 64 * 1024;

type Role = 'image' | 'caption' | 'json';
interface Pending {
  key: string;
  image?: { ext: string; bytes: Buffer };
  caption?: Buffer;
  captionBytes?: number;
  json?: Buffer;
  error?: RosettaError;
}

/**
 * Streams the samples of a webdataset tar shard (img2dataset's `00000.tar`: `key.jpg`, `key.txt`,
 * `key.json` side by side). A key is the member's path up to the first dot of its basename, folders
 * included, as webdataset defines it. Members of one sample are contiguous, so a sample is yielded as
 * soon as the next key starts. Only what the sample uses is held: its best image, its caption and its
 * JSON sidecar; every other member is skipped unread, whatever its size. Of a caption only the head is kept
 * (CAPTION_HEAD_BYTES); a JSON sidecar over its bound is skipped; an image over its bound makes that sample
 * carry a MEDIA_TOO_LARGE error (the shard goes on). A truncated or corrupt shard
 * fails with a MEDIA_CORRUPT error naming the shard and the byte offset of the damage, after yielding
 * every complete sample before it.
 */
export async function* readWebdatasetTar(path: string): AsyncGenerator<ShardSample> {
  const { extract } = await import('tar-stream'); // loaded here, not at package start-up
  const source = createReadStream(path);
  const tar = extract();
  source.on('error', (error) => tar.destroy(error));
  source.pipe(tar);
  let current: Pending | undefined;
  let yielded = 0;
  // Where the damage is: the header of the member being read, or where the next header was expected.
  let at = 0;
  let member: string | undefined;
  try {
    for await (const entry of tar) {
      const { name, type, size = 0 } = entry.header;
      const dataStart = (entry.header as { byteOffset?: number }).byteOffset ?? at + 512;
      at = dataStart - 512;
      member = name;
      const parts = type === 'file' ? keyOf(name) : undefined;
      if (parts && current && current.key !== parts.key) {
        yield toSample(path, current);
        yielded += 1;
        current = undefined;
      }
      if (parts) current ??= { key: parts.key };
      const role = parts && current ? roleOf(parts.ext, current) : undefined;
      if (!role || !current || (role === 'json' && size > MAX_SIDECAR_MEMBER_BYTES)) {
        await drain(entry);
      } else if (role === 'caption' && size > CAPTION_HEAD_BYTES) {
        current.caption = await readHead(entry, CAPTION_HEAD_BYTES);
        current.captionBytes = size;
      } else if (role === 'image' && size > MAX_IMAGE_MEMBER_BYTES) {
        current.error ??= new RosettaError(
          ErrorCodes.MEDIA_TOO_LARGE,
          `${path}: member ${name} is ${(size / 2 ** 20).toFixed(1)} MiB, over the ${MAX_IMAGE_MEMBER_BYTES / 2 ** 20} MiB a shard's image may be`,
          { file: path, hint: `shrink or drop ${name} in the shard` },
        );
        await drain(entry);
      } else {
        const chunks: Buffer[] = [];
        for await (const chunk of entry) chunks.push(chunk as Buffer);
        const bytes = Buffer.concat(chunks);
        if (role === 'image') current.image = { ext: parts!.ext, bytes };
        else current[role] = bytes;
      }
      at = dataStart + Math.ceil(size / 512) * 512;
      member = undefined;
    }
  } catch (cause) {
    const where = member ? `at byte ${at} (member ${member})` : `at byte ${at}`;
    throw new RosettaError(
      ErrorCodes.MEDIA_CORRUPT,
      `${path} is damaged ${where}: ${(cause as Error).message}; the ${yielded} complete samples before it were read`,
      { file: path, cause, hint: 're-download or re-create the shard' },
    );
  } finally {
    source.destroy();
  }
  if (current) yield toSample(path, current);
}

/** Webdataset's key and extension of a member: `dir/abc.seg.jpg` is key `dir/abc`, extension `seg.jpg`. */
function keyOf(name: string): { key: string; ext: string } | undefined {
  const path = name.replace(/^(\.\/)+/, '');
  const slash = path.lastIndexOf('/');
  const dot = path.indexOf('.', slash + 1);
  if (dot <= slash + 1) return undefined;
  return { key: path.slice(0, dot), ext: path.slice(dot + 1).toLowerCase() };
}

/** What a member is to its sample, or undefined when the sample does not use it (it is skipped unread). */
function roleOf(ext: string, s: Pending): Role | undefined {
  const rank = IMAGE_EXTENSIONS.indexOf(ext);
  if (rank >= 0) return !s.image || rank < IMAGE_EXTENSIONS.indexOf(s.image.ext) ? 'image' : undefined;
  if (CAPTION_EXTENSIONS.includes(ext)) return s.caption ? undefined : 'caption';
  if (ext === 'json') return s.json ? undefined : 'json';
  return undefined;
}

/** The first `limit` bytes of a member; the rest is read through and dropped. */
async function readHead(entry: AsyncIterable<unknown>, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let held = 0;
  for await (const chunk of entry) {
    if (held >= limit) continue;
    const part = (chunk as Buffer).subarray(0, limit - held);
    chunks.push(Buffer.from(part));
    held += part.byteLength;
  }
  return Buffer.concat(chunks);
}

async function drain(entry: AsyncIterable<unknown>): Promise<void> {
  // Each chunk is dropped as it comes: a skipped member costs time, not memory.
  for await (const chunk of entry) void chunk;
}

function toSample(shard: string, s: Pending): ShardSample {
  const sample: ShardSample = { shard, key: s.key };
  if (s.error) {
    sample.error = s.error;
    return sample;
  }
  if (s.image) sample.image = s.image.bytes;
  if (s.caption) sample.caption = s.caption.toString('utf8').trim();
  if (s.captionBytes) sample.captionBytes = s.captionBytes;
  if (s.json) {
    try {
      sample.json = JSON.parse(s.json.toString('utf8')) as Record<string, unknown>;
    } catch {
      /* a bad sidecar leaves the sample usable */
    }
  }
  if (!sample.caption && typeof sample.json?.caption === 'string') sample.caption = sample.json.caption.trim();
  if (typeof sample.json?.url === 'string') sample.url = sample.json.url;
  return sample;
}
