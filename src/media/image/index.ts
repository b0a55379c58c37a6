export { decodeImage, DEFAULT_MAX_PIXELS, type DecodeImageOptions, type ImageInfo } from './decode-image.js';
export { preprocessImages, readImagePreprocessConfig, outputSize, type ImagePreprocessConfig } from './preprocess-image.js';
