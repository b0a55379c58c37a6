import { arrow, type ArrowModule } from './arrow.js';
import type { ItemRecord, SegmentRecord, SpaceTableInfo, VectorRecord } from '../vector-store.js';
import { joinLocations } from '../glob.js';
import { KEY_COLUMN } from './ann/row-keys.js';

/**
 * Arrow schemas of the LanceDB tables. Column names are snake_case because DataFusion folds
 * unquoted identifiers to lower case. Every table that holds rows of an item carries the item's
 * filter columns (modality, size, mtime_ms, tags, locations) so filters run as SQL prefilters.
 */
const { Field, FixedSizeList, Float32, Float64, Int32, Int64, List, Schema, Utf8 } = arrow;
type Schema = ArrowModule.Schema;

const str = (name: string, nullable = false) => new Field(name, new Utf8(), nullable);
const f64 = (name: string, nullable = false) => new Field(name, new Float64(), nullable);
const strList = (name: string) => new Field(name, new List(new Field('item', new Utf8(), true)), false);

const filterFields = () => [str('modality'), f64('size'), f64('mtime_ms'), strList('tags'), strList('locations'), str('locations_text')];

export function itemsSchema(): Schema {
  return new Schema([
    str('hash'),
    ...filterFields(),
    str('mime'),
    f64('width', true),
    f64('height', true),
    f64('duration', true),
    str('meta'),
    f64('indexed_at'),
    strList('spaces'),
  ]);
}

export function segmentsSchema(): Schema {
  return new Schema([
    str('id'),
    str('item_hash'),
    str('kind'),
    new Field('index', new Int32(), false),
    f64('t0', true),
    f64('t1', true),
    str('text', true),
    ...filterFields(),
  ]);
}

export function spacesSchema(): Schema {
  return new Schema([str('space_id'), str('version'), new Field('dim', new Int32(), false)]);
}

/** `key`: a random row key, fresh on every write of the row, that the ANN index is keyed by (store/lancedb/ann/row-keys.ts). */
export function vectorSchema(dim: number): Schema {
  return new Schema([
    new Field(KEY_COLUMN, new Int64(), false),
    str('segment_id'),
    str('item_hash'),
    str('kind'),
    str('space_version'),
    new Field('vector', new FixedSizeList(dim, new Field('item', new Float32(), true)), false),
    ...filterFields(),
  ]);
}

export interface FilterColumns {
  modality: string;
  size: number;
  mtime_ms: number;
  tags: string[];
  locations: string[];
  locations_text: string;
}

export function filterColumns(item: Pick<ItemRecord, 'modality' | 'size' | 'mtimeMs' | 'tags' | 'locations'>): FilterColumns {
  return {
    modality: item.modality,
    size: item.size,
    mtime_ms: item.mtimeMs,
    tags: [...item.tags],
    locations: [...item.locations],
    locations_text: joinLocations(item.locations),
  };
}

export function itemRow(item: ItemRecord): Record<string, unknown> {
  return {
    hash: item.hash,
    ...filterColumns(item),
    mime: item.mime,
    width: item.width ?? null,
    height: item.height ?? null,
    duration: item.duration ?? null,
    meta: JSON.stringify(item.meta ?? {}),
    indexed_at: item.indexedAt,
    spaces: [...item.spaces],
  };
}

function list(value: unknown): string[] {
  if (value == null) return [];
  const v = value as { toArray?: () => unknown[] };
  return (typeof v.toArray === 'function' ? v.toArray() : (value as unknown[])).map(String);
}

const opt = (v: unknown): number | undefined => (v == null ? undefined : Number(v));

export function rowToItem(row: Record<string, unknown>): ItemRecord {
  const item: ItemRecord = {
    hash: String(row.hash),
    modality: row.modality as ItemRecord['modality'],
    locations: list(row.locations),
    mime: String(row.mime),
    size: Number(row.size),
    mtimeMs: Number(row.mtime_ms),
    tags: list(row.tags),
    meta: JSON.parse(String(row.meta ?? '{}')) as Record<string, unknown>,
    indexedAt: Number(row.indexed_at),
    spaces: list(row.spaces),
  };
  const width = opt(row.width),
    height = opt(row.height),
    duration = opt(row.duration);
  if (width !== undefined) item.width = width;
  if (height !== undefined) item.height = height;
  if (duration !== undefined) item.duration = duration;
  return item;
}

export function segmentRow(seg: SegmentRecord, cols: FilterColumns): Record<string, unknown> {
  return {
    id: seg.id,
    item_hash: seg.itemHash,
    kind: seg.kind,
    index: seg.index,
    t0: seg.t0 ?? null,
    t1: seg.t1 ?? null,
    text: seg.text ?? null,
    ...cols,
  };
}

export function rowToSegment(row: Record<string, unknown>): SegmentRecord {
  const seg: SegmentRecord = {
    id: String(row.id),
    itemHash: String(row.item_hash),
    kind: row.kind as SegmentRecord['kind'],
    index: Number(row.index),
  };
  const t0 = opt(row.t0),
    t1 = opt(row.t1);
  if (t0 !== undefined) seg.t0 = t0;
  if (t1 !== undefined) seg.t1 = t1;
  if (row.text != null) seg.text = String(row.text);
  return seg;
}

export function vectorRow(v: VectorRecord, kind: string, space: SpaceTableInfo, cols: FilterColumns, key: number): Record<string, unknown> {
  return {
    [KEY_COLUMN]: key,
    segment_id: v.segmentId,
    item_hash: v.itemHash,
    kind,
    space_version: space.version,
    vector: v.vector,
    ...cols,
  };
}

export const SEGMENT_COLUMNS = ['id', 'item_hash', 'kind', 'index', 't0', 't1', 'text'];
