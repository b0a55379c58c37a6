import { isRgbImage, readImage } from '../media/image/read-image.js';
import type { ModelRuntimeOptions } from '../models/runtime-options.js';
import type { MediaInput, RgbImage } from '../types.js';
import { checkpoint, TextReader, type OcrLine, type ReadTextOptions } from './text-reader.js';

export interface OcrOptions extends ReadTextOptions, ModelRuntimeOptions {
  /** Refuse images above this many pixels (default 100 MP). */
  maxPixels?: number;
  /** A reader already open (sessions are reused); else the shared one for these runtime options. */
  reader?: TextReader;
}

export interface OcrResult {
  /** All lines joined by newlines, in reading order. */
  text: string;
  lines: OcrLine[];
  /** The image's size in pixels (boxes are in these coordinates). */
  width: number;
  height: number;
  model: string;
}

/** Large pictures are read at this longest side (boxes are mapped back to the original's pixels). */
const OCR_MAX_SIDE = 4096;

const shared = new Map<string, Promise<TextReader>>();

/** One reader per runtime setting, opened on first use and kept (its three sessions cost ~1 s to open). */
export function sharedTextReader(options: ModelRuntimeOptions = {}): Promise<TextReader> {
  const key = JSON.stringify([options.device ?? 'cpu', options.threads ?? 0]);
  let reader = shared.get(key);
  if (!reader) {
    reader = TextReader.open(options);
    shared.set(key, reader);
    reader.catch(() => shared.delete(key));
  }
  return reader;
}

/**
 * The text in a picture (a path, bytes or URL, or decoded pixels): lines with their boxes and confidences.
 * @example const { lines } = await ocr('receipt.jpg'); // [{ text: 'TOTAL 12.50', box: [[x,y]…], confidence: 0.97 }]
 */
export async function ocr(input: MediaInput | RgbImage, options: OcrOptions = {}): Promise<OcrResult> {
  const reader = options.reader ?? (await sharedTextReader(options));
  await checkpoint(options.signal);
  let image: RgbImage;
  let width: number, height: number;
  if (isRgbImage(input)) {
    image = input;
    ({ width, height } = input);
  } else {
    const decoded = (await readImage(input, { maxPixels: options.maxPixels, maxSide: OCR_MAX_SIDE })) as RgbImage & {
      original: { width: number; height: number };
    };
    image = decoded;
    // EXIF-rotated sizes: the decoded image's aspect is the displayed one.
    const swap =
      decoded.width > decoded.height !== decoded.original.width > decoded.original.height &&
      decoded.original.width !== decoded.original.height;
    width = swap ? decoded.original.height : decoded.original.width;
    height = swap ? decoded.original.width : decoded.original.height;
  }
  await checkpoint(options.signal);
  const lines = scaleLines(await reader.read(image, options), width / image.width, height / image.height);
  return { text: lines.map((l) => l.text).join('\n'), lines, width, height, model: reader.info.model };
}

function scaleLines(lines: OcrLine[], sx: number, sy: number): OcrLine[] {
  if (Math.abs(sx - 1) < 1e-9 && Math.abs(sy - 1) < 1e-9) return lines;
  const r = (v: number) => Math.round(v * 10) / 10;
  return lines.map((l) => ({
    ...l,
    box: l.box.map(([x, y]) => [r(x * sx), r(y * sy)]) as OcrLine['box'],
    bounds: [Math.floor(l.bounds[0] * sx), Math.floor(l.bounds[1] * sy), Math.ceil(l.bounds[2] * sx), Math.ceil(l.bounds[3] * sy)],
  }));
}
