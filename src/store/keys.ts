import { createHash } from 'node:crypto';
import type { SegmentKind } from '../types.js';
import type { SpaceTableInfo } from './vector-store.js';

/**
 * The names every store and every writer share: item hashes, segment ids, space keys and table names. One place, so the
 * ingest pipeline, attached text and both stores can never disagree on how a row is addressed.
 */

/** An item's key: the SHA-256 of its bytes, in hex (same bytes under two paths are one item). */
export function itemHash(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A segment's id: `${itemHash}:${kind}:${index}` (stable, so re-indexing upserts instead of duplicating). */
export function segmentId(itemHash: string, kind: SegmentKind, index: number): string {
  return `${itemHash}:${kind}:${index}`;
}

/** The kind part of a segment id made by `segmentId` (hashes hold no `:`). */
export function segmentKindOf(id: string): SegmentKind | undefined {
  return id.split(':')[1] as SegmentKind | undefined;
}

/** The identity of a space's vectors that an item records once it is encoded in it: `${id}@${version}`. */
export function spaceKey(space: { id: string; version: string }): string {
  return `${space.id}@${space.version}`;
}

/** What a store needs to know of a space to keep its vectors: id, version and dimension. */
export function spaceTableInfo(space: { id: string; version: string; dim: number }): SpaceTableInfo {
  return { spaceId: space.id, version: space.version, dim: space.dim };
}

export const ITEMS_TABLE = 'items';
export const SEGMENTS_TABLE = 'segments';
export const SPACES_TABLE = 'spaces';

/**
 * The table (LanceDB) or collection (Milvus) of a space's vectors. Characters a backend does not allow in names
 * are hex-escaped, so any id maps to one valid name: LanceDB allows `.` and `-` (escape `.xx`), Milvus only
 * letters, digits and `_` (escape `_xx`).
 */
export function vectorTableName(spaceId: string, backend: 'lancedb' | 'milvus' = 'lancedb', prefix = ''): string {
  const escaped =
    backend === 'lancedb'
      ? spaceId.replace(/[^A-Za-z0-9_-]/g, (c) => `.${c.codePointAt(0)!.toString(16)}`)
      : spaceId.replace(/[^A-Za-z0-9_]/g, (c) => `_${c.codePointAt(0)!.toString(16)}`);
  return `${prefix}vectors_${escaped}`;
}
