import { RosettaError } from '../../errors/rosetta-error.js';
import { ErrorCodes } from '../../errors/codes.js';
import type { RgbImage } from '../../types.js';
import { decoderSays, describeDamage } from './damage.js';
import { loadSharp } from './load-sharp.js';

/** Refuse images above this many pixels (decompression bombs). 100 MP covers any camera. */
export const DEFAULT_MAX_PIXELS = 100_000_000;

/** Longest side after decoding: towers look at ~224 px, so large photos are shrunk on decode and memory stays bounded. */
export const DECODE_MAX_SIDE = 512;

/**
 * The one background transparent pixels are composited on, everywhere a picture becomes RGB (decoding, the
 * Transformers.js bridge, training): a fully transparent pixel's hidden colour must never reach a model.
 */
export const IMAGE_BACKGROUND = '#ffffff';

export interface DecodeImageOptions {
  /** Refuse images above this many pixels. Default DEFAULT_MAX_PIXELS. */
  maxPixels?: number;
  /** Longest side after decoding (never enlarged), or `original` to keep the full size. Default DECODE_MAX_SIDE. */
  maxSide?: number | 'original';
  /** A name for error messages. */
  name?: string;
}

export interface ImageInfo {
  width: number;
  height: number;
  format: string;
  hasAlpha: boolean;
}

/**
 * Decodes image bytes into RGB pixels: EXIF orientation applied, first frame of animations, transparent
 * pixels composited on IMAGE_BACKGROUND (white), shrunk to `maxSide`.
 */
export async function decodeImage(bytes: Uint8Array, options: DecodeImageOptions = {}): Promise<RgbImage & { original: ImageInfo }> {
  const name = options.name ?? '<buffer>';
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  const maxSide = options.maxSide ?? DECODE_MAX_SIDE;
  if (bytes.byteLength === 0) throw new RosettaError(ErrorCodes.MEDIA_EMPTY, `${name} is empty (0 bytes)`, { file: name });
  const sharp = await loadSharp();
  let meta: Awaited<ReturnType<ReturnType<typeof sharp>['metadata']>>;
  try {
    meta = await sharp(bytes, { limitInputPixels: false, pages: 1 }).metadata();
  } catch (cause) {
    throw corrupt(name, cause, bytes);
  }
  const width = meta.width ?? 0;
  const height = meta.pageHeight ?? meta.height ?? 0;
  checkPixels(name, width, height, maxPixels);
  try {
    let pipeline = sharp(bytes, { limitInputPixels: maxPixels, pages: 1, failOn: 'error' }).rotate();
    if (maxSide !== 'original') pipeline = pipeline.resize(maxSide, maxSide, { fit: 'inside', withoutEnlargement: true });
    // flatten composites on the background (and drops alpha); it is a no-op for opaque images.
    const { data, info } = await pipeline
      .toColourspace('srgb')
      .flatten({ background: IMAGE_BACKGROUND })
      .raw()
      .toBuffer({ resolveWithObject: true });
    return {
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      width: info.width,
      height: info.height,
      channels: 3,
      original: { width, height, format: meta.format ?? 'unknown', hasAlpha: Boolean(meta.hasAlpha) },
    };
  } catch (cause) {
    throw corrupt(name, cause, bytes);
  }
}

/** The pixel-limit check every image path shares (decode, uploads, thumbnails). */
export function checkPixels(name: string, width: number, height: number, maxPixels: number): void {
  if (width * height > maxPixels) {
    throw new RosettaError(
      ErrorCodes.MEDIA_TOO_LARGE,
      `${name} is ${width}×${height} = ${width * height} pixels, above the ${maxPixels}-pixel limit`,
      {
        file: name,
        setting: 'maxPixels',
        hint: 'raise the maxPixels option if the image is genuine (the limit guards against decompression bombs)',
      },
    );
  }
}

/** MEDIA_CORRUPT naming what is wrong: truncation when the bytes show it, else the decoder's own words. */
export function corrupt(name: string, cause: unknown, bytes?: Uint8Array): RosettaError {
  const said = decoderSays(cause instanceof Error ? cause.message : String(cause));
  const damage = bytes ? describeDamage(bytes) : undefined;
  return new RosettaError(
    ErrorCodes.MEDIA_CORRUPT,
    damage ? `${name} is not a readable image: ${damage} (${said})` : `${name} is not a readable image (${said})`,
    { file: name, cause, hint: 'the file is corrupt or truncated; re-export or re-download it' },
  );
}
