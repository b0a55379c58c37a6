import { createHash } from 'node:crypto';
import { RosettaError } from '../errors/rosetta-error.js';
import { ErrorCodes } from '../errors/codes.js';
import { detectType, type DetectedType } from '../media/detect-type.js';
import { readImage } from '../media/image/read-image.js';
import { readInput } from '../media/read-input.js';
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

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function hashAndType(file: WalkedFile, maxBytes?: number): Promise<{ bytes: Buffer; hash: string; type: DetectedType }> {
  if (file.size === 0) throw new RosettaError(ErrorCodes.MEDIA_EMPTY, `${file.path} is empty (0 bytes)`, { file: file.path, hint: 'nothing to index; delete the file or ignore this line' });
  const { bytes } = await readInput(file.path, maxBytes);
  const type = await detectType(bytes);
  if (!type) {
    throw new RosettaError(ErrorCodes.MEDIA_UNSUPPORTED, `${file.path} is not a type Rosetta indexes (detected from its content)`,
      { file: file.path, hint: 'supported: images (jpg, png, webp, gif, avif, tiff), text (UTF-8 .txt/.md), audio and video' });
  }
  return { bytes, hash: sha256(bytes), type };
}

/** Decodes what can be decoded in memory (images, text). Audio and video stream later, per file. */
export async function decodeForEncoding(file: WalkedFile, bytes: Buffer, hash: string, type: DetectedType, maxPixels?: number): Promise<PreparedFile> {
  if (type.modality === 'image') {
    const img = await readImage({ bytes, name: file.path }, { maxPixels });
    return { file, hash, type, image: img, width: img.original?.width, height: img.original?.height };
  }
  if (type.modality === 'text') {
    const chunks = chunkText(bytes.toString('utf8'));
    if (chunks.length === 0) throw new RosettaError(ErrorCodes.MEDIA_EMPTY, `${file.path} has no text to index (only whitespace)`, { file: file.path });
    return { file, hash, type, chunks };
  }
  return { file, hash, type };
}
