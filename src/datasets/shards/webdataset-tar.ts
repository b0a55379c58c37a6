import { createReadStream } from 'node:fs';
import { RosettaError } from '../../errors/rosetta-error.js';
import { ErrorCodes } from '../../errors/codes.js';
import type { ShardSample } from './shard-sample.js';

const IMAGE_EXTENSIONS = ['jpg', 'jpeg', 'png', 'webp'];
/** Largest member read into memory: a sample's image or caption, never a whole shard. */
const MAX_MEMBER_BYTES = 64 * 1024 * 1024;

/**
 * Streams the samples of a webdataset tar shard (img2dataset's `00000.tar`: `key.jpg`, `key.txt`,
 * `key.json` side by side). Members of one sample are contiguous, so a sample is yielded as soon as
 * the next key starts; memory holds one sample. A truncated or corrupt shard fails with the shard's
 * name after yielding every sample read before the damage.
 */
export async function* readWebdatasetTar(path: string): AsyncGenerator<ShardSample> {
  const { extract } = await import('tar-stream'); // loaded here, not at package start-up
  const source = createReadStream(path);
  const tar = extract();
  source.on('error', (error) => tar.destroy(error));
  source.pipe(tar);
  let current: { key: string; files: Map<string, Buffer> } | undefined;
  try {
    for await (const entry of tar) {
      const { name, type, size } = entry.header;
      if (type !== 'file' || (size ?? 0) > MAX_MEMBER_BYTES) { entry.resume(); continue; }
      const base = name.slice(name.lastIndexOf('/') + 1);
      const dot = base.indexOf('.');
      if (dot <= 0) { entry.resume(); continue; }
      const key = name.slice(0, name.length - base.length + dot);
      const ext = base.slice(dot + 1).toLowerCase();
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      if (current && current.key !== key) { yield toSample(path, current); current = undefined; }
      current ??= { key, files: new Map() };
      current.files.set(ext, Buffer.concat(chunks));
    }
  } catch (cause) {
    throw new RosettaError(ErrorCodes.MEDIA_CORRUPT, `${path} is not a readable tar shard: ${(cause as Error).message}`,
      { file: path, cause, hint: 're-download or re-create the shard (samples before the damage were read)' });
  } finally {
    source.destroy();
  }
  if (current) yield toSample(path, current);
}

function toSample(shard: string, s: { key: string; files: Map<string, Buffer> }): ShardSample {
  const imageExt = IMAGE_EXTENSIONS.find((e) => s.files.has(e));
  const sample: ShardSample = { shard, key: s.key.slice(s.key.lastIndexOf('/') + 1) || s.key };
  if (imageExt) sample.image = s.files.get(imageExt);
  const txt = s.files.get('txt') ?? s.files.get('caption') ?? s.files.get('text');
  if (txt) sample.caption = txt.toString('utf8').trim();
  const json = s.files.get('json');
  if (json) {
    try { sample.json = JSON.parse(json.toString('utf8')) as Record<string, unknown>; } catch { /* a bad sidecar leaves the sample usable */ }
  }
  if (!sample.caption && typeof sample.json?.caption === 'string') sample.caption = sample.json.caption.trim();
  if (typeof sample.json?.url === 'string') sample.url = sample.json.url;
  return sample;
}
