import type { RgbImage } from '../types.js';
import type { RotatedRect } from './geometry.js';

/** An upright RGB crop of a text line, interleaved like sharp's raw output. */
export interface LineImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/**
 * Cuts a rotated rectangle out of an image as an upright picture of `outHeight` rows (width keeps the
 * rectangle's aspect ratio, at most `maxWidth`). Each output pixel averages a grid of bilinear samples
 * about as dense as the source pixels it covers, so shrinking large text does not alias. Samples outside
 * the image repeat its edge.
 */
export function cropRotated(image: RgbImage, rect: RotatedRect, outHeight: number, maxWidth = 4096): LineImage {
  const h = Math.max(1, rect.height),
    w = Math.max(1, rect.width);
  const outWidth = Math.max(1, Math.min(maxWidth, Math.round((w / h) * outHeight)));
  const scaleX = w / outWidth,
    scaleY = h / outHeight;
  const nx = Math.max(1, Math.ceil(scaleX)),
    ny = Math.max(1, Math.ceil(scaleY));
  const out = new Uint8Array(outWidth * outHeight * 3);
  const { ux, uy } = rect;
  const vx = -uy,
    vy = ux;
  const x0 = rect.cx - (ux * w) / 2 - (vx * h) / 2;
  const y0 = rect.cy - (uy * w) / 2 - (vy * h) / 2;
  const acc = [0, 0, 0];
  for (let oy = 0; oy < outHeight; oy += 1) {
    for (let ox = 0; ox < outWidth; ox += 1) {
      acc[0] = acc[1] = acc[2] = 0;
      for (let sy = 0; sy < ny; sy += 1) {
        const v = (oy + (sy + 0.5) / ny) * scaleY;
        for (let sx = 0; sx < nx; sx += 1) {
          const u = (ox + (sx + 0.5) / nx) * scaleX;
          sampleBilinear(image, x0 + u * ux + v * vx - 0.5, y0 + u * uy + v * vy - 0.5, acc);
        }
      }
      const o = (oy * outWidth + ox) * 3;
      const n = nx * ny;
      out[o] = Math.round(acc[0] / n);
      out[o + 1] = Math.round(acc[1] / n);
      out[o + 2] = Math.round(acc[2] / n);
    }
  }
  return { data: out, width: outWidth, height: outHeight };
}

function sampleBilinear(image: RgbImage, x: number, y: number, acc: number[]): void {
  const { width, height, data } = image;
  const cx = Math.min(Math.max(x, 0), width - 1),
    cy = Math.min(Math.max(y, 0), height - 1);
  const x0 = Math.floor(cx),
    y0 = Math.floor(cy);
  const x1 = Math.min(x0 + 1, width - 1),
    y1 = Math.min(y0 + 1, height - 1);
  const fx = cx - x0,
    fy = cy - y0;
  const i00 = (y0 * width + x0) * 3,
    i01 = (y0 * width + x1) * 3,
    i10 = (y1 * width + x0) * 3,
    i11 = (y1 * width + x1) * 3;
  for (let c = 0; c < 3; c += 1) {
    const top = data[i00 + c] + (data[i01 + c] - data[i00 + c]) * fx;
    const bottom = data[i10 + c] + (data[i11 + c] - data[i10 + c]) * fx;
    acc[c] += top + (bottom - top) * fy;
  }
}

/** The same picture turned half a turn (an upside-down line made upright). */
export function rotate180(line: LineImage): LineImage {
  const n = line.width * line.height;
  const out = new Uint8Array(line.data.length);
  for (let i = 0; i < n; i += 1) {
    const j = n - 1 - i;
    out[j * 3] = line.data[i * 3];
    out[j * 3 + 1] = line.data[i * 3 + 1];
    out[j * 3 + 2] = line.data[i * 3 + 2];
  }
  return { ...line, data: out };
}

/**
 * Packs lines into one NCHW float batch of `height` × `width`, each line resized (if wider) or left-aligned
 * and padded with zeros after normalising (x/255 − 0.5)/0.5, channels in BGR order as PaddleOCR was trained.
 */
export function toRecognitionBatch(lines: LineImage[], height: number, width: number): Float32Array {
  const plane = height * width;
  const out = new Float32Array(lines.length * 3 * plane);
  lines.forEach((line, b) => {
    const w = Math.min(line.width, width);
    const base = b * 3 * plane;
    for (let y = 0; y < height; y += 1) {
      const sy = Math.min(line.height - 1, Math.floor(((y + 0.5) * line.height) / height));
      for (let x = 0; x < w; x += 1) {
        const sx = line.width === w ? x : Math.min(line.width - 1, Math.floor(((x + 0.5) * line.width) / w));
        const s = (sy * line.width + sx) * 3;
        const o = y * width + x;
        out[base + o] = line.data[s + 2] / 127.5 - 1;
        out[base + plane + o] = line.data[s + 1] / 127.5 - 1;
        out[base + 2 * plane + o] = line.data[s] / 127.5 - 1;
      }
    }
  });
  return out;
}
