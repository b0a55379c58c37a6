import { ort, type OnnxSession } from '../models/onnx-session.js';
import { toRecognitionBatch, type LineImage } from './crop-line.js';

/** The recogniser's input height, and the narrowest input width it is fed (PP-OCRv4: 3 × 48 × 320). */
export const REC_HEIGHT = 48;
const REC_MIN_WIDTH = 320;

export interface RecognizedLine {
  text: string;
  /** Mean probability of the characters read (0–1). */
  confidence: number;
}

/**
 * Reads upright line images with a CTC recogniser. Lines are batched by aspect ratio (as PaddleOCR does) so
 * padding stays small; the output classes are [blank, ...dictionary, space]. `betweenBatches` runs before each
 * batch after the first (a cancellation checkpoint).
 */
export async function recognizeLines(
  session: OnnxSession,
  lines: LineImage[],
  charset: string[],
  batchSize = 8,
  betweenBatches?: () => Promise<void>,
): Promise<RecognizedLine[]> {
  const results: RecognizedLine[] = new Array(lines.length);
  const order = lines.map((l, i) => [i, l.width / l.height] as const).sort((a, b) => a[1] - b[1]);
  for (let start = 0; start < order.length; start += batchSize) {
    if (start > 0) await betweenBatches?.();
    const group = order.slice(start, start + batchSize);
    const maxRatio = Math.max(REC_MIN_WIDTH / REC_HEIGHT, ...group.map(([, r]) => r));
    const width = Math.ceil(REC_HEIGHT * maxRatio);
    const batch = toRecognitionBatch(
      group.map(([i]) => lines[i]),
      REC_HEIGHT,
      width,
    );
    const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', batch, [group.length, 3, REC_HEIGHT, width]) };
    const out = (await session.run(feeds))[session.outputNames[0]];
    const [, steps, classes] = out.dims as number[];
    const probs = out.data as Float32Array;
    group.forEach(([index], b) => {
      results[index] = ctcGreedy(probs.subarray(b * steps * classes, (b + 1) * steps * classes), steps, classes, charset);
    });
  }
  return results;
}

/** Best path decoding: the likeliest class per step, repeats merged, blanks (class 0) dropped. */
export function ctcGreedy(probs: Float32Array, steps: number, classes: number, charset: string[]): RecognizedLine {
  let text = '';
  let sum = 0,
    n = 0,
    previous = -1;
  for (let t = 0; t < steps; t += 1) {
    let best = 0,
      bestP = -1;
    const row = t * classes;
    for (let c = 0; c < classes; c += 1)
      if (probs[row + c] > bestP) {
        bestP = probs[row + c];
        best = c;
      }
    if (best !== 0 && best !== previous) {
      text += charset[best - 1] ?? '';
      sum += bestP;
      n += 1;
    }
    previous = best;
  }
  return { text, confidence: n ? sum / n : 0 };
}
