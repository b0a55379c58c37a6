import * as lancedb from '@lancedb/lancedb';
import type { ItemRecord } from '../vector-store.js';
import { sqlString } from './filter-sql.js';
import { rowsToTable, type ArrowModule } from './arrow.js';
import { filterColumns } from './schema.js';

/** Table-level write helpers used by LanceStore. */

type Row = Record<string, unknown>;
type Schema = ArrowModule.Schema;
const SCALAR_INDEX_ROWS = 10_000;

/** A B-tree on a key column once a table is large, so per-item lookups and deletes stop scanning it. */
export async function ensureScalarIndex(table: lancedb.Table, column: string, rows: number): Promise<void> {
  if (rows < SCALAR_INDEX_ROWS) return;
  if ((await table.listIndices()).some((i) => i.columns.length === 1 && i.columns[0] === column)) return;
  await table.createIndex(column, { config: lancedb.Index.btree() });
}

/** Deletes the rows in `scope`, then appends `rows`: the caller guarantees no item row points at them meanwhile. */
export async function replaceRows(table: lancedb.Table, rows: Row[], scope: string, schema: Schema): Promise<void> {
  await table.delete(scope);
  if (rows.length) await table.add(rowsToTable(rows, schema));
}

/** Upserts `rows` by `key`; with `scope`, rows inside the scope that are absent from `rows` are deleted in the same commit. */
export async function upsertScoped(
  table: lancedb.Table,
  key: string,
  rows: Row[],
  scope: string | undefined,
  schema: Schema,
): Promise<void> {
  if (!rows.length) {
    if (scope) await table.delete(scope);
    return;
  }
  let builder = table.mergeInsert(key).whenMatchedUpdateAll().whenNotMatchedInsertAll();
  if (scope) builder = builder.whenNotMatchedBySourceDelete({ where: scope });
  await builder.execute(rowsToTable(rows, schema));
}

/** The filter columns as SQL expressions; an empty list needs an explicit type, which `values` cannot give. */
export function filterColumnsSql(item: ItemRecord): Record<string, string> {
  const list = (xs: string[]) => (xs.length ? `make_array(${xs.map(sqlString).join(', ')})` : `arrow_cast(make_array(), 'List(Utf8)')`);
  const c = filterColumns(item);
  return {
    modality: sqlString(c.modality),
    size: String(c.size),
    mtime_ms: String(c.mtime_ms),
    tags: list(c.tags),
    locations: list(c.locations),
    locations_text: sqlString(c.locations_text),
  };
}

export function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function listOf(value: unknown): string[] {
  const v = value as { toArray?: () => unknown[] } | null;
  return v == null ? [] : (typeof v.toArray === 'function' ? v.toArray() : (value as unknown[])).map(String);
}
