import type { MediaInput, RgbImage } from '../../types.js';
import { invalidArgument } from '../../util/validate.js';
import { readInput, type InputBytes } from '../read-input.js';
import { decodeImage, type DecodeImageOptions, type ImageInfo } from './decode-image.js';

export interface ReadImageOptions extends Omit<DecodeImageOptions, 'name'> {
  /** The parameter name used when the input is of the wrong type. Default `image`. */
  parameter?: string;
}

export function isRgbImage(value: unknown): value is RgbImage {
  const v = value as RgbImage;
  return (
    typeof value === 'object' &&
    value !== null &&
    v.data instanceof Uint8Array &&
    v.channels === 3 &&
    Number.isInteger(v.width) &&
    Number.isInteger(v.height) &&
    v.width > 0 &&
    v.height > 0 &&
    v.data.length === v.width * v.height * 3
  );
}

function isInputBytes(value: unknown): value is InputBytes {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as InputBytes).bytes instanceof Uint8Array &&
    typeof (value as InputBytes).name === 'string'
  );
}

/**
 * The one way a picture becomes pixels: a path, a Buffer, an http(s) URL or bytes already read are decoded with
 * sharp (EXIF orientation, first frame, transparency composited on white, shrunk to `maxSide`, pixel limit);
 * already-decoded RGB pixels are taken as they are. Every caller — indexing, queries, captioning, evaluation,
 * adapters, the server — comes through here, so every model sees the same pixels for the same file.
 * @example const img = await readImage('photo.png');            // ≤ 512 px, RGB
 */
export async function readImage(
  input: RgbImage | MediaInput | InputBytes,
  options: ReadImageOptions = {},
): Promise<RgbImage & { original?: ImageInfo }> {
  if (isRgbImage(input)) return input;
  if (!(typeof input === 'string' || input instanceof Uint8Array || input instanceof URL || isInputBytes(input))) {
    throw invalidArgument(
      options.parameter ?? 'image',
      'RgbImage ({ data, width, height, channels: 3 }), a path, a Buffer or a URL',
      input,
    );
  }
  const { bytes, name } = isInputBytes(input) ? input : await readInput(input);
  return decodeImage(bytes, { name, maxPixels: options.maxPixels, maxSide: options.maxSide });
}
