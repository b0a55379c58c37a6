import { invalidArgument } from '../../util/validate.js';

/** A learned linear map per side on top of frozen embeddings; JSON-serialisable. */
export interface AdapterData {
  kind: 'rosetta-linear-adapter';
  dim: number;
  a: number[];
  b: number[];
  logitScale: number;
}

export interface Adapter {
  readonly data: AdapterData;
  /** Maps a frozen vector of side `a` (default; e.g. images) or `b` (e.g. captions) into the adapted space, L2-normalised. */
  apply(vec: Float32Array, side?: 'a' | 'b'): Float32Array;
}

/** Rebuilds an adapter from its JSON form. */
export function loadAdapter(data: AdapterData): Adapter {
  const d = data.dim;
  const a = Float32Array.from(data.a),
    b = Float32Array.from(data.b);
  return {
    data,
    apply(vec, side = 'a') {
      if (vec.length !== d) throw invalidArgument('vec', `a vector of length ${d}`, vec.length);
      const W = side === 'a' ? a : b;
      const out = new Float32Array(d);
      for (let i = 0; i < d; i++) {
        const v = vec[i];
        if (v === 0) continue;
        for (let j = 0; j < d; j++) out[j] += v * W[i * d + j];
      }
      const n = Math.hypot(...out) || 1;
      return out.map((v) => v / n);
    },
  };
}
