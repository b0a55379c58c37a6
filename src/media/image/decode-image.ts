import sharp from 'sharp';
import { RosettaError } from '../../errors/rosetta-error.js';
import { ErrorCodes } from '../../errors/codes.js';
import type { RgbImage } from '../../types.js';

/** Refuse images above this many pixels (decompression bombs). 100 MP covers any camera. */
export const DEFAULT_MAX_PIXELS = 100_000_000;

export interface DecodeImageOptions {
  maxPixels?: number;
  /** Longest side after decoding; large photos are shrunk on decode (models look at ~224 px). */
  maxSide?: number;
  /** A name for error messages. */
  name?: string;
}

export interface ImageInfo { width: number; height: number; format: string }

/**
 * Decodes image bytes into RGB pixels with EXIF orientation applied; first frame of animations.
 * Alpha is dropped the way Transformers.js' RawImage.rgb() drops it, so the sharp path and the
 * library's own image path see the same pixels.
 */
export async function decodeImage(bytes: Uint8Array, options: DecodeImageOptions = {}): Promise<RgbImage & { original: ImageInfo }> {
  const name = options.name ?? '<buffer>';
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (bytes.byteLength === 0) throw new RosettaError(ErrorCodes.MEDIA_EMPTY, `${name} is empty (0 bytes)`, { file: name });
  let meta: Awaited<ReturnType<ReturnType<typeof sharp>['metadata']>>;
  try {
    meta = await sharp(bytes, { limitInputPixels: false, pages: 1 }).metadata();
  } catch (cause) {
    throw corrupt(name, cause);
  }
  const width = meta.width ?? 0;
  const height = meta.pageHeight ?? meta.height ?? 0;
  if (width * height > maxPixels) {
    throw new RosettaError(ErrorCodes.MEDIA_TOO_LARGE, `${name} is ${width}×${height} = ${width * height} pixels, above the ${maxPixels}-pixel limit`,
      { file: name, hint: 'raise the maxPixels option if the image is genuine (the limit guards against decompression bombs)' });
  }
  try {
    let pipeline = sharp(bytes, { limitInputPixels: maxPixels, pages: 1, failOn: 'error' }).rotate();
    if (options.maxSide) pipeline = pipeline.resize(options.maxSide, options.maxSide, { fit: 'inside', withoutEnlargement: true });
    const { data, info } = await pipeline.toColourspace('srgb').removeAlpha().raw().toBuffer({ resolveWithObject: true });
    return {
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      width: info.width,
      height: info.height,
      channels: 3,
      original: { width, height, format: meta.format ?? 'unknown' },
    };
  } catch (cause) {
    throw corrupt(name, cause);
  }
}

function corrupt(name: string, cause: unknown): RosettaError {
  const msg = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
  return new RosettaError(ErrorCodes.MEDIA_CORRUPT, `${name} is not a readable image (${msg})`, { file: name, cause, hint: 'the file is corrupt or truncated; re-export or re-download it' });
}
