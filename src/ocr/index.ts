export { TextReader, type OcrLine, type ReadTextOptions, type TextReaderInfo } from './text-reader.js';
export { ocr, sharedTextReader, type OcrOptions, type OcrResult } from './read-image-text.js';
export { ppOcrV4Files, type OcrModelFiles } from './ocr-models.js';
export type { Point, RotatedRect } from './geometry.js';
