import sharp from 'sharp';
import { renderText } from '../../test/helpers/text-images.js';

/** Fonts from Debian's fonts-dejavu-core, fonts-liberation2 and fonts-freefont-ttf (scripts/install-bench-deps.sh). */
export const FONTS = ['DejaVu Sans', 'DejaVu Serif', 'DejaVu Sans Mono', 'Liberation Sans', 'Liberation Serif', 'FreeSans', 'FreeSerif'];
export const SIZES = [18, 24, 32, 44];

export type Degradation = 'none' | 'jpeg' | 'blur' | 'noise';

/** A seeded generator (mulberry32), so every run renders the same pictures. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface RenderSpec {
  lines: string[];
  font: string;
  size: number;
  rotate: number;
  inverted: boolean;
  degradation: Degradation;
}

/** Renders a spec to file bytes (PNG, or JPEG at quality 20 for the `jpeg` degradation). */
export async function renderSpec(spec: RenderSpec, random: () => number): Promise<{ bytes: Buffer; ext: 'png' | 'jpg' }> {
  const width = Math.max(200, Math.ceil(Math.max(...spec.lines.map((l) => l.length)) * spec.size * 0.62) + 2 * spec.size);
  // Room for the line ends that a rotation about the centre lifts or lowers.
  const height = Math.ceil((spec.lines.length + 1) * spec.size * 1.5 + width * Math.sin((Math.abs(spec.rotate) * Math.PI) / 180));
  const png = await renderText(spec.lines, {
    font: spec.font,
    size: spec.size,
    rotate: spec.rotate,
    inverted: spec.inverted,
    width,
    height,
  });
  if (spec.degradation === 'jpeg') return { bytes: await sharp(png).jpeg({ quality: 20 }).toBuffer(), ext: 'jpg' };
  if (spec.degradation === 'blur')
    return {
      bytes: await sharp(png)
        .blur(1.0 + random() * 0.6)
        .png()
        .toBuffer(),
      ext: 'png',
    };
  if (spec.degradation === 'noise') {
    const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const sigma = 25;
    for (let i = 0; i < data.length; i += 3) {
      // One Gaussian sample per pixel (Box–Muller), added to all channels: sensor-like luminance noise.
      const n = Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random()) * sigma;
      for (let c = 0; c < 3; c += 1) data[i + c] = Math.max(0, Math.min(255, Math.round(data[i + c] + n)));
    }
    return {
      bytes: await sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } })
        .png()
        .toBuffer(),
      ext: 'png',
    };
  }
  return { bytes: png, ext: 'png' };
}

/** A made-up app window: a title bar, a heading, the given phrase, a filler line. */
export async function renderScreenshot(phrase: string, filler: string, random: () => number): Promise<Buffer> {
  const width = 640,
    height = 360;
  const accent = ['#2d6cdf', '#1f8a5b', '#a33d8f', '#c0632b'][Math.floor(random() * 4)];
  const font = FONTS[Math.floor(random() * FONTS.length)];
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
    `<rect width="100%" height="100%" fill="#f7f7f5"/><rect width="100%" height="36" fill="${accent}"/>` +
    `<text x="16" y="25" font-family="${font}" font-size="18" fill="#fff">Notes</text>` +
    `<rect x="16" y="60" width="608" height="2" fill="#ddd"/>` +
    `<text x="24" y="130" font-family="${font}" font-size="28" fill="#222">${esc(phrase)}</text>` +
    `<text x="24" y="200" font-family="${font}" font-size="20" fill="#555">${esc(filler)}</text>` +
    `<rect x="24" y="280" width="120" height="36" rx="6" fill="${accent}"/></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/** A distractor without text: a few coloured shapes. */
export async function renderShapes(random: () => number): Promise<Buffer> {
  const colour = () => `hsl(${Math.floor(random() * 360)},${40 + Math.floor(random() * 50)}%,${30 + Math.floor(random() * 40)}%)`;
  const shapes = Array.from({ length: 4 }, () =>
    random() < 0.5
      ? `<circle cx="${Math.floor(random() * 320)}" cy="${Math.floor(random() * 240)}" r="${20 + Math.floor(random() * 60)}" fill="${colour()}"/>`
      : `<rect x="${Math.floor(random() * 280)}" y="${Math.floor(random() * 200)}" ` +
        `width="${30 + Math.floor(random() * 120)}" height="${30 + Math.floor(random() * 90)}" fill="${colour()}"/>`,
  ).join('');
  return sharp(
    Buffer.from(
      `<svg xmlns="http://www.w3.org/2000/svg" width="320" height="240"><rect width="100%" height="100%" fill="${colour()}"/>${shapes}</svg>`,
    ),
  )
    .png()
    .toBuffer();
}
