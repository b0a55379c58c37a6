/** Dot product of two equal-length vectors (the cosine, for L2-normalised ones). */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`vectors differ in length: ${a.length} vs ${b.length}`);
  let s = 0;
  for (let i = 0; i < a.length; i += 1) s += a[i] * b[i];
  return s;
}

/** Cosine similarity; safe on vectors that are not normalised (0 for a zero vector). */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const na = Math.sqrt(dot(a, a));
  const nb = Math.sqrt(dot(b, b));
  return na === 0 || nb === 0 ? 0 : dot(a, b) / (na * nb);
}

/** `rows[r] · cols[c]` for all pairs: a rows×cols similarity matrix. */
export function similarityMatrix(rows: readonly Float32Array[], cols: readonly Float32Array[]): Float32Array[] {
  return rows.map((r) => {
    const out = new Float32Array(cols.length);
    for (let c = 0; c < cols.length; c += 1) out[c] = dot(r, cols[c]);
    return out;
  });
}

/** Mean of vectors, L2-normalised (a prompt-ensemble class embedding). */
export function meanNormalised(vectors: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(vectors[0].length);
  for (const v of vectors) for (let i = 0; i < v.length; i += 1) out[i] += v[i];
  const norm = Math.sqrt(dot(out, out));
  if (norm > 0) for (let i = 0; i < out.length; i += 1) out[i] /= norm;
  return out;
}
