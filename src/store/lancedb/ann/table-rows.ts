import type * as lancedb from '@lancedb/lancedb';
import type { ArrowModule } from '../arrow.js';
import { KEY_COLUMN } from './row-keys.js';

/** Reading the rows of a LanceDB vector table the ANN index is built from: keys, ids and vectors, batch by batch. */

export interface RowBlock {
  keys: Float64Array;
  segmentIds: string[];
  itemHashes: string[];
  /** `keys.length × dim` floats. */
  vectors: Float32Array;
  /** Values of extra columns asked for (one per row). */
  extra?: unknown[];
}

const IN_CHUNK = 1000;
const ROW_COLUMNS = [KEY_COLUMN, 'segment_id', 'item_hash', 'vector'];

function keysOf(batch: ArrowModule.RecordBatch): Float64Array {
  const raw = batch.getChild(KEY_COLUMN)!.toArray() as BigInt64Array | Float64Array;
  return raw instanceof Float64Array ? raw : Float64Array.from(raw, Number);
}

function vectorsOf(batch: ArrowModule.RecordBatch, dim: number): Float32Array {
  const col = batch.getChild('vector')!;
  const data = col.data[0];
  const child = data.children[0];
  const begin = child.offset + data.offset * dim;
  const values = (child.values as Float32Array).subarray(begin, begin + data.length * dim);
  if (col.data.length === 1 && values.length === batch.numRows * dim) return values;
  const out = new Float32Array(batch.numRows * dim);
  for (let i = 0; i < batch.numRows; i++) out.set(col.get(i)!.toArray() as Float32Array, i * dim);
  return out;
}

function block(batch: ArrowModule.RecordBatch, dim: number, extra?: string): RowBlock {
  const col = extra ? batch.getChild(extra)! : undefined;
  return {
    keys: keysOf(batch),
    segmentIds: batch.getChild('segment_id')!.toArray() as string[],
    itemHashes: batch.getChild('item_hash')!.toArray() as string[],
    vectors: vectorsOf(batch, dim),
    extra: col ? Array.from({ length: batch.numRows }, (_, i) => col.get(i)) : undefined,
  };
}

/** Every key of the table (a scan of one Int64 column: ~0.1 s per 200k rows). */
export async function scanKeys(table: lancedb.Table): Promise<Float64Array> {
  const parts: Float64Array[] = [];
  let total = 0;
  for await (const batch of table.query().select([KEY_COLUMN])) {
    const keys = keysOf(batch as ArrowModule.RecordBatch);
    parts.push(keys);
    total += keys.length;
  }
  const out = new Float64Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Streams every row (or the rows of `where`) in table order, with at most one extra column. */
export async function* streamRows(table: lancedb.Table, dim: number, where?: string, extra: string[] = []): AsyncGenerator<RowBlock> {
  let q = table.query().select([...ROW_COLUMNS, ...extra]);
  if (where) q = q.where(where);
  for await (const batch of q) yield block(batch as ArrowModule.RecordBatch, dim, extra[0]);
}

/** The rows with these keys (missing keys are left out), in chunks of IN lists. */
export async function* rowsByKeys(table: lancedb.Table, dim: number, keys: number[]): AsyncGenerator<RowBlock> {
  for (let i = 0; i < keys.length; i += IN_CHUNK) {
    yield* streamRows(table, dim, `${KEY_COLUMN} IN (${keys.slice(i, i + IN_CHUNK).join(', ')})`);
  }
}

/** Keys of the rows matching `where` (the rows a write is about to delete). */
export async function keysWhere(table: lancedb.Table, where: string): Promise<number[]> {
  const out: number[] = [];
  for await (const batch of table.query().where(where).select([KEY_COLUMN]))
    for (const k of keysOf(batch as ArrowModule.RecordBatch)) out.push(k);
  return out;
}
