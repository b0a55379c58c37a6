import type { SegmentRecord } from '../store/vector-store.js';

export interface ScoredSegment {
  segment: SegmentRecord;
  score: number;
  similarity: number;
  space: string;
  spaces: string[];
}

/**
 * Collapses hits per item: an image or text item is one result (its best segment); hits on time
 * ranges of one audio/video item that touch or lie within `gap` seconds merge into one moment
 * spanning them, scored by its best hit — but only neighbours about as similar as the moment's best
 * (within 10 % of the similarity range of all hits), so a weak neighbouring scene stays separate.
 */
export function collapseHits(hits: ScoredSegment[], gap: number): ScoredSegment[] {
  const sims = hits.map((h) => h.similarity);
  const margin = hits.length > 1 ? 0.1 * (Math.max(...sims) - Math.min(...sims)) : 0;
  const byItem = new Map<string, ScoredSegment[]>();
  for (const h of hits) {
    const list = byItem.get(h.segment.itemHash) ?? [];
    list.push(h);
    byItem.set(h.segment.itemHash, list);
  }
  const out: ScoredSegment[] = [];
  for (const list of byItem.values()) {
    const timed = list.filter((h) => h.segment.t0 !== undefined && h.segment.t1 !== undefined);
    const untimed = list.filter((h) => h.segment.t0 === undefined || h.segment.t1 === undefined);
    if (untimed.length) out.push(untimed.reduce((a, b) => (b.score > a.score ? b : a)));
    timed.sort((a, b) => a.segment.t0! - b.segment.t0!);
    let cur: ScoredSegment | undefined;
    for (const h of timed) {
      if (cur && h.segment.t0! <= cur.segment.t1! + gap && Math.abs(h.similarity - cur.similarity) <= margin) {
        const best = h.score > cur.score ? h : cur;
        cur = {
          ...best,
          segment: { ...best.segment, t0: Math.min(cur.segment.t0!, h.segment.t0!), t1: Math.max(cur.segment.t1!, h.segment.t1!) },
          similarity: Math.max(cur.similarity, h.similarity),
          spaces: [...new Set([...cur.spaces, ...h.spaces])],
        };
      } else {
        if (cur) out.push(cur);
        cur = { ...h };
      }
    }
    if (cur) out.push(cur);
  }
  return out.sort((a, b) => b.score - a.score);
}

/** A media-fragment reference, e.g. `clip.mp4#t=12.5,18.0`. */
export function momentRef(path: string, t0?: number, t1?: number): string {
  if (t0 === undefined || t1 === undefined) return path;
  return `${path}#t=${t0.toFixed(1)},${t1.toFixed(1)}`;
}
