/**
 * Shared by the ANN index tests and their crash child: clustered unit vectors (seeded), one item per
 * vector with filterable metadata, and brute-force ground truth to compare every search with.
 */
import picomatch from 'picomatch';
import type { ItemCommit } from '../../src/store/lancedb/lance-store.js';
import type { SearchFilter, SpaceTableInfo } from '../../src/store/vector-store.js';
import { seededRandom } from '../../src/util/random.js';

export const DIM = 32;
export const ANN_SPACE: SpaceTableInfo = { spaceId: 'ann', version: '1', dim: DIM };

function gaussian(r: () => number): number {
  return Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
}

function unit(v: Float32Array): Float32Array {
  let s = 0;
  for (const x of v) s += x * x;
  const inv = 1 / Math.sqrt(s);
  for (let i = 0; i < v.length; i++) v[i] *= inv;
  return v;
}

/** Vector `i` of a fixed clustered set (40 centres), the same on every call. */
export function vectorOf(i: number, version = '1'): Float32Array {
  const centre = seededRandom(1000 + (i % 40) + (version === '1' ? 0 : 77));
  const noise = seededRandom(50_000 + i);
  return unit(Float32Array.from({ length: DIM }, () => gaussian(centre) + 0.35 * gaussian(noise)));
}

export function queryOf(i: number): Float32Array {
  return vectorOf(900_000 + i);
}

/** Item i: image or text, tagged 'even'/'odd', under /set/<i % 10>/, size i. */
export function annCommit(i: number, version = '1'): ItemCommit {
  const hash = `item${String(i).padStart(6, '0')}`;
  const modality = i % 3 === 0 ? 'text' : 'image';
  const kind = modality === 'text' ? 'text-chunk' : 'image';
  const seg = `${hash}:${kind}:0`;
  const space = { ...ANN_SPACE, version };
  return {
    item: {
      hash,
      modality,
      locations: [`/set/${i % 10}/${hash}.${modality === 'text' ? 'txt' : 'jpg'}`],
      mime: 'image/jpeg',
      size: i,
      mtimeMs: 1_700_000_000_000 + i,
      tags: [i % 2 ? 'odd' : 'even'],
      meta: {},
      indexedAt: 0,
      spaces: [`ann@${version}`],
    },
    segments: [{ id: seg, itemHash: hash, kind, index: 0 }],
    vectors: { ann: [{ segmentId: seg, itemHash: hash, vector: vectorOf(i, version) }] },
    spaces: [space],
  };
}

/** Does item i pass the filter (the same rules the store applies)? */
export function passes(i: number, f: SearchFilter | undefined): boolean {
  if (!f) return true;
  const c = annCommit(i);
  if (f.modality && !f.modality.includes(c.item.modality)) return false;
  if (f.kinds && !f.kinds.includes(c.segments[0].kind)) return false;
  if (f.minSize !== undefined && c.item.size < f.minSize) return false;
  if (f.maxSize !== undefined && c.item.size > f.maxSize) return false;
  if (f.tags && !f.tags.every((t) => c.item.tags.includes(t))) return false;
  if (f.pathGlob && !c.item.locations.some((l) => picomatch(f.pathGlob!, { dot: true })(l))) return false;
  return true;
}

/** Exact top-k item numbers among `live` items for a query. */
export function exactTopK(query: Float32Array, live: Iterable<number>, k: number, f?: SearchFilter, version = '1'): number[] {
  const scored: { i: number; s: number }[] = [];
  for (const i of live) {
    if (!passes(i, f)) continue;
    const v = vectorOf(i, version);
    let s = 0;
    for (let d = 0; d < DIM; d++) s += v[d] * query[d];
    scored.push({ i, s });
  }
  return scored
    .sort((a, b) => b.s - a.s)
    .slice(0, k)
    .map((x) => x.i);
}

export const itemNumber = (hash: string) => Number(hash.slice(4));
