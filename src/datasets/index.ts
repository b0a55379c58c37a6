export * from './types.js';
export { parseDelimited, sniffDelimiter } from './csv-parse.js';
export { readCocoJson } from './coco-json.js';
export { readCaptionTable, readCaptionJsonl } from './caption-table.js';
export { readCaptionFolder, readClassFolder, IMAGE_EXTENSIONS } from './folders.js';
export { loadCaptionDataset, loadClassDataset, detectEvalTask } from './load-dataset.js';
export { readPairs, type MediaTextPair, type PairsFile } from './pairs.js';
