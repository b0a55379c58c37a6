import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../../train/onnx/graph-builder.js';

/**
 * Streams the rows×cols cosine matrix in row blocks through one ONNX Runtime MatMul, so a COCO-5k evaluation
 * (25k captions × 5k images) neither holds a 500 MB matrix nor spends a minute in a scalar JS loop.
 * `visit` sees each row once, in order; the row buffer is reused, so copy what you keep.
 */
export async function forEachSimilarityRow(rows: readonly Float32Array[], cols: readonly Float32Array[],
  visit: (row: number, sims: Float32Array) => void, blockRows = 256): Promise<void> {
  if (rows.length === 0 || cols.length === 0) {
    for (let r = 0; r < rows.length; r += 1) visit(r, new Float32Array(0));
    return;
  }
  const dim = cols[0].length;
  const m = cols.length;
  const g = new GraphBuilder('similarity');
  const a = g.input('a', 'float32', ['rows', dim]);
  const b = g.input('b', 'float32', [dim, 'cols']);
  g.op1('MatMul', [a, b], {}, 'sims');
  g.output('sims', 'float32', ['rows', 'cols']);
  const session = await ort.InferenceSession.create(g.toBytes());
  try {
    const colsT = new Float32Array(dim * m);
    for (let c = 0; c < m; c += 1) {
      const v = cols[c];
      for (let d = 0; d < dim; d += 1) colsT[d * m + c] = v[d];
    }
    const bTensor = new ort.Tensor('float32', colsT, [dim, m]);
    for (let start = 0; start < rows.length; start += blockRows) {
      const n = Math.min(blockRows, rows.length - start);
      const block = new Float32Array(n * dim);
      for (let k = 0; k < n; k += 1) block.set(rows[start + k], k * dim);
      const out = await session.run({ a: new ort.Tensor('float32', block, [n, dim]), b: bTensor });
      const sims = out.sims.data as Float32Array;
      for (let k = 0; k < n; k += 1) visit(start + k, sims.subarray(k * m, (k + 1) * m));
    }
  } finally {
    await session.release();
  }
}
