import { ort, type OnnxSession } from '../models/onnx-session.js';
import { toRecognitionBatch, type LineImage } from './crop-line.js';

const CLS_HEIGHT = 48;
const CLS_WIDTH = 192;

/**
 * For each upright-cropped line, the probability that it is upside down (PaddleOCR's 0°/180° direction
 * classifier, input 3 × 48 × 192).
 */
export async function upsideDownProbabilities(session: OnnxSession, lines: LineImage[], batchSize = 16): Promise<number[]> {
  const out: number[] = [];
  for (let start = 0; start < lines.length; start += batchSize) {
    const group = lines.slice(start, start + batchSize);
    const batch = toRecognitionBatch(group, CLS_HEIGHT, CLS_WIDTH);
    const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', batch, [group.length, 3, CLS_HEIGHT, CLS_WIDTH]) };
    const probs = (await session.run(feeds))[session.outputNames[0]].data as Float32Array;
    for (let b = 0; b < group.length; b += 1) out.push(probs[b * 2 + 1]);
  }
  return out;
}
