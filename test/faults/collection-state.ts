/**
 * Everything a user would care about in a collection on disk, in a form two runs can be compared by: items
 * (hash, locations, spaces, tags), their segments, the rows of each vector table, orphans and duplicates, and
 * what a few searches return.
 */
import * as lancedb from '@lancedb/lancedb';
import { Rosetta } from '../../src/rosetta.js';
import { vectorTableName } from '../../src/store/keys.js';

export interface CollectionState {
  items: string[];
  segments: string[];
  vectors: Record<string, string[]>;
  /** Segment rows whose item is not stored, vector rows whose segment is not stored. */
  orphans: string[];
  /** Rows stored twice (same segment id in a table). */
  duplicates: string[];
  searches: Record<string, string[]>;
}

export const QUERIES: [string, Record<string, unknown>][] = [
  ['red', { in: ['image', 'video'] }],
  ['blue', { in: ['image', 'video'] }],
  ['green', { in: ['image', 'video'] }],
  ['magenta', { in: ['image', 'video'] }],
  ['yellow sky', { in: ['text'], filter: { pathGlob: '**/notes/**' } }],
];

export async function collectionState(dir: string, model: string): Promise<CollectionState> {
  const rosetta = await Rosetta.open(dir, { spaces: [model], offline: true });
  try {
    const items = await rosetta.store.listItems();
    const hashes = new Set(items.map((i) => i.hash));
    const db = await lancedb.connect(dir);
    // The filter columns each row carries (copied from its item) are compared too: a stale copy changes what a filtered search finds.
    const sorted = (list: unknown) => [...(list as { toArray(): unknown[] }).toArray()].map(String).sort().join(',');
    const filterCols = (r: Record<string, unknown>) => `${r.modality} ${r.size} [${sorted(r.locations)}] <${sorted(r.tags)}>`;
    const segRows = await (
      await db.openTable('segments')
    )
      .query()
      .select(['id', 'item_hash', 'text', 'modality', 'size', 'locations', 'tags'])
      .toArray();
    const segIds = new Set(segRows.map((r) => String(r.id)));
    const orphans = segRows.filter((r) => !hashes.has(String(r.item_hash))).map((r) => `segment ${r.id}`);
    const duplicates = segRows.length === segIds.size ? [] : [`segments: ${segRows.length} rows, ${segIds.size} ids`];
    const vectors: Record<string, string[]> = {};
    for (const space of rosetta.spaces) {
      const name = vectorTableName(space.id);
      if (!(await db.tableNames()).includes(name)) continue;
      const table = await (await db.openTable(name)).query().select(['segment_id', 'modality', 'size', 'locations', 'tags']).toArray();
      const rows = table.map((r) => String(r.segment_id));
      vectors[space.id] = table.map((r) => `${r.segment_id} ${filterCols(r)}`).sort();
      if (new Set(rows).size !== rows.length) duplicates.push(`${space.id}: ${rows.length} rows, ${new Set(rows).size} segments`);
      for (const id of rows) if (!segIds.has(id)) orphans.push(`vector ${space.id} ${id}`);
    }
    db.close();
    const searches: Record<string, string[]> = {};
    for (const [text, options] of QUERIES) {
      // Every hit in scope (k above the item count), ordered by score then id: this tiny colour model gives
      // equal scores to pictures of one colour, and equal scores may come back in any order.
      const hits = await rosetta.search(text, { k: 100, ...options });
      searches[text] = hits
        .map((h) => `${h.score.toFixed(4)} ${h.segmentId} ${[...h.locations].sort().join(',')}`)
        .sort((a, b) => Number(b.split(' ')[0]) - Number(a.split(' ')[0]) || (a < b ? -1 : 1));
    }
    return {
      items: items
        .map(
          (i) =>
            `${i.hash} ${i.modality} ${i.size} [${[...i.locations].sort().join(', ')}] {${[...i.spaces].sort().join(',')}} <${[...i.tags].sort().join(',')}>`,
        )
        .sort(),
      segments: segRows.map((r) => `${r.id} ${String(r.text ?? '').slice(0, 40)} ${filterCols(r)}`).sort(),
      vectors,
      orphans,
      duplicates,
      searches,
    };
  } finally {
    await rosetta.close();
  }
}
