import sharp from 'sharp';
import { checkPixels, corrupt, DEFAULT_MAX_PIXELS } from './decode-image.js';

export interface ThumbnailOptions {
  /** Longest side, pixels. Default 320. */
  side?: number;
  /** Enlarge pictures smaller than `side` (reports with fixed-size tiles). Default false. */
  enlarge?: boolean;
  maxPixels?: number;
  /** A name for error messages. */
  name?: string;
}

export interface Thumbnail {
  bytes: Buffer;
  mime: 'image/webp' | 'image/jpeg';
}

/**
 * A small preview of a picture (a path or its bytes), EXIF-rotated. A picture with transparency stays
 * transparent (WebP with alpha), so an icon or emoji shows on whatever background the page has instead of on
 * black; an opaque one is a JPEG.
 */
export async function makeThumbnail(source: string | Buffer, options: ThumbnailOptions = {}): Promise<Thumbnail> {
  const side = options.side ?? 320;
  const name = options.name ?? (typeof source === 'string' ? source : '<buffer>');
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  try {
    const meta = await sharp(source, { limitInputPixels: false, pages: 1 }).metadata();
    checkPixels(name, meta.width ?? 0, meta.pageHeight ?? meta.height ?? 0, maxPixels);
    const pipeline = sharp(source, { limitInputPixels: maxPixels, pages: 1 })
      .rotate()
      .resize(side, side, { fit: 'inside', withoutEnlargement: !options.enlarge });
    return meta.hasAlpha
      ? { bytes: await pipeline.webp({ quality: 80, alphaQuality: 90 }).toBuffer(), mime: 'image/webp' }
      : { bytes: await pipeline.jpeg({ quality: 80 }).toBuffer(), mime: 'image/jpeg' };
  } catch (cause) {
    if ((cause as { code?: string }).code?.startsWith('ROSETTA_ERR_')) throw cause;
    throw corrupt(name, cause);
  }
}
