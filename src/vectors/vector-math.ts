/**
 * The vector arithmetic every part of Rosetta shares (search, eval, train, the demo): spaces return unit
 * vectors, so a dot product is the cosine and a mean is renormalised into a direction.
 */

/** Dot product of two equal-length vectors (the cosine, for unit vectors). */
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

/** A unit-length copy (a zero vector stays zero). */
export function l2normalize(v: ArrayLike<number>): Float32Array {
  const n = Math.sqrt(dot(v, v));
  const out = new Float32Array(v.length);
  if (n === 0) return out;
  for (let i = 0; i < v.length; i += 1) out[i] = v[i] / n;
  return out;
}

/** Splits a [n, d] row-major buffer into n unit vectors. */
export function rowsNormalized(data: Float32Array, n: number, d: number): Float32Array[] {
  const out: Float32Array[] = [];
  for (let i = 0; i < n; i += 1) out.push(l2normalize(data.subarray(i * d, (i + 1) * d)));
  return out;
}

/**
 * The direction of a weighted sum, normalise(Σ wᵢ·vᵢ): a composed query, a reference-steered ranking query,
 * a scene's keyframes, a prompt ensemble. With unit vᵢ, its cosine with x is a weighted mix of each vᵢ's.
 */
export function weightedMean(parts: readonly { w: number; v: ArrayLike<number> }[]): Float32Array {
  if (parts.length === 0) throw new RangeError('weightedMean needs at least one vector');
  const out = new Float32Array(parts[0].v.length);
  for (const { w, v } of parts) {
    if (v.length !== out.length) throw new RangeError(`vectors differ in length: ${out.length} vs ${v.length}`);
    for (let i = 0; i < v.length; i += 1) out[i] += w * v[i];
  }
  return l2normalize(out);
}

/** The normalised mean of vectors (equal weights). */
export function meanNormalised(vectors: readonly ArrayLike<number>[]): Float32Array {
  return weightedMean(vectors.map((v) => ({ w: 1, v })));
}
