/** Shared by the vector benchmarks: a seeded generator, so every run and every engine sees the same vectors. */

/** LCG with uniform and Gaussian draws (Box–Muller). */
export function benchRandom(seed: number): { uniform: () => number; gauss: () => number } {
  let s = seed >>> 0;
  const uniform = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 4294967296;
  };
  return { uniform, gauss: () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform()) };
}

/** Scales v to unit length in place (a view into a larger buffer stays a view) and returns it. */
export function normaliseInPlace(v: Float32Array): Float32Array {
  let t = 0;
  for (let i = 0; i < v.length; i++) t += v[i] * v[i];
  t = 1 / Math.sqrt(t);
  for (let i = 0; i < v.length; i++) v[i] *= t;
  return v;
}
