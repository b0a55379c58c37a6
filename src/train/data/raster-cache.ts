import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { MINI } from '../model/mini-architecture.js';
import { IMAGE_BACKGROUND } from '../../media/image/index.js';
import { iconSvg, modelInputRgb, rasterise, RASTER_SIDE } from '../features/picture-pixels.js';
import { PICTURE_SOURCES } from './picture-sources.js';
import { sourceVersion, type StylePicture } from './style-pictures.js';

/** Bump when the way pictures become pixels changes: old cache files are then ignored. */
const RASTER_VERSION = 1;

/** Where model-input pixels are cached (never in git): `ROSETTA_CACHE_DIR` or `~/.cache/rosetta`, then `mini-pixels/`. */
export function pixelCacheDir(): string {
  return join(process.env.ROSETTA_CACHE_DIR ?? join(homedir(), '.cache', 'rosetta'), 'mini-pixels');
}

const SIDE = MINI.imageSize;
const PER = SIDE * SIDE * 3;

/**
 * The model's 32×32 RGB input for every picture (HWC, 8-bit), in the order given: SVGs rasterised at 64 px,
 * then the same door and preprocessing Rosetta applies at search time (composited on white, bicubic to
 * 32 px). Cached per style in one file keyed by the package version, the names and the raster settings, so a
 * rebuild rasterises nothing twice and reads the same bytes.
 */
export async function loadModelPixels(pictures: StylePicture[], onProgress?: (done: number, total: number) => void): Promise<Uint8Array[]> {
  const out = new Array<Uint8Array>(pictures.length);
  const byStyle = new Map<string, number[]>();
  pictures.forEach((p, i) => {
    const l = byStyle.get(p.style) ?? [];
    l.push(i);
    byStyle.set(p.style, l);
  });
  let done = 0;
  for (const [style, idx] of byStyle) {
    const src = PICTURE_SOURCES.find((s) => s.style === style)!;
    const key = createHash('sha256')
      .update(
        JSON.stringify([RASTER_VERSION, style, sourceVersion(src), RASTER_SIDE, SIDE, IMAGE_BACKGROUND, idx.map((i) => pictures[i].name)]),
      )
      .digest('hex')
      .slice(0, 16);
    const file = join(pixelCacheDir(), `${style}-${key}.bin`);
    let bytes: Uint8Array;
    if (existsSync(file) && readFileSync(file).length === idx.length * PER) {
      bytes = readFileSync(file);
    } else {
      bytes = new Uint8Array(idx.length * PER);
      // Two pictures at a time: the machine has two cores and sharp runs each on the libuv pool.
      for (let s = 0; s < idx.length; s += 2) {
        const pair = idx.slice(s, s + 2);
        const px = await Promise.all(pair.map((i) => pictureInput(pictures[i])));
        px.forEach((p, j) => bytes.set(p, (s + j) * PER));
        if ((s / 2) % 100 === 0) onProgress?.(done + s, pictures.length);
      }
      mkdirSync(pixelCacheDir(), { recursive: true });
      writeFileSync(`${file}.${process.pid}.tmp`, bytes);
      renameSync(`${file}.${process.pid}.tmp`, file);
    }
    idx.forEach((i, j) => {
      out[i] = bytes.subarray(j * PER, (j + 1) * PER);
    });
    done += idx.length;
    onProgress?.(done, pictures.length);
  }
  return out;
}

async function pictureInput(p: StylePicture): Promise<Uint8Array> {
  if (p.png) return modelInputRgb(p.png);
  const box = p.svg!;
  return modelInputRgb(await rasterise(iconSvg(box.body, box)));
}
