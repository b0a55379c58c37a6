import { RosettaError } from '../errors/rosetta-error.js';
import { ErrorCodes } from '../errors/codes.js';
import { covers, type Space } from '../spaces/space.js';
import type { SearchFilter, VectorStore } from '../store/vector-store.js';
import { segmentKindOf, spaceTableInfo } from '../store/keys.js';
import { encodeQuery, normalizeQuery, queryModalities } from './compose-query.js';
import { fuse, type RankedList } from './fuse.js';
import { kindsButOcr, wordsInPicturesList } from './words-in-pictures.js';
import { collapseHits, momentRef, type ScoredSegment } from './moments.js';
import type { SearchOptions, SearchQuery, SearchResult } from './query.js';
import type { ItemRecord, SegmentRecord } from '../store/vector-store.js';
import type { SegmentKind } from '../types.js';
import { ocrLineOf, overlapsSpeech } from '../store/item-meta.js';
import { UNTIMED_SEGMENT_KINDS } from '../store/commit-validation.js';

/**
 * Runs a query in every space that can encode all of its parts, fuses the ranked lists, collapses
 * hits into items and moments, and resolves them to paths.
 */
export async function searchCollection(
  store: VectorStore,
  spaces: Space[],
  query: SearchQuery,
  options: SearchOptions = {},
  textAdapters: Map<string, (v: Float32Array) => Float32Array> = new Map(),
): Promise<SearchResult[]> {
  const parts = normalizeQuery(query);
  const k = options.k ?? 10;
  const filter: SearchFilter = { ...(options.filter ?? {}) };
  if (options.in?.length) filter.modality = options.in;
  if (options.speech && !filter.modality) filter.modality = ['audio', 'video'];
  const needed = queryModalities(parts);
  let eligible = spaces.filter((s) => needed.every((m) => covers(s, m)));
  if (options.spaces?.length) {
    const unknown = options.spaces.filter((id) => !spaces.some((s) => s.id === id));
    if (unknown.length)
      throw new RosettaError(
        ErrorCodes.SPACE_UNKNOWN,
        `Unknown space(s): ${unknown.join(', ')} (this collection has: ${spaces.map((s) => s.id).join(', ')})`,
        { setting: 'spaces' },
      );
    eligible = eligible.filter((s) => options.spaces!.includes(s.id));
  }
  if (eligible.length === 0) {
    throw new RosettaError(
      ErrorCodes.SPACE_MODALITY,
      `No space of this collection can encode a ${needed.join('+')} query (spaces: ${spaces.map((s) => `${s.id} [${s.modalities.join(',')}]`).join('; ')})`,
      { hint: needed.includes('audio') ? 'add an audio space (CLAP or the mini model)' : 'add a space that covers these modalities' },
    );
  }
  const fetchK = Math.max(k * 4, 40);
  const lists: RankedList[] = [];
  const cosines = new Map<string, number>();
  const itemOf = new Map<string, string>();
  // Words read in pictures enter as their own list (see words-in-pictures.ts), unless the filter leaves them out.
  // That lookup (a keyword query, or nothing when the collection holds no OCR lines) runs while the query is encoded.
  const ocrAllowed = !filter.kinds || filter.kinds.includes('ocr');
  const adapt = (space: Space) => (options.adapter === false ? undefined : textAdapters.get(space.id));
  const [words, vectors] = await Promise.all([
    parts.text && ocrAllowed ? wordsInPicturesList(store, parts.text, fetchK, filter) : undefined,
    encodeInTurn(eligible, (space) => encodeQuery(space, parts, adapt(space))),
  ]);
  // With that list, OCR lines leave the other lists (an explicit `kinds` filter is taken as it is).
  const withoutOcr = words !== undefined && !filter.kinds;
  for (const [i, space] of eligible.entries()) {
    const vector = vectors[i];
    const table = spaceTableInfo(space);
    let hits = await store.search(table, vector, { k: fetchK, filter });
    if (withoutOcr && hits.some((h) => segmentKindOf(h.segmentId) === 'ocr')) {
      // Only collections with OCR lines among the nearest pay for a second, filtered search.
      const kept = hits.filter((h) => segmentKindOf(h.segmentId) !== 'ocr');
      hits = hits.length < fetchK ? kept : await store.search(table, vector, { k: fetchK, filter: { ...filter, kinds: kindsButOcr() } });
    }
    lists.push({ source: space.id, hits: hits.map((h) => ({ key: h.segmentId, score: h.score })) });
    for (const h of hits) {
      cosines.set(h.segmentId, Math.max(cosines.get(h.segmentId) ?? -1, h.score));
      itemOf.set(h.segmentId, h.itemHash);
    }
  }
  if (options.hybrid) {
    if (!parts.text)
      throw new RosettaError(ErrorCodes.QUERY_INVALID, 'A hybrid search matches keywords, so it needs a text query', {
        setting: 'hybrid',
        hint: 'add words to the query, or search without --hybrid',
      });
    // A store without full-text search throws ROSETTA_ERR_UNSUPPORTED here: the keywords are never dropped silently.
    const hits = await store.searchText(parts.text, { k: fetchK, filter: withoutOcr ? { ...filter, kinds: kindsButOcr() } : filter });
    lists.push({ source: 'keywords', hits: hits.map((h) => ({ key: h.segmentId, score: h.score })) });
    for (const h of hits) itemOf.set(h.segmentId, h.itemHash);
  }
  if (words?.hits.length) {
    lists.push({ source: words.source, hits: words.hits });
    for (const h of words.hits) itemOf.set(h.key, words.itemOf.get(h.key)!);
  }
  const method = options.fusion ?? 'rrf';
  const fused =
    lists.length === 1 && method === 'rrf'
      ? new Map(lists[0].hits.map((h) => [h.key, { score: h.score, best: lists[0].source, sources: [lists[0].source] }]))
      : fuse(lists, method);
  const ids = [...fused.keys()];
  const scoredOf = (segments: SegmentRecord[]): ScoredSegment[] =>
    segments.map((segment) => {
      const f = fused.get(segment.id)!;
      return { segment, score: f.score, similarity: cosines.get(segment.id) ?? f.score, space: f.best, spaces: f.sources };
    });
  const gap = options.momentGapSeconds ?? 1;
  const quick = options.speech ? undefined : await resolveTopK(store, ids, itemOf, scoredOf, gap, k);
  let collapsed: ScoredSegment[];
  let items: Map<string, ItemRecord>;
  if (quick) ({ collapsed, items } = quick);
  else {
    // Every candidate's segment and item, read together (the hits already name their items).
    const [segments, itemRows] = await Promise.all([
      store.getSegments(ids),
      store.getItems([...new Set(ids.flatMap((id) => itemOf.get(id) ?? []))]),
    ]);
    items = new Map(itemRows.map((i) => [i.hash, i]));
    collapsed = collapseHits(scoredOf(segments), gap);
    if (!options.speech) collapsed = collapsed.slice(0, k);
  }
  if (options.speech) {
    // Moments where someone speaks: timed hits overlapping the item's speech regions (see index --speech).
    collapsed = collapsed
      .filter((h) => {
        const item = items.get(h.segment.itemHash);
        return item && h.segment.t0 !== undefined && h.segment.t1 !== undefined && overlapsSpeech(item, h.segment.t0, h.segment.t1);
      })
      .slice(0, k);
  }
  const results: SearchResult[] = [];
  for (const hit of collapsed) {
    const item = items.get(hit.segment.itemHash);
    if (!item) continue; // removed between search and resolve
    const path = item.locations[0] ?? '';
    results.push({
      rank: results.length + 1,
      score: hit.score,
      similarity: hit.similarity,
      path,
      locations: item.locations,
      modality: item.modality,
      kind: hit.segment.kind,
      itemHash: item.hash,
      segmentId: hit.segment.id,
      t0: hit.segment.t0,
      t1: hit.segment.t1,
      text: hit.segment.text,
      space: hit.space,
      spaces: hit.spaces,
      ref: momentRef(path, hit.segment.t0, hit.segment.t1),
      tags: item.tags,
      ...ocrBox(item, hit.segment),
    });
  }
  return results;
}

/** Kinds whose segment record holds nothing beyond its id (a picture's one segment: no text, no times): never read. */
const ID_ONLY_KINDS: ReadonlySet<string> = new Set<SegmentKind>(['image']);

/**
 * Resolves the fused candidates to the top k results reading only what the answer needs: the records of the
 * k results (their items, and the segments of those with text, in one parallel read) instead of every
 * candidate's. Candidates of an untimed kind (known from the segment id; the stores refuse times on them,
 * see validateSegmentTimes) collapse without their record; only the other candidates, which may merge into
 * moments by their times, are read first. A picture's segment is never read: its id says all it holds.
 * Undefined when a record read afterwards is missing (removed meanwhile): the caller then reads every candidate,
 * as the answer must not depend on this shortcut.
 */
async function resolveTopK(
  store: VectorStore,
  ids: string[],
  itemOf: Map<string, string>,
  scoredOf: (segments: SegmentRecord[]) => ScoredSegment[],
  gap: number,
  k: number,
): Promise<{ collapsed: ScoredSegment[]; items: Map<string, ItemRecord> } | undefined> {
  const guessed = new Map<string, SegmentRecord>();
  for (const id of ids) {
    const kind = segmentKindOf(id);
    const itemHash = itemOf.get(id);
    if (kind && itemHash && UNTIMED_SEGMENT_KINDS.has(kind))
      guessed.set(id, { id, itemHash, kind: kind as SegmentKind, index: Number(id.slice(id.lastIndexOf(':') + 1)) });
  }
  const timed = ids.filter((id) => !guessed.has(id));
  const read = new Map((timed.length ? await store.getSegments(timed) : []).map((segment) => [segment.id, segment]));
  const candidates = ids.flatMap((id) => guessed.get(id) ?? read.get(id) ?? []);
  const collapsed = collapseHits(scoredOf(candidates), gap).slice(0, k);
  const toConfirm = collapsed.filter((h) => guessed.has(h.segment.id) && !ID_ONLY_KINDS.has(h.segment.kind)).map((h) => h.segment.id);
  const [confirmed, itemRows] = await Promise.all([
    toConfirm.length ? store.getSegments(toConfirm) : [],
    store.getItems([...new Set(collapsed.map((h) => h.segment.itemHash))]),
  ]);
  const records = new Map(confirmed.map((segment) => [segment.id, segment]));
  for (const id of toConfirm) {
    const segment = records.get(id);
    if (!segment || segment.t0 !== undefined || segment.t1 !== undefined || segment.itemHash !== guessed.get(id)!.itemHash)
      return undefined;
  }
  const items = new Map(itemRows.map((i) => [i.hash, i]));
  if (collapsed.some((h) => !items.has(h.segment.itemHash))) return undefined;
  return { collapsed: collapsed.map((h) => (records.has(h.segment.id) ? { ...h, segment: records.get(h.segment.id)! } : h)), items };
}

/** Encodes the query in each space, one after the other (each model already uses every core). */
async function encodeInTurn(spaces: Space[], encode: (space: Space) => Promise<Float32Array>): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (const space of spaces) out.push(await encode(space));
  return out;
}

/** The box of a matched OCR line, kept in its item's metadata by `index --ocr`. */
function ocrBox(item: ItemRecord, segment: SegmentRecord): Pick<SearchResult, 'box'> {
  if (segment.kind !== 'ocr') return {};
  const line = ocrLineOf(item, segment.index);
  return line ? { box: { corners: line.box, bounds: line.bounds, width: line.width, height: line.height, t: line.t } } : {};
}
