import { createRequire } from 'node:module';
import type * as ArrowModule from 'apache-arrow';

/**
 * apache-arrow loaded through `require`, the same copy @lancedb/lancedb (CommonJS) loads. An ESM
 * `import` would give a second copy whose Table fails LanceDB's `instanceof` checks and is written
 * as zero rows, silently.
 */
export const arrow = createRequire(import.meta.url)('apache-arrow') as typeof ArrowModule;
export type { ArrowModule };

/** A FixedSizeList<Float32> column over one flat buffer of `count * dim` floats, without copying. */
export function vectorColumn(flat: Float32Array, dim: number): ArrowModule.Vector {
  const { makeData, makeVector, FixedSizeList, Field, Float32 } = arrow;
  const count = flat.length / dim;
  const child = makeData({ type: new Float32(), length: flat.length, nullCount: 0, data: flat });
  return makeVector(makeData({ type: new FixedSizeList(dim, new Field('item', new Float32(), true)), length: count, nullCount: 0, child }));
}
