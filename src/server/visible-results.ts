import { momentRef, shardOfLocation, type SearchResult } from '../rosetta.js';
import type { Roots } from './roots.js';

/**
 * The search hits the server may show: each keeps only the locations it may serve (see `Roots.servable`),
 * and a hit left with none is dropped, so neither its text nor its path reaches the client. The locations
 * are checked all at once (one real-path look-up each), not one after another.
 */
export async function visibleResults(roots: Roots, results: SearchResult[]): Promise<{ results: SearchResult[]; dropped: number }> {
  if (roots.list.length === 0) return { results, dropped: 0 };
  const readable = await roots.readable();
  // A shard sample (`<shard>#<key>`) is shown when its shard file lies under the roots.
  const servable = await Promise.all(
    results.map((r) => Promise.all(r.locations.map((l) => roots.servable(shardOfLocation(l) ?? l, readable)))),
  );
  const kept: SearchResult[] = [];
  results.forEach((r, i) => {
    const locations = r.locations.filter((_, j) => servable[i][j] !== undefined);
    if (locations.length === 0) return;
    const path = locations.includes(r.path) ? r.path : locations[0];
    kept.push({ ...r, rank: kept.length + 1, path, locations, ref: momentRef(path, r.t0, r.t1) });
  });
  return { results: kept, dropped: results.length - kept.length };
}
