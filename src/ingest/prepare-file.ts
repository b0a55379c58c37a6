import { createHash } from 'node:crypto';
import { itemHash } from '../store/keys.js';
import { createReadStream } from 'node:fs';
import { RosettaError } from '../errors/rosetta-error.js';
import { ErrorCodes } from '../errors/codes.js';
import { detectType, modalityOf, supportedFormats, type DetectedType } from '../modalities/index.js';
import { DEFAULT_MAX_INPUT_BYTES, readInput } from '../media/read-input.js';
import type { RgbImage } from '../types.js';
import { chunkText, type TextChunk } from './chunk-text.js';
import type { WalkedFile } from './walk.js';

/** A file read, hashed, typed and decoded: everything needed to encode it, nothing more. */
export interface PreparedFile {
  file: WalkedFile;
  hash: string;
  type: DetectedType;
  image?: RgbImage;
  width?: number;
  height?: number;
  chunks?: TextChunk[];
}

/** Files up to this size are read into memory once (hash, type and decode from the same bytes). */
export const IN_MEMORY_BYTES = 32 * 1024 * 1024;
/** Text files above this size are chunked, encoded and stored a group at a time (see `indexLargeText`). */
export const STREAM_TEXT_BYTES = 1024 * 1024;
/** What type detection reads of a large file: a little more than the 64 kB its text check samples. */
const HEAD_BYTES = 64 * 1024 + 8;

const unreadable = (path: string, cause: unknown) =>
  new RosettaError(ErrorCodes.MEDIA_UNREADABLE, `Cannot read ${path}: ${(cause as Error).message}`, {
    file: path,
    cause,
    hint: 'check the path exists and is readable by this user',
  });

/**
 * Hashes and types a file. Small files come back with their bytes; a large one is hashed while it streams
 * past (only its head is kept, for the type), so memory does not grow with the file.
 */
export async function hashAndType(
  file: WalkedFile,
  maxBytes = DEFAULT_MAX_INPUT_BYTES,
): Promise<{ bytes?: Buffer; hash: string; type: DetectedType }> {
  if (file.size === 0)
    throw new RosettaError(ErrorCodes.MEDIA_EMPTY, `${file.path} is empty (0 bytes)`, {
      file: file.path,
      hint: 'nothing to index; delete the file or ignore this line',
    });
  let bytes: Buffer | undefined;
  let head: Buffer;
  let hash: string;
  if (file.size <= IN_MEMORY_BYTES) {
    bytes = (await readInput(file.path, maxBytes)).bytes;
    head = bytes;
    hash = itemHash(bytes);
  } else {
    if (file.size > maxBytes) {
      throw new RosettaError(ErrorCodes.MEDIA_TOO_LARGE, `${file.path} is ${file.size} bytes, above the ${maxBytes}-byte limit`, {
        file: file.path,
        hint: 'raise maxInputBytes',
      });
    }
    ({ head, hash } = await streamHash(file.path, maxBytes));
  }
  const type = await detectType(head);
  if (!type) {
    throw new RosettaError(ErrorCodes.MEDIA_UNSUPPORTED, `${file.path} is not a type Rosetta indexes (detected from its content)`, {
      file: file.path,
      hint: `supported: ${supportedFormats()}`,
    });
  }
  return { bytes, hash, type };
}

async function streamHash(path: string, maxBytes: number): Promise<{ head: Buffer; hash: string }> {
  const hash = createHash('sha256');
  const heads: Buffer[] = [];
  let headLength = 0;
  let total = 0;
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
      total += chunk.byteLength;
      if (total > maxBytes)
        throw new RosettaError(ErrorCodes.MEDIA_TOO_LARGE, `${path} grew above the ${maxBytes}-byte limit while being read`, {
          file: path,
        });
      hash.update(chunk);
      if (headLength < HEAD_BYTES) {
        heads.push(chunk.subarray(0, HEAD_BYTES - headLength));
        headLength += Math.min(chunk.byteLength, HEAD_BYTES - headLength);
      }
    }
  } catch (error) {
    throw RosettaError.is(error) ? error : unreadable(path, error);
  }
  return { head: Buffer.from(Buffer.concat(heads)), hash: hash.digest('hex') };
}

/**
 * Decodes what can be decoded in memory, as the file's modality says (pictures, text); timed media (audio,
 * video) stream later, per file.
 */
export async function decodeForEncoding(
  file: WalkedFile,
  bytes: Buffer | undefined,
  hash: string,
  type: DetectedType,
  maxPixels?: number,
): Promise<PreparedFile> {
  const modality = modalityOf(type.modality);
  if (modality.decodesTo === 'image') {
    const img = await modality.decode({ path: file.path, bytes }, { maxPixels });
    return { file, hash, type, image: img, width: img.original?.width, height: img.original?.height };
  }
  if (modality.decodesTo === 'text') {
    const chunks = chunkText(await modality.decode({ path: file.path, bytes }));
    if (chunks.length === 0)
      throw new RosettaError(ErrorCodes.MEDIA_EMPTY, `${file.path} has no text to index (only whitespace)`, { file: file.path });
    return { file, hash, type, chunks };
  }
  return { file, hash, type };
}
