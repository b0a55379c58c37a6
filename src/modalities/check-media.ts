import sharp from 'sharp';
import { RosettaError } from '../errors/rosetta-error.js';
import { ErrorCodes } from '../errors/codes.js';
import type { Modality } from '../types.js';
import { DEFAULT_MAX_PIXELS } from '../media/image/decode-image.js';
import { detectType } from './detect-type.js';
import type { DetectedType } from './modality.js';

export interface CheckMediaOptions {
  /** The modalities accepted. */
  allowed: readonly Modality[];
  /** A name for messages (a file name, a URL). */
  name: string;
  /** The whole file (a path or its bytes) when the head alone is given: a picture's pixel count is read from it. */
  file?: string | Buffer;
  /** Largest accepted picture, pixels (default 100 MP). */
  maxPixels?: number;
}

/**
 * What a file is, by its content (never its extension or a client's content type), refused unless it is one of
 * the allowed modalities (MEDIA_UNSUPPORTED) and, for a picture, within the pixel limit (MEDIA_TOO_LARGE;
 * MEDIA_CORRUPT when its header cannot be read). `head` is the file's first bytes (64 KiB is enough).
 */
export async function checkMedia(head: Uint8Array, options: CheckMediaOptions): Promise<DetectedType> {
  const { name, allowed } = options;
  const type = await detectType(head);
  if (!type || !allowed.includes(type.modality)) {
    throw new RosettaError(
      ErrorCodes.MEDIA_UNSUPPORTED,
      `${name} is ${type ? `${type.modality} (${type.mime})` : 'not a supported media type'}; expected ${allowed.join(' or ')}`,
    );
  }
  const file = options.file;
  if (type.modality === 'image' && file !== undefined) {
    const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
    let pixels: number;
    try {
      const meta = await sharp(file, { limitInputPixels: false }).metadata();
      pixels = (meta.width ?? 0) * (meta.height ?? 0);
    } catch (cause) {
      throw new RosettaError(ErrorCodes.MEDIA_CORRUPT, `${name} could not be read as an image: ${(cause as Error).message}`, { cause });
    }
    if (pixels > maxPixels) {
      throw new RosettaError(ErrorCodes.MEDIA_TOO_LARGE, `${name} has ${pixels} pixels, above the ${maxPixels}-pixel limit`, {
        setting: 'maxPixels',
      });
    }
  }
  return type;
}
