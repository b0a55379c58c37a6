import type { RgbImage } from '../../types.js';
import { loadSharp } from './load-sharp.js';

/** The parts of a Hugging Face `preprocessor_config.json` that image towers need. */
export interface ImagePreprocessConfig {
  /** CLIP-style: resize so the short side is this, then centre-crop to `crop`. */
  shortestEdge?: number;
  /** SigLIP-style: resize to exactly this size. */
  size?: { width: number; height: number };
  crop?: { width: number; height: number };
  rescaleFactor: number;
  normalize: boolean;
  mean: [number, number, number];
  std: [number, number, number];
  /** sharp's resampling kernel; default `cubic` (Pillow's bicubic, centre-aligned). See `kernelForResample`. */
  kernel?: 'nearest' | 'linear' | 'cubic' | 'lanczos3';
}

/**
 * The sharp kernel for a Hugging Face `resample` code (Pillow's: 0 nearest, 1 Lanczos, 2 bilinear, 3 bicubic). When
 * shrinking, sharp's `linear` and `cubic` reproduce Pillow's bilinear and bicubic within 0.02 grey levels on average
 * (test/models/parity-*.test.ts); when enlarging sharp uses its own interpolator whatever the kernel.
 */
export function kernelForResample(resample: unknown): NonNullable<ImagePreprocessConfig['kernel']> {
  return resample === 0 ? 'nearest' : resample === 1 ? 'lanczos3' : resample === 2 ? 'linear' : 'cubic';
}

/** A field of a parsed JSON object, or undefined when `v` is not an object. */
const field = (v: unknown, key: string): unknown => (v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined);

/** Reads a Hugging Face `preprocessor_config.json` (parsed) into the settings `preprocessImages` takes. */
export function readImagePreprocessConfig(config: object): ImagePreprocessConfig {
  const json = config as Record<string, unknown>;
  const size = json.size;
  const asBox = (v: unknown) =>
    typeof v === 'number'
      ? { width: v, height: v }
      : field(v, 'width')
        ? { width: field(v, 'width') as number, height: field(v, 'height') as number }
        : undefined;
  const shortestEdge =
    json.do_resize === false ? undefined : typeof size === 'number' ? size : (field(size, 'shortest_edge') as number | undefined);
  const three = (v: unknown, d: number): [number, number, number] =>
    Array.isArray(v) ? [v[0], v[1], v[2]] : typeof v === 'number' ? [v, v, v] : [d, d, d];
  return {
    shortestEdge: shortestEdge,
    size: shortestEdge ? undefined : asBox(size),
    crop: json.do_center_crop === false ? undefined : asBox(json.crop_size),
    rescaleFactor: json.do_rescale === false ? 1 : ((json.rescale_factor as number | undefined) ?? 1 / 255),
    normalize: json.do_normalize !== false,
    mean: three(json.image_mean, 0.5),
    std: three(json.image_std, 0.5),
  };
}

/** Output side lengths of the tensor this config produces. */
export function outputSize(cfg: ImagePreprocessConfig): { width: number; height: number } {
  if (cfg.crop) return cfg.crop;
  if (cfg.size) return cfg.size;
  const s = cfg.shortestEdge ?? 224;
  return { width: s, height: s };
}

/**
 * Resizes, centre-crops and normalises images into one NCHW float32 batch, with sharp (libvips) doing
 * the resampling. Mirrors the Hugging Face image processors: short side to `shortestEdge` (bicubic),
 * centre crop, rescale, normalise with mean/std.
 */
export async function preprocessImages(
  images: RgbImage[],
  cfg: ImagePreprocessConfig,
): Promise<{ data: Float32Array; dims: [number, number, number, number] }> {
  const { width: W, height: H } = outputSize(cfg);
  const out = new Float32Array(images.length * 3 * H * W);
  await Promise.all(
    images.map(async (img, n) => {
      const pixels = await resizeAndCrop(img, cfg, W, H);
      const plane = H * W;
      const base = n * 3 * plane;
      for (let i = 0; i < plane; i += 1) {
        for (let c = 0; c < 3; c += 1) {
          let v = pixels[i * 3 + c] * cfg.rescaleFactor;
          if (cfg.normalize) v = (v - cfg.mean[c]) / cfg.std[c];
          out[base + c * plane + i] = v;
        }
      }
    }),
  );
  return { data: out, dims: [images.length, 3, H, W] };
}

async function resizeAndCrop(img: RgbImage, cfg: ImagePreprocessConfig, W: number, H: number): Promise<Uint8Array> {
  const sharp = await loadSharp();
  let pipeline = sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } });
  if (cfg.shortestEdge) {
    const scale = cfg.shortestEdge / Math.min(img.width, img.height);
    const rw = Math.max(W, Math.round(img.width * scale));
    const rh = Math.max(H, Math.round(img.height * scale));
    pipeline = pipeline.resize(rw, rh, { kernel: cfg.kernel ?? 'cubic', fit: 'fill' });
    const buf = await pipeline.raw().toBuffer();
    const left = Math.floor((rw - W) / 2);
    const top = Math.floor((rh - H) / 2);
    return cropRaw(buf, rw, left, top, W, H);
  }
  pipeline = pipeline.resize(W, H, { kernel: cfg.kernel ?? 'cubic', fit: 'fill' });
  return pipeline.raw().toBuffer();
}

function cropRaw(buf: Buffer, srcW: number, left: number, top: number, W: number, H: number): Uint8Array {
  const out = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y += 1) {
    const from = ((top + y) * srcW + left) * 3;
    out.set(buf.subarray(from, from + W * 3), y * W * 3);
  }
  return out;
}
