import sharp from 'sharp';
import { COLOUR_RGB } from './tiny-clip.js';

/** A solid-colour image with a little deterministic noise (so files differ byte-wise), in any format. */
export async function colourImage(colour: keyof typeof COLOUR_RGB | [number, number, number], options: { width?: number; height?: number; format?: 'png' | 'jpeg' | 'webp' | 'gif' | 'avif' | 'tiff'; seed?: number } = {}): Promise<Buffer> {
  const [r, g, b] = typeof colour === 'string' ? COLOUR_RGB[colour] : colour;
  const width = options.width ?? 48;
  const height = options.height ?? 40;
  const data = Buffer.alloc(width * height * 3);
  let s = (options.seed ?? 1) * 2654435761 >>> 0;
  for (let i = 0; i < width * height; i += 1) {
    s = (s * 1664525 + 1013904223) >>> 0;
    const n = (s >>> 24) % 9 - 4;
    data[i * 3] = clamp(r + n);
    data[i * 3 + 1] = clamp(g + n);
    data[i * 3 + 2] = clamp(b + n);
  }
  const img = sharp(data, { raw: { width, height, channels: 3 } });
  return img.toFormat(options.format ?? 'png').toBuffer();
}

/** Mixes two colours: `t` of the first, 1 − t of the second. */
export function mix(a: keyof typeof COLOUR_RGB, b: keyof typeof COLOUR_RGB, t: number): [number, number, number] {
  const x = COLOUR_RGB[a];
  const y = COLOUR_RGB[b];
  return [0, 1, 2].map((i) => Math.round(t * x[i] + (1 - t) * y[i])) as [number, number, number];
}

const clamp = (v: number) => Math.max(0, Math.min(255, v));
