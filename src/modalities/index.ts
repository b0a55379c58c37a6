export type { DecodedImage, DetectedType, FileToDecode, ModalityModule, SniffedType } from './modality.js';
export {
  BUILTIN_MODALITIES,
  MODALITIES,
  detectionOrder,
  findModality,
  modalities,
  modalityNames,
  modalityOf,
  queryModalities,
  registerModality,
  segmentKinds,
  supportedFormats,
} from './registry.js';
export { detectType } from './detect-type.js';
export { text } from './text.js';
export { image } from './image.js';
export { audio } from './audio.js';
export { video } from './video.js';
