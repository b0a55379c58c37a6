import sharp from 'sharp';
import { MINI } from '../model/mini-architecture.js';

/** CLIP-style normalisation used by the exported preprocessor: x/255, then (x − 0.5)/0.5. */
export const IMAGE_MEAN = [0.5, 0.5, 0.5];
export const IMAGE_STD = [0.5, 0.5, 0.5];

/** Decoded RGBA picture, values 0–1, row-major HWC. */
export interface Rgba {
  data: Float32Array;
  width: number;
  height: number;
}

export async function readRgba(path: string): Promise<Rgba> {
  const { data, info } = await sharp(path).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i] / 255;
  return { data: out, width: info.width, height: info.height };
}

export interface Augment {
  /** Crop box as fractions of the source: x0, y0, size (may exceed 1 to zoom out). */
  box: [number, number, number];
  background: [number, number, number];
  brightness: number;
  contrast: number;
  saturation: number;
}

/** Random crop/scale, background colour and colour jitter. */
export function randomAugment(rand: () => number): Augment {
  const size = 0.72 + rand() * 0.43;
  const x0 = (1 - size) * rand();
  const y0 = (1 - size) * rand();
  const r = rand();
  const background: [number, number, number] = r < 0.4 ? [1, 1, 1] : r < 0.7 ? [0, 0, 0] : [rand(), rand(), rand()];
  return {
    box: [x0, y0, size],
    background,
    brightness: (rand() - 0.5) * 0.3,
    contrast: 0.8 + rand() * 0.4,
    saturation: 0.7 + rand() * 0.6,
  };
}

/** The evaluation view: whole picture on white. */
export const PLAIN: Augment = { box: [0, 0, 1], background: [1, 1, 1], brightness: 0, contrast: 1, saturation: 1 };

/**
 * Renders the picture at MINI.imageSize with bilinear sampling (area-averaged when shrinking by 2),
 * composited over the background, jittered, then normalised as CLIPImageProcessor would: CHW float32.
 */
export function renderPixels(img: Rgba, aug: Augment = PLAIN, size: number = MINI.imageSize): Float32Array {
  const out = new Float32Array(3 * size * size);
  const [x0, y0, s] = aug.box;
  const sample = (fx: number, fy: number, c: number): number => {
    // Coordinates in source pixels; outside the picture is background.
    const x = fx * img.width - 0.5,
      y = fy * img.height - 0.5;
    const xi = Math.floor(x),
      yi = Math.floor(y);
    const ax = x - xi,
      ay = y - yi;
    let v = 0;
    for (const [dx, dy, w] of [
      [0, 0, (1 - ax) * (1 - ay)],
      [1, 0, ax * (1 - ay)],
      [0, 1, (1 - ax) * ay],
      [1, 1, ax * ay],
    ] as const) {
      const px = xi + dx,
        py = yi + dy;
      if (w === 0) continue;
      let p = aug.background[c];
      if (px >= 0 && py >= 0 && px < img.width && py < img.height) {
        const o = (py * img.width + px) * 4;
        const alpha = img.data[o + 3];
        p = img.data[o + c] * alpha + aug.background[c] * (1 - alpha);
      }
      v += w * p;
    }
    return v;
  };
  const rgb = [0, 0, 0];
  for (let yy = 0; yy < size; yy++) {
    for (let xx = 0; xx < size; xx++) {
      // Average 2×2 sub-samples per output pixel: an area filter when shrinking 64 → 32.
      rgb[0] = rgb[1] = rgb[2] = 0;
      for (const oy of [0.25, 0.75])
        for (const ox of [0.25, 0.75]) {
          const fx = x0 + ((xx + ox) / size) * s,
            fy = y0 + ((yy + oy) / size) * s;
          for (let c = 0; c < 3; c++) rgb[c] += sample(fx, fy, c) / 4;
        }
      const grey = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2];
      for (let c = 0; c < 3; c++) {
        let v = grey + (rgb[c] - grey) * aug.saturation;
        v = (v - 0.5) * aug.contrast + 0.5 + aug.brightness;
        v = Math.min(1, Math.max(0, v));
        out[c * size * size + yy * size + xx] = (v - IMAGE_MEAN[c]) / IMAGE_STD[c];
      }
    }
  }
  return out;
}

/** Random p×p patches (flattened CHW per patch) from rendered pictures. */
export function samplePatches(
  pixels: Float32Array[],
  patch: number,
  count: number,
  rand: () => number,
  size: number = MINI.imageSize,
): Float32Array {
  const d = 3 * patch * patch;
  const out = new Float32Array(count * d);
  for (let i = 0; i < count; i++) {
    const px = pixels[Math.floor(rand() * pixels.length)];
    const x = Math.floor(rand() * (size - patch + 1)),
      y = Math.floor(rand() * (size - patch + 1));
    let k = 0;
    for (let c = 0; c < 3; c++)
      for (let dy = 0; dy < patch; dy++)
        for (let dx = 0; dx < patch; dx++) out[i * d + k++] = px[c * size * size + (y + dy) * size + x + dx];
  }
  return out;
}
