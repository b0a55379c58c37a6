import sharp from 'sharp';
import { ort, type OnnxSession } from '../models/onnx-session.js';
import type { RgbImage } from '../types.js';
import { connectedRegions, convexHull, minAreaRect, regionOutline, unclipRect, type RotatedRect } from './geometry.js';

/** Settings of the DB text detector's pre- and post-processing (PaddleOCR's defaults for PP-OCRv4). */
export interface DetectOptions {
  /** The longer side is shrunk to at most this many pixels before detection. Default 960. */
  maxSide?: number;
  /** Probability above which a pixel counts as text. Default 0.3. */
  threshold?: number;
  /** Mean probability a region needs to be kept as a line. Default 0.6. */
  boxThreshold?: number;
  /** How far regions are grown back out (DB's unclip ratio). Default 2 (measured: at 1.5 the tighter crops lose the spaces between words). */
  unclipRatio?: number;
  /** At most this many regions per image. Default 1000. */
  maxCandidates?: number;
}

export interface DetectedRegion {
  /** In the input image's pixels. */
  rect: RotatedRect;
  /** Mean text probability over the region. */
  score: number;
}

const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

/**
 * Finds text lines with PP-OCRv4's DB detector: the image is resized to multiples of 32, the network
 * gives a text-probability map, and each connected region of it above `threshold` becomes a rotated
 * rectangle (minimum area around the region, then grown by the unclip distance), scaled back to the image.
 */
export async function detectText(session: OnnxSession, image: RgbImage, options: DetectOptions = {}): Promise<DetectedRegion[]> {
  const maxSide = options.maxSide ?? 960;
  const scale = Math.min(1, maxSide / Math.max(image.width, image.height));
  const rw = Math.max(32, Math.round((image.width * scale) / 32) * 32);
  const rh = Math.max(32, Math.round((image.height * scale) / 32) * 32);
  const resized =
    rw === image.width && rh === image.height
      ? image.data
      : await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
          .resize(rw, rh, { fit: 'fill' })
          .raw()
          .toBuffer();
  const plane = rw * rh;
  const input = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i += 1) {
    // BGR channel order, ImageNet statistics in that order (as PaddleOCR normalises cv2 images).
    for (let c = 0; c < 3; c += 1) input[c * plane + i] = (resized[i * 3 + (2 - c)] / 255 - MEAN[c]) / STD[c];
  }
  const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', input, [1, 3, rh, rw]) };
  const output = (await session.run(feeds))[session.outputNames[0]];
  const prob = output.data as Float32Array;
  const [mh, mw] = [output.dims[2], output.dims[3]];
  return regionsFromMap(prob, mw, mh, image.width / mw, image.height / mh, options);
}

/** DB post-processing of a probability map (width mw, height mh) into rectangles in image pixels (scale sx, sy). */
export function regionsFromMap(
  prob: Float32Array,
  mw: number,
  mh: number,
  sx: number,
  sy: number,
  options: DetectOptions = {},
): DetectedRegion[] {
  const threshold = options.threshold ?? 0.3;
  const boxThreshold = options.boxThreshold ?? 0.6;
  const unclipRatio = options.unclipRatio ?? 2;
  const mask = new Uint8Array(mw * mh);
  for (let i = 0; i < mask.length; i += 1) mask[i] = prob[i] > threshold ? 1 : 0;
  const found: DetectedRegion[] = [];
  for (const region of connectedRegions(mask, mw, mh, options.maxCandidates ?? 1000)) {
    const rect = minAreaRect(convexHull(regionOutline(region)));
    if (Math.min(rect.width, rect.height) < 3) continue;
    let sum = 0;
    for (const i of region.indices) sum += prob[i];
    const score = sum / region.pixels;
    if (score < boxThreshold) continue;
    const grown = unclipRect(rect, unclipRatio);
    if (Math.min(grown.width, grown.height) < 5) continue;
    found.push({ rect: scaleRect(grown, sx, sy), score });
  }
  return found;
}

/** A rectangle mapped from map pixels to image pixels (anisotropic scale keeps the corners on the same image points). */
function scaleRect(r: RotatedRect, sx: number, sy: number): RotatedRect {
  const wx = r.ux * r.width * sx,
    wy = r.uy * r.width * sy;
  const hx = -r.uy * r.height * sx,
    hy = r.ux * r.height * sy;
  const width = Math.hypot(wx, wy),
    height = Math.hypot(hx, hy);
  return { cx: r.cx * sx, cy: r.cy * sy, width, height, ux: wx / width, uy: wy / width };
}
