/**
 * Image decode + preprocess rate: Rosetta's sharp path (decode with EXIF rotate and shrink-on-load,
 * resize + centre crop + normalise) against Transformers.js' own path (RawImage.read + the model's
 * image processor), on the same synthetic photos, in the same run.
 * Run: npx tsx bench/image-decode.ts [--count 200] [--width 1600] [--height 1200]
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { AutoImageProcessor, RawImage } from '@huggingface/transformers';
import { decodeImage } from '../src/media/image/decode-image.js';
import { preprocessImages, readImagePreprocessConfig } from '../src/media/image/preprocess-image.js';
import { arg, miniClipDir, printTable } from './lib.js';

const count = Number(arg('count', '200'));
const width = Number(arg('width', '1600'));
const height = Number(arg('height', '1200'));
const dir = mkdtempSync(join(tmpdir(), 'rosetta-bench-img-'));
const paths: string[] = [];
for (let i = 0; i < count; i += 1) {
  // Smooth blobs (coarse noise scaled up) with fine grain: compresses like a photo (a few hundred kB), unlike pure noise.
  const coarse = await sharp({
    create: {
      width: Math.ceil(width / 16),
      height: Math.ceil(height / 16),
      channels: 3,
      background: 'black',
      noise: { type: 'gaussian', mean: 128, sigma: 60 },
    },
  })
    .png()
    .toBuffer();
  const smooth = await sharp(coarse).resize(width, height, { kernel: 'cubic' }).raw().toBuffer({ resolveWithObject: true });
  const grain = smooth.data.map((v, j) => Math.max(0, Math.min(255, v + ((j * 2654435761 + i) >>> 28) - 8)));
  const p = join(dir, `photo-${i}.jpg`);
  writeFileSync(
    p,
    await sharp(grain, { raw: smooth.info })
      .modulate({ hue: (i * 37) % 360 })
      .jpeg({ quality: 85 })
      .toBuffer(),
  );
  paths.push(p);
}
const modelDir = miniClipDir();
const processor = (await AutoImageProcessor.from_pretrained(modelDir)) as unknown as ((img: RawImage) => Promise<unknown>) & {
  config: Record<string, unknown>;
};
const cfg = readImagePreprocessConfig(processor.config);

async function rosettaPath(): Promise<number> {
  const t = performance.now();
  for (let i = 0; i < paths.length; i += 8) {
    const batch = await Promise.all(paths.slice(i, i + 8).map(async (p) => decodeImage(readFileSync(p), { maxSide: 512 })));
    await preprocessImages(batch, cfg);
  }
  return paths.length / ((performance.now() - t) / 1000);
}

async function transformersPath(): Promise<number> {
  const t = performance.now();
  for (let i = 0; i < paths.length; i += 8) {
    await Promise.all(paths.slice(i, i + 8).map(async (p) => processor(await RawImage.read(p))));
  }
  return paths.length / ((performance.now() - t) / 1000);
}

await rosettaPath();
await transformersPath();
const r = [await rosettaPath(), await rosettaPath()];
const tj = [await transformersPath(), await transformersPath()];
const avg = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
printTable(
  `Image decode + preprocess, ${count} JPEGs of ${width}×${height} → ${JSON.stringify(cfg.crop ?? cfg.size ?? cfg.shortestEdge)} (images/s)`,
  [
    { path: 'Rosetta (sharp: shrink-on-load, resize, crop, normalise)', 'images/s': avg(r) },
    { path: 'Transformers.js (RawImage.read + image processor)', 'images/s': avg(tj) },
    { path: 'speed-up', 'images/s': avg(r) / avg(tj) },
  ],
);
