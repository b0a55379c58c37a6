/** One space's (or the keyword index's) ranked list. */
export interface RankedList {
  source: string;
  /** `weight` (default 1) scales a hit's reciprocal-rank contribution (see the words-in-pictures list). */
  hits: { key: string; score: number; weight?: number }[];
}

/** RRF's damping constant, as in Cormack et al. (2009). */
export const RRF_K = 60;

/**
 * Reciprocal rank fusion: score(d) = Σ_lists w / (RRF_K + rank_list(d)), w = 1 but for weighted hits. Needs no calibration between
 * spaces whose cosines live on different scales (CLIP's and CLAP's do). `max-score` instead keeps the
 * best raw cosine, which is only fair when the spaces' scores are comparable.
 */
export function fuse(lists: RankedList[], method: 'rrf' | 'max-score'): Map<string, { score: number; best: string; sources: string[] }> {
  const out = new Map<string, { score: number; best: string; sources: string[]; bestContribution: number }>();
  for (const list of lists) {
    list.hits.forEach((hit, i) => {
      const contribution = method === 'rrf' ? (hit.weight ?? 1) / (RRF_K + i + 1) : hit.score;
      const cur = out.get(hit.key);
      if (!cur) {
        out.set(hit.key, { score: contribution, best: list.source, sources: [list.source], bestContribution: contribution });
        return;
      }
      cur.sources.push(list.source);
      if (contribution > cur.bestContribution) {
        cur.best = list.source;
        cur.bestContribution = contribution;
      }
      cur.score = method === 'rrf' ? cur.score + contribution : Math.max(cur.score, contribution);
    });
  }
  return out;
}
