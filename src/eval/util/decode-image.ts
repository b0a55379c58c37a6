import sharp from 'sharp';
import type { RgbImage } from '../../types.js';
import { RosettaError } from '../../errors/rosetta-error.js';
import { ErrorCodes } from '../../errors/codes.js';

/** Refuse decompression bombs: 100 megapixels is far above any evaluation image. */
const MAX_PIXELS = 100_000_000;

/**
 * Decodes an image file (or its bytes) to RGB pixels for a space's image tower: EXIF orientation applied,
 * transparency flattened onto white (emoji and logos are drawn on transparent backgrounds), 8-bit sRGB.
 * A local helper for evaluation; the media module may replace it.
 */
export async function loadRgbImage(input: string | Uint8Array, options: { maxSide?: number } = {}): Promise<RgbImage> {
  try {
    let pipeline = sharp(input, { limitInputPixels: MAX_PIXELS }).rotate();
    if (options.maxSide) pipeline = pipeline.resize(options.maxSide, options.maxSide, { fit: 'inside', withoutEnlargement: true });
    const { data, info } = await pipeline
      .flatten({ background: { r: 255, g: 255, b: 255 } })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, channels: 3 };
  } catch (cause) {
    const file = typeof input === 'string' ? input : undefined;
    throw new RosettaError(ErrorCodes.MEDIA_UNREADABLE, `Could not decode image ${file ?? '(bytes)'}: ${(cause as Error).message}`,
      { file, cause, hint: 'check that the file exists and is a PNG, JPEG, WebP, GIF, TIFF or AVIF image' });
  }
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
