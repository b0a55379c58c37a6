/** Returns a unit-length copy (a zero vector stays zero). */
export function l2normalize(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i += 1) s += v[i] * v[i];
  const n = Math.sqrt(s);
  const out = new Float32Array(v.length);
  if (n === 0) return out;
  for (let i = 0; i < v.length; i += 1) out[i] = v[i] / n;
  return out;
}

export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i += 1) s += a[i] * b[i];
  return s;
}

/** Splits a [n, d] row-major buffer into n normalised vectors. */
export function rowsNormalized(data: Float32Array, n: number, d: number): Float32Array[] {
  const out: Float32Array[] = [];
  for (let i = 0; i < n; i += 1) out.push(l2normalize(data.subarray(i * d, (i + 1) * d)));
  return out;
}

/** Runs `fn` over `items` in consecutive batches of `size`, concatenating the results in order. */
export async function inBatches<T, R>(items: T[], size: number, fn: (batch: T[]) => Promise<R[]>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...await fn(items.slice(i, i + size)));
  return out;
}
