import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { decodeImage } from '../../media/image/decode-image.js';
import type { RgbImage } from '../../types.js';
import { RosettaError } from '../../errors/rosetta-error.js';
import { ErrorCodes } from '../../errors/codes.js';

/** Refuse decompression bombs: 100 megapixels is far above any evaluation image. */
const MAX_PIXELS = 100_000_000;

/**
 * Decodes an image file (or its bytes) to RGB pixels for a space's image tower through the media module's
 * decoder, so evaluation sees exactly the pixels that indexing and search see (EXIF orientation applied,
 * alpha dropped as Transformers.js drops it).
 */
export async function loadRgbImage(input: string | Uint8Array, options: { maxSide?: number } = {}): Promise<RgbImage> {
  let bytes: Uint8Array;
  try {
    bytes = typeof input === 'string' ? await readFile(input) : input;
  } catch (cause) {
    throw new RosettaError(ErrorCodes.MEDIA_UNREADABLE, `Could not read image ${input as string}: ${(cause as Error).message}`,
      { file: input as string, cause, hint: 'check that the path exists and is readable' });
  }
  const { data, width, height } = await decodeImage(bytes, { name: typeof input === 'string' ? input : undefined, maxSide: options.maxSide });
  return { data, width, height, channels: 3 };
}

/** A small PNG thumbnail as a data URI, for self-contained reports. */
export async function thumbnailDataUri(path: string, side = 96): Promise<string | undefined> {
  try {
    const png = await sharp(path, { limitInputPixels: MAX_PIXELS }).rotate()
      .resize(side, side, { fit: 'inside', withoutEnlargement: false })
      .png({ compressionLevel: 9 })
      .toBuffer();
    return `data:image/png;base64,${png.toString('base64')}`;
  } catch {
    return undefined;
  }
}
