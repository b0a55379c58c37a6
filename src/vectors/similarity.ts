import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../onnx/graph-builder.js';
import { dot } from './vector-math.js';

/** `rows[r] · cols[c]` for all pairs: a rows×cols similarity matrix (small inputs; see forEachSimilarityRow for large ones). */
export function similarityMatrix(rows: readonly Float32Array[], cols: readonly Float32Array[]): Float32Array[] {
  return rows.map((r) => {
    const out = new Float32Array(cols.length);
    for (let c = 0; c < cols.length; c += 1) out[c] = dot(r, cols[c]);
    return out;
  });
}

/** The same matrix over row-major [n, d] buffers, as one row-major [na, nb] buffer (the trainer's layout). */
export function similarityFlat(a: Float32Array, b: Float32Array, d: number): Float32Array {
  const na = a.length / d,
    nb = b.length / d;
  const out = new Float32Array(na * nb);
  for (let i = 0; i < na; i += 1) {
    for (let j = 0; j < nb; j += 1) {
      let s = 0;
      for (let k = 0; k < d; k += 1) s += a[i * d + k] * b[j * d + k];
      out[i * nb + j] = s;
    }
  }
  return out;
}

/**
 * Streams the rows×cols cosine matrix in row blocks through one ONNX Runtime MatMul, so a COCO-5k evaluation
 * (25k captions × 5k images) neither holds a 500 MB matrix nor spends a minute in a scalar JS loop.
 * `visit` sees each row once, in order; the row buffer is reused, so copy what you keep.
 */
export async function forEachSimilarityRow(
  rows: readonly Float32Array[],
  cols: readonly Float32Array[],
  visit: (row: number, sims: Float32Array) => void,
  blockRows = 256,
): Promise<void> {
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
