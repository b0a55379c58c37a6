import sharp from 'sharp';
import { COLOUR_RGB } from './tiny-clip.js';

/** A solid-colour image with a little deterministic noise (so files differ byte-wise), in any format. */
export async function colourImage(
  colour: keyof typeof COLOUR_RGB | [number, number, number],
  options: { width?: number; height?: number; format?: 'png' | 'jpeg' | 'webp' | 'gif' | 'avif' | 'tiff'; seed?: number } = {},
): Promise<Buffer> {
  const [r, g, b] = typeof colour === 'string' ? COLOUR_RGB[colour] : colour;
  const width = options.width ?? 48;
  const height = options.height ?? 40;
  const data = Buffer.alloc(width * height * 3);
  let s = ((options.seed ?? 1) * 2654435761) >>> 0;
  for (let i = 0; i < width * height; i += 1) {
    s = (s * 1664525 + 1013904223) >>> 0;
    const n = ((s >>> 24) % 9) - 4;
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

/**
 * A picture with transparency, as icon and emoji PNGs are: an opaque coloured square on a fully transparent
 * field whose pixels hide arbitrary colours (alpha 0 with random RGB), and a semi-transparent ring around the
 * square. `composited` is the same picture as a person sees it on white: an opaque PNG.
 */
export async function transparentPicture(
  options: { size?: number; colour?: [number, number, number]; seed?: number } = {},
): Promise<{ png: Buffer; composited: Buffer; rgba: Buffer; size: number }> {
  const size = options.size ?? 48;
  const [r, g, b] = options.colour ?? [200, 30, 30];
  const rgba = Buffer.alloc(size * size * 4);
  const rgb = Buffer.alloc(size * size * 3);
  let s = ((options.seed ?? 7) * 2654435761) >>> 0;
  const next = () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s >>> 24;
  };
  for (let y = 0; y < size; y += 1) {
    for (let x = 0; x < size; x += 1) {
      const i = y * size + x;
      const d = Math.max(Math.abs(x - size / 2 + 0.5), Math.abs(y - size / 2 + 0.5));
      const alpha = d < size / 4 ? 255 : d < size / 4 + 2 ? 128 : 0;
      const colour = alpha === 0 ? [next(), next(), next()] : [r, g, b];
      rgba.set([...colour, alpha], i * 4);
      for (let c = 0; c < 3; c += 1) rgb[i * 3 + c] = Math.round((colour[c] * alpha + 255 * (255 - alpha)) / 255);
    }
  }
  const png = await sharp(rgba, { raw: { width: size, height: size, channels: 4 } })
    .png()
    .toBuffer();
  const composited = await sharp(rgb, { raw: { width: size, height: size, channels: 3 } })
    .png()
    .toBuffer();
  return { png, composited, rgba, size };
}
