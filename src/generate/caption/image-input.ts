import { RawImage } from '@huggingface/transformers';
import { decodeImage } from '../../media/image/index.js';
import { readInput } from '../../media/read-input.js';
import type { MediaInput, RgbImage } from '../../types.js';
import { invalidArgument } from '../../util/validate.js';

export function isRgbImage(value: unknown): value is RgbImage {
  const v = value as RgbImage;
  return typeof value === 'object' && value !== null && v.data instanceof Uint8Array && v.channels === 3
    && Number.isInteger(v.width) && Number.isInteger(v.height) && v.width > 0 && v.height > 0
    && v.data.length === v.width * v.height * 3;
}

/** Decoded pixels as they are; a path, bytes or a URL decoded with sharp (EXIF orientation applied). */
export async function readImage(input: RgbImage | MediaInput, parameter = 'image'): Promise<RgbImage> {
  if (isRgbImage(input)) return input;
  if (!(typeof input === 'string' || input instanceof Uint8Array || input instanceof URL)) {
    throw invalidArgument(parameter, 'RgbImage ({ data, width, height, channels: 3 }), a path, a Buffer or a URL', input);
  }
  const { bytes, name } = await readInput(input);
  const { data, width, height, channels } = await decodeImage(bytes, { name });
  return { data, width, height, channels };
}

/** Transformers.js' image type over the same pixels (no copy). */
export function toRawImage(image: RgbImage): RawImage {
  const data = new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  return new RawImage(data, image.width, image.height, 3);
}

/** RgbImage from a Transformers.js image (drops alpha, expands grey). */
export function fromRawImage(raw: RawImage): RgbImage {
  const rgb = raw.channels === 3 ? raw : raw.rgb();
  return { data: new Uint8Array(rgb.data.buffer, rgb.data.byteOffset, rgb.data.byteLength), width: rgb.width, height: rgb.height, channels: 3 };
}
