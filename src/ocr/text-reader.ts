import { openOnnxSession, type OnnxSession } from '../models/onnx-session.js';
import { resolveRuntime, type ModelRuntimeOptions } from '../models/runtime-options.js';
import type { RgbImage } from '../types.js';
import { cropRotated, rotate180, type LineImage } from './crop-line.js';
import { upsideDownProbabilities } from './classify-angle.js';
import { detectText, type DetectOptions } from './detect-text.js';
import { rectCorners, type Point, type RotatedRect } from './geometry.js';
import { OCR_INSTALL_HINT, ppOcrV4Files, readCharset, type OcrModelFiles } from './ocr-models.js';
import { recognizeLines, REC_HEIGHT } from './recognize-text.js';
import { RosettaError } from '../errors/rosetta-error.js';
import { ErrorCodes } from '../errors/codes.js';

/** One line of text found in a picture. */
export interface OcrLine {
  text: string;
  /** Mean character probability of the recogniser (0–1). */
  confidence: number;
  /** Corners in image pixels, clockwise from the top-left of the text as it reads. */
  box: [Point, Point, Point, Point];
  /** Axis-aligned bounds of the box in image pixels: [x, y, width, height]. */
  bounds: [number, number, number, number];
  /** Tilt of the line in degrees (positive: clockwise); 180 is added when the line was read upside down. */
  angle: number;
}

export interface ReadTextOptions extends DetectOptions {
  /** Lines the recogniser is less sure of than this are dropped. Default 0.5 (PaddleOCR's drop score). */
  minConfidence?: number;
  /** Turn lines the direction classifier finds upside down (above 0.9). Default true. */
  angleClassifier?: boolean;
  /** Stops the reading between stages (detection, each batch of lines) with ROSETTA_ERR_ABORTED when it fires. */
  signal?: AbortSignal;
}

/** Rejects with ABORTED when the signal has fired; else lets the event loop run what waits before the next stage. */
export async function checkpoint(signal: AbortSignal | undefined): Promise<void> {
  if (!signal?.aborted) await new Promise<void>((resolve) => setImmediate(resolve));
  if (signal?.aborted) {
    const reason = signal.reason instanceof Error ? `: ${signal.reason.message}` : '';
    throw new RosettaError(ErrorCodes.ABORTED, `Reading the text in a picture was cancelled${reason}`, { cause: signal.reason });
  }
}

/** What a TextReader was built from (for `rosetta ocr --json` and the README's model table). */
export interface TextReaderInfo {
  model: string;
  licence: string;
  characters: number;
}

/**
 * Reads the text in pictures with real PaddleOCR weights: DB detection, the 0°/180° classifier, CTC
 * recognition. Sessions are opened once and reused; `dispose` frees them.
 * @example
 * const reader = await TextReader.open();
 * const lines = await reader.read(await decodeImage(bytes, { maxSide: 4096 }));
 */
export class TextReader {
  private constructor(
    private readonly detector: OnnxSession,
    private readonly recognizer: OnnxSession,
    private readonly classifier: OnnxSession,
    private readonly charset: string[],
    readonly info: TextReaderInfo,
  ) {}

  static async open(options: ModelRuntimeOptions & { files?: OcrModelFiles } = {}): Promise<TextReader> {
    const runtime = resolveRuntime(options);
    const files = options.files ?? ppOcrV4Files();
    const charset = readCharset(files.dictionary);
    const [detector, recognizer, classifier] = await Promise.all([
      openOnnxSession(files.detection, runtime, `${files.id} text detection`, OCR_INSTALL_HINT),
      openOnnxSession(files.recognition, runtime, `${files.id} text recognition`, OCR_INSTALL_HINT),
      openOnnxSession(files.angle, runtime, `${files.id} direction classifier`, OCR_INSTALL_HINT),
    ]);
    return new TextReader(detector, recognizer, classifier, charset, {
      model: files.id,
      licence: files.licence,
      characters: charset.length,
    });
  }

  /** Lines of text in reading order (top to bottom, then left to right within a row). */
  async read(image: RgbImage, options: ReadTextOptions = {}): Promise<OcrLine[]> {
    await checkpoint(options.signal);
    const regions = await detectText(this.detector, image, options);
    await checkpoint(options.signal);
    if (regions.length === 0) return [];
    const rects = regions.map((r) => upright(r.rect));
    // Each crop averages every source pixel its line covers (tens of ms for a line of a large picture): the event
    // loop gets a turn between lines, and a cancelled read stops there.
    let crops: LineImage[] = [];
    for (const r of rects) {
      crops.push(cropRotated(image, r, REC_HEIGHT));
      await checkpoint(options.signal);
    }
    const flipped = new Array<boolean>(crops.length).fill(false);
    if (options.angleClassifier !== false) {
      const p = await upsideDownProbabilities(this.classifier, crops);
      crops = crops.map((c, i) => (p[i] > 0.9 ? ((flipped[i] = true), rotate180(c)) : c));
      await checkpoint(options.signal);
    }
    const read = await recognizeLines(this.recognizer, crops, this.charset, 8, () => checkpoint(options.signal));
    const minConfidence = options.minConfidence ?? 0.5;
    const lines: OcrLine[] = [];
    read.forEach((r, i) => {
      const text = r.text.trim();
      if (!text || r.confidence < minConfidence) return;
      const rect = flipped[i] ? turn(rects[i]) : rects[i];
      lines.push({
        text,
        confidence: r.confidence,
        box: roundBox(rectCorners(rect)),
        bounds: bounds(rectCorners(rect)),
        angle: angleOf(rect),
      });
    });
    return readingOrder(lines);
  }

  async dispose(): Promise<void> {
    await Promise.all([this.detector.release(), this.recognizer.release(), this.classifier.release()]);
  }
}

/** Tall narrow regions are vertical lines: read them turned a quarter, as PaddleOCR does (height ≥ 1.5 × width). */
function upright(r: RotatedRect): RotatedRect {
  if (r.height < 1.5 * r.width) return r;
  return { ...r, width: r.height, height: r.width, ux: -r.uy, uy: r.ux };
}

/** The same rectangle read from the other end. */
function turn(r: RotatedRect): RotatedRect {
  return { ...r, ux: -r.ux, uy: -r.uy };
}

function angleOf(r: RotatedRect): number {
  return Math.round(((Math.atan2(r.uy, r.ux) * 180) / Math.PI) * 10) / 10;
}

function roundBox(points: Point[]): [Point, Point, Point, Point] {
  return points.map(([x, y]) => [Math.round(x * 10) / 10, Math.round(y * 10) / 10]) as [Point, Point, Point, Point];
}

function bounds(points: Point[]): [number, number, number, number] {
  const xs = points.map((p) => p[0]),
    ys = points.map((p) => p[1]);
  const x0 = Math.max(0, Math.floor(Math.min(...xs))),
    y0 = Math.max(0, Math.floor(Math.min(...ys)));
  return [x0, y0, Math.ceil(Math.max(...xs)) - x0, Math.ceil(Math.max(...ys)) - y0];
}

/** Top to bottom; lines whose vertical centres are within half a line height count as one row, read left to right. */
function readingOrder(lines: OcrLine[]): OcrLine[] {
  const centre = (l: OcrLine) => [l.bounds[0] + l.bounds[2] / 2, l.bounds[1] + l.bounds[3] / 2];
  const sorted = [...lines].sort((a, b) => centre(a)[1] - centre(b)[1]);
  const rows: OcrLine[][] = [];
  for (const line of sorted) {
    const row = rows[rows.length - 1];
    if (row && Math.abs(centre(row[0])[1] - centre(line)[1]) < Math.min(row[0].bounds[3], line.bounds[3]) / 2) row.push(line);
    else rows.push([line]);
  }
  return rows.flatMap((row) => row.sort((a, b) => a.bounds[0] - b.bounds[0]));
}
