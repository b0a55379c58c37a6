export {
  decodeImage,
  DEFAULT_MAX_PIXELS,
  DECODE_MAX_SIDE,
  IMAGE_BACKGROUND,
  type DecodeImageOptions,
  type ImageInfo,
} from './decode-image.js';
export { readImage, isRgbImage, type ReadImageOptions } from './read-image.js';
export { toRawImage, fromRawImage } from './raw-image.js';
export { makeThumbnail, type Thumbnail, type ThumbnailOptions } from './thumbnail.js';
export {
  preprocessImages,
  readImagePreprocessConfig,
  outputSize,
  kernelForResample,
  type ImagePreprocessConfig,
} from './preprocess-image.js';
