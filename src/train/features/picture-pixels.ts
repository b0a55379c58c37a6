import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { decodeImage, preprocessImages, type ImagePreprocessConfig } from '../../media/image/index.js';
import { MINI } from '../model/mini-architecture.js';
import { IMAGE_MEAN, IMAGE_STD } from './image-input.js';

/** Side of the rendering an SVG is rasterised at before the model's own resize (the size of the emoji PNGs). */
export const RASTER_SIDE = 64;

/** The exported preprocessor (`clip/preprocessor_config.json`) as Rosetta reads it. */
export const MINI_PREPROCESS: ImagePreprocessConfig = {
  shortestEdge: MINI.imageSize,
  crop: { width: MINI.imageSize, height: MINI.imageSize },
  rescaleFactor: 1 / 255,
  normalize: true,
  mean: IMAGE_MEAN as [number, number, number],
  std: IMAGE_STD as [number, number, number],
};

/** An Iconify icon as a standalone SVG document rendered at `side` px (the icon's own view box, centred). */
export function iconSvg(body: string, box: { left: number; top: number; width: number; height: number }, side = RASTER_SIDE): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" ` +
    `width="${side}" height="${side}" viewBox="${box.left} ${box.top} ${box.width} ${box.height}">${body}</svg>`
  );
}

/** Rasterises an SVG document to PNG bytes (RGBA), as a user's exported picture would arrive. */
export async function rasterise(svg: string): Promise<Buffer> {
  return sharp(Buffer.from(svg), { density: 72 }).png().toBuffer();
}

/**
 * The model's input for a picture, computed by Rosetta's own search-time path — the image door (transparent
 * pixels composited on white) and the CLIP preprocessing — kept as 8-bit RGB HWC [S, S, 3]: the normalised
 * values are exactly (k/255 − 0.5)/0.5, so nothing is lost.
 */
export async function modelInputRgb(input: Buffer | string): Promise<Uint8Array> {
  const img = await decodeImage(typeof input === 'string' ? readFileSync(input) : input, {
    name: typeof input === 'string' ? input : undefined,
  });
  const { data } = await preprocessImages([img], MINI_PREPROCESS);
  const S = MINI.imageSize,
    plane = S * S;
  const out = new Uint8Array(plane * 3);
  for (let i = 0; i < plane; i++)
    for (let c = 0; c < 3; c++) out[i * 3 + c] = Math.round((data[c * plane + i] * IMAGE_STD[c] + IMAGE_MEAN[c]) * 255);
  return out;
}
