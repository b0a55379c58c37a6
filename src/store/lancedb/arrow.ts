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

/**
 * Rows to an Arrow table of exactly `schema`, column by column. Vector columns are copied once into
 * one flat buffer; LanceDB's row-wise makeArrowTable is ~10× slower on 512-d vectors.
 */
export function rowsToTable(rows: Record<string, unknown>[], schema: ArrowModule.Schema): ArrowModule.Table {
  const { makeData, vectorFromArray, RecordBatch, Struct, Table, FixedSizeList } = arrow;
  const children = schema.fields.map((field) => {
    if (field.type instanceof FixedSizeList) {
      const dim = field.type.listSize;
      const flat = new Float32Array(rows.length * dim);
      rows.forEach((r, i) => flat.set(r[field.name] as ArrayLike<number>, i * dim));
      return vectorColumn(flat, dim).data[0];
    }
    return vectorFromArray(rows.map((r) => r[field.name] ?? null), field.type).data[0];
  });
  const struct = makeData({ type: new Struct(schema.fields), length: rows.length, nullCount: 0, children });
  return new Table([new RecordBatch(schema, struct)]);
}
