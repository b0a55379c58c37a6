import { RawImage } from '@huggingface/transformers';
import type { RgbImage } from '../../types.js';

/**
 * The bridge to Transformers.js' image type. Pictures enter its pipelines only as RGB already composited on
 * white by readImage, and images it returns with alpha are composited the same way here, so the library's own
 * path never sees a hidden colour that the sharp path would not (RawImage.rgb() would drop alpha and keep it).
 */
export function toRawImage(image: RgbImage): RawImage {
  const data = new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  return new RawImage(data, image.width, image.height, 3);
}

/** RgbImage from a Transformers.js image: grey expanded, alpha composited on white. */
export function fromRawImage(raw: RawImage): RgbImage {
  const { width, height, channels } = raw;
  if (channels === 3)
    return { data: new Uint8Array(raw.data.buffer, raw.data.byteOffset, raw.data.byteLength), width, height, channels: 3 };
  const out = new Uint8Array(width * height * 3);
  const src = raw.data;
  for (let i = 0; i < width * height; i += 1) {
    const alpha = channels === 4 ? src[i * 4 + 3] / 255 : channels === 2 ? src[i * 2 + 1] / 255 : 1;
    for (let c = 0; c < 3; c += 1) {
      const v = channels >= 3 ? src[i * channels + c] : src[i * channels];
      out[i * 3 + c] = Math.round(v * alpha + 255 * (1 - alpha));
    }
  }
  return { data: out, width, height, channels: 3 };
}
