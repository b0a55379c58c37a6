import { createRequire } from 'node:module';
import type * as MilvusSdk from '@zilliz/milvus2-sdk-node';
import type { FieldType } from '@zilliz/milvus2-sdk-node';
import type { ItemRecord } from '../vector-store.js';

type Row = Record<string, unknown>;

/** The Milvus SDK (CommonJS), loaded when a Milvus store is first used, not with the package: it alone costs ~0.3 s of start-up. */
export const milvusSdk = (): typeof MilvusSdk => createRequire(import.meta.url)('@zilliz/milvus2-sdk-node') as typeof MilvusSdk;
const DataType = () => milvusSdk().DataType;
export const MAX_LIST = 1024;

// Milvus loads only collections with a vector index, so items and segments carry a 2-d placeholder vector.
const placeholder = (): FieldType => ({ name: '_v', data_type: DataType().FloatVector, dim: 2 });

/** Items: one row per item, keyed by hash, with the whole record as JSON. */
export function itemsSchema(): FieldType[] {
  return [
    { name: 'hash', data_type: DataType().VarChar, max_length: 128, is_primary_key: true },
    { name: 'record', data_type: DataType().JSON },
    ...itemColumnFields().slice(1),
    placeholder(),
  ];
}

/** Segments: one row per segment, keyed by segment id. */
export function segmentsSchema(): FieldType[] {
  return [
    { name: 'id', data_type: DataType().VarChar, max_length: 512, is_primary_key: true },
    { name: 'kind', data_type: DataType().VarChar, max_length: 32 },
    { name: 'record', data_type: DataType().JSON },
    ...itemColumnFields(),
    placeholder(),
  ];
}

/** One collection per space: a segment's vector, keyed by segment id. */
export function vectorsSchema(dim: number): FieldType[] {
  return [
    { name: 'segment_id', data_type: DataType().VarChar, max_length: 512, is_primary_key: true },
    { name: 'kind', data_type: DataType().VarChar, max_length: 32 },
    { name: 'space_version', data_type: DataType().VarChar, max_length: 128 },
    { name: 'vector', data_type: DataType().FloatVector, dim },
    ...itemColumnFields(),
  ];
}

/**
 * The item's fields copied onto every row that belongs to it (segment and vector rows carry all of them,
 * the item row all but `item_hash`), so filters run inside the Milvus query instead of after it.
 */
export function itemColumnFields(): FieldType[] {
  const list = (name: string): FieldType => ({
    name,
    data_type: DataType().Array,
    element_type: DataType().VarChar,
    max_capacity: MAX_LIST,
    max_length: 4096,
  });
  return [
    { name: 'item_hash', data_type: DataType().VarChar, max_length: 128 },
    { name: 'modality', data_type: DataType().VarChar, max_length: 16 },
    { name: 'size', data_type: DataType().Double },
    { name: 'mtime_ms', data_type: DataType().Double },
    list('tags'),
    list('locations'),
  ];
}

/** The values of `itemColumnFields` for one item. */
export function itemColumns(item: ItemRecord): Row {
  return {
    item_hash: item.hash,
    modality: item.modality,
    size: item.size,
    mtime_ms: item.mtimeMs,
    tags: item.tags,
    locations: item.locations,
  };
}

/**
 * The rows of a partial upsert (Milvus ≥ 2.6.2, `partial_update: true`) that bring an item's segment or
 * vector rows up to date after a tag, location or metadata change: each row is its primary key and the
 * item's columns, nothing else, so the vector (and the segment record) stays as stored and never travels.
 */
export function columnPatchRows(keyField: string, keys: readonly string[], item: ItemRecord): Row[] {
  const columns = itemColumns(item);
  return keys.map((key) => ({ [keyField]: key, ...columns }));
}

/** The item row itself, as a partial upsert: the record and its columns, without the placeholder vector. */
export function itemRowPatch(item: ItemRecord): Row {
  const { item_hash: _, ...columns } = itemColumns(item);
  return { hash: item.hash, record: item, ...columns };
}
