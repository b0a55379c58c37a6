import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { MultipartFile } from '@fastify/multipart';
import { ErrorCodes, type DetectedType, type Modality } from '../rosetta.js';
import { HttpError } from './http-errors.js';
import type { ServerContext } from './server-context.js';

/** A file stored in the upload folder; `created` when this request put it there (it was not there before). */
export interface StoredUpload {
  path: string;
  created: boolean;
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/** Removes the uploads a request created, for a request refused part-way: nothing it brought stays behind. */
export async function discardUploads(uploads: readonly StoredUpload[]): Promise<void> {
  await Promise.all(uploads.filter((u) => u.created).map((u) => rm(u.path, { force: true })));
}

export interface UploadLimits {
  uploadLimitBytes: number;
  maxPixels: number;
}

const tooLarge = (name: string, limit: number) =>
  new HttpError(413, ErrorCodes.MEDIA_TOO_LARGE, `${name} is larger than the ${limit}-byte upload limit`, { setting: 'uploadLimitBytes' });

/** What the upload helpers need of the server: its Rosetta (which checks content) and its limits. */
export type UploadContext = Pick<ServerContext, 'rosetta' | 'limits'>;

/** Checks bytes by their content (never the extension or the client's content type) and the pixel limit. */
export function checkContent(
  ctx: UploadContext,
  head: Uint8Array,
  name: string,
  allowed: readonly Modality[],
  file?: string | Buffer,
): Promise<DetectedType> {
  return ctx.rosetta.checkMedia(head, { name, allowed, file, maxPixels: ctx.limits.maxPixels });
}

/** Reads a (small) uploaded query file into memory, within the byte limit, and checks its content. */
export async function readUploadedQuery(
  ctx: UploadContext,
  part: MultipartFile,
  allowed: readonly Modality[],
): Promise<{ bytes: Buffer; type: DetectedType }> {
  const { limits } = ctx;
  const bytes = await part.toBuffer().catch((error: { code?: string }) => {
    if (error?.code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge(part.filename || part.fieldname, limits.uploadLimitBytes);
    throw error;
  });
  if (part.file.truncated) throw tooLarge(part.filename || part.fieldname, limits.uploadLimitBytes);
  const type = await checkContent(ctx, bytes, part.filename || part.fieldname, allowed, bytes);
  return { bytes, type };
}

/** A client-given file name reduced to a harmless base name. */
export function safeName(name: string | undefined): string {
  const base = basename(String(name ?? ''))
    .replace(/[^\w.\- ]+/g, '_')
    .replace(/^\.+/, '')
    .slice(0, 100);
  return base || 'upload';
}

/**
 * Streams an uploaded file to a temporary name in `dir`, hashing as it goes, then renames it into place:
 * a client that disconnects mid-upload, a file over the limit or of the wrong type leaves nothing behind.
 */
export async function storeUpload(
  ctx: UploadContext,
  part: MultipartFile,
  dir: string,
  allowed: readonly Modality[],
): Promise<StoredUpload & { type: DetectedType; size: number }> {
  const { limits } = ctx;
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.part-${randomUUID()}`);
  const hash = createHash('sha256');
  const headChunks: Buffer[] = [];
  let headBytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, callback) {
      hash.update(chunk);
      if (headBytes < 64 * 1024) {
        headChunks.push(chunk);
        headBytes += chunk.byteLength;
      }
      callback(null, chunk);
    },
  });
  const name = part.filename || part.fieldname;
  try {
    await pipeline(part.file, tap, createWriteStream(temp, { flags: 'wx' }));
    if (part.file.truncated) throw tooLarge(name, limits.uploadLimitBytes);
    const type = await checkContent(ctx, Buffer.concat(headChunks), name, allowed, temp);
    const digest = hash.digest('hex');
    const final = join(dir, `${digest.slice(0, 16)}-${safeName(part.filename)}`);
    const created = !(await exists(final));
    await rename(temp, final);
    return { path: final, created, type, size: (await stat(final)).size };
  } catch (error) {
    await rm(temp, { force: true });
    if ((error as { code?: string })?.code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge(name, limits.uploadLimitBytes);
    throw error;
  }
}

/** Writes fetched bytes (a URL ingest) the same way: temporary name, then rename. */
export async function storeBytes(
  ctx: UploadContext,
  bytes: Buffer,
  dir: string,
  name: string,
  allowed: readonly Modality[],
): Promise<StoredUpload> {
  await checkContent(ctx, bytes, name, allowed, bytes);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.part-${randomUUID()}`);
  const final = join(dir, `${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}-${safeName(name)}`);
  try {
    await writeFile(temp, bytes, { flag: 'wx' });
    const created = !(await exists(final));
    await rename(temp, final);
    return { path: final, created };
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
